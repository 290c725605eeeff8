// ConnectionPool: one worker's HTTP/1.1 connections to one endpoint, under a phase's
// connection policy (scenario::ConnectionPolicy): keep-alive connections kept idle up to
// `pool`, at most `max` open (requests wait for a slot until their deadline), or a new
// connection per request. Idle connections are reused last-in first-out, so after a burst
// the surplus sits unused: one idle longer than kIdleTimeout is closed (as Go's Transport
// closes idle connections), and a long steady phase keeps a steady count of sockets.
//
// Connections are owned by the pool until it is destroyed (closed ones are recycled), so a
// Connection& lent to a request stays valid for the whole phase. Thread-safety: none; the
// pool lives on its worker's single-threaded io_context.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <memory>
#include <vector>

#include "harness/load/http/http_exchange.h"

namespace leakgate::load::http {

class ConnectionPool {
 public:
  static constexpr std::chrono::seconds kIdleTimeout{30};

  // `pool_limit`: idle keep-alive connections kept (0: no bound); `max_open`: open
  // connections (0: no bound); `per_request`: never reuse a connection.
  ConnectionPool(boost::asio::any_io_executor executor, int pool_limit, int max_open, bool per_request);
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // A connection for one request: an idle keep-alive one unless `fresh`, else a new
  // (unconnected) one; waits until `deadline` while `max_open` are open. Null: none in time.
  boost::asio::awaitable<Connection*> Acquire(bool fresh, Clock::time_point deadline);
  // Acquire's fast path without a coroutine: an idle keep-alive connection, or null (then
  // call Acquire).
  Connection* TakeIdle(bool fresh);

  // Gives a connection back: kept idle when `reusable` and the pool has room (or handed to
  // a waiting request), else closed.
  void Release(Connection* c, bool reusable);

  // Closes every connection and wakes every waiting request; from now on nothing is kept
  // idle. For the run-wide stop and the end of a phase.
  void CloseAll();

 private:
  struct Waiter {
    explicit Waiter(const boost::asio::any_io_executor& ex) : timer(ex) {}
    boost::asio::steady_timer timer;
    Connection* conn = nullptr;  // handed over by Release
    bool may_open = false;       // a slot for a new connection was freed
  };
  Connection* NewConnection();
  void CloseStaleIdle(Clock::time_point now);
  struct Idle {
    Connection* conn;
    Clock::time_point since;
  };

  boost::asio::any_io_executor executor_;
  const int pool_limit_;
  const int max_open_;
  const bool per_request_;
  bool closed_ = false;
  std::vector<std::unique_ptr<Connection>> all_;  // owns every connection
  std::deque<Idle> idle_;                         // connected keep-alive connections, oldest first
  std::vector<Connection*> spare_;                // closed, ready to connect again
  std::deque<Waiter*> waiters_;                   // requests waiting for a connection slot
  int open_ = 0;                                  // idle + lent out
};

}  // namespace leakgate::load::http
