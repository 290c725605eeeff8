// Connection: one proxied connection, target ⇄ proxy ⇄ dependency (internal to
// harness/faults/proxy).
//
// Per direction ("leg") a reader coroutine takes bytes from the source socket and a
// writer coroutine (leg_writer.h) passes them to the destination, applying the TCP faults;
// a bounded queue between them lets the reader go on reading while the writer holds a
// chunk (latency is a delay line, not a throughput cap) and stops it when the writer falls
// behind. In HTTP mode a request and a response processor (http_relay.h) sit between each
// reader and writer. All of them share the Connection through a shared_ptr and run on the
// connection's worker thread; the Connection ends when the last of them returns.
//
// Thread-safety: none; the worker's thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <tuple>

#include "harness/faults/proxy/byte_queue.h"
#include "harness/faults/proxy/fault_set.h"

namespace leakgate::faults::proxy {

class ProxyCore;
class Worker;
struct DependencyRuntime;

// One direction of a connection.
struct LegState {
  LegState(const boost::asio::any_io_executor& ex, size_t capacity, Leg which)
      : leg(which), inbox(ex, capacity), outbox(ex, capacity) {}
  const Leg leg;
  ChunkQueue inbox;                      // HTTP mode: bytes read from the source, for the processor
  ChunkQueue outbox;                     // bytes for the destination; the writer applies the TCP faults
  bool blackholed = false;               // sticky: everything from now on is dropped
  FaultCounters* blackhole_counters = nullptr;  // the blackhole that did it (counts the drops)
  bool finished = false;                 // the writer has passed the EOF on
  Clock::time_point paced_until{};       // bandwidth: no write before this
  Clock::time_point next_segment_at{};   // slicer: no segment before this
  int64_t segment_left = 0;              // slicer: bytes left of the current segment
};

// HTTP mode: one request read from the target, waiting for its response (in order).
struct PendingExchange {
  std::string method;
  std::string target;
  bool head = false;                      // HEAD: the response has no body
  bool keep_alive = true;
  bool tunnel = false;                    // Upgrade or CONNECT: bytes after the response
  std::optional<ActiveFault> drop, error, delay, slow_body;  // the HTTP faults drawn for it
  uint64_t seq = 0;                       // 1, 2, ... in request order
  bool local() const { return drop || error; }               // never forwarded upstream
};

// HTTP mode: what the request and the response processor share.
struct HttpExchanges {
  std::deque<PendingExchange> pending;    // requests waiting for their response, in order
  uint64_t queued = 0;                    // requests queued so far (the last one's seq)
  uint64_t read = 0;                      // requests read to their end (a local answer waits for that)
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Worker& worker, const DependencyRuntime& dependency, boost::asio::ip::tcp::socket client);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Registers with the worker, applies `down`, connects to the upstream and starts the
  // coroutines.
  void Start();
  // The worker's FaultSet changed: re-draw, act on `down`, wake every waiting coroutine.
  void OnFaultsChanged();
  // Closes both sockets (with SO_LINGER 0, i.e. RST, when `reset`) and wakes everything.
  // Idempotent; `why` goes to the fault log only when `fault` is set.
  void Close(bool reset, const ActiveFault* fault = nullptr, std::string_view why = {});
  // Downstream blackhole: the upstream hung up; drop what the target sends from now on.
  void CloseUpstreamOnly();

  bool closed() const { return closed_; }
  bool upstream_gone() const { return upstream_gone_; }
  uint64_t id() const { return id_; }
  Clock::time_point last_activity() const { return last_activity_; }
  bool http() const;

  Worker& worker() { return worker_; }
  ProxyCore& core();
  ConnectionFaults& faults() { return faults_; }
  void RefreshFaults();  // adopts the worker's current FaultSet if it changed
  LegState& leg(Leg which) { return which == Leg::kUpstream ? up_ : down_; }
  boost::asio::ip::tcp::socket& destination(Leg which) { return which == Leg::kUpstream ? upstream_ : client_; }
  // Writes all of `bytes` to the leg's destination (through TLS for a TLS upstream).
  boost::asio::awaitable<std::tuple<boost::system::error_code, size_t>> WriteTo(Leg which, boost::asio::const_buffer bytes);
  HttpExchanges& exchanges() { return exchanges_; }
  DependencyCounters& counters();  // the current phase's, for this dependency
  void Touch() { last_activity_ = Clock::now(); }
  // The writer of `which` passed the EOF on; when both have, the connection closes.
  void LegFinished(Leg which);
  // Logs `what` for this connection under the current phase.
  void Log(const ActiveFault* fault, std::string what);

 private:
  static boost::asio::awaitable<void> Run(std::shared_ptr<Connection> self);
  static boost::asio::awaitable<void> Read(std::shared_ptr<Connection> self, Leg which);
  // The TLS handshake with the upstream (tls_context set); false (logged, closed) when it failed.
  static boost::asio::awaitable<bool> UpstreamHandshake(Connection& c);
  bool ActOnDown();  // true when `down` closed the connection

  Worker& worker_;
  const DependencyRuntime& dependency_;
  const uint64_t id_;
  boost::asio::ip::tcp::socket client_;
  boost::asio::ip::tcp::socket upstream_;
  // A TLS upstream (DependencyRuntime::tls_context): the TLS layer over upstream_, made
  // once the TCP connect succeeded; it outlives every operation (the Connection does).
  std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> upstream_tls_;
  LegState up_;
  LegState down_;
  ConnectionFaults faults_;
  HttpExchanges exchanges_;
  Clock::time_point last_activity_ = Clock::now();
  bool closed_ = false;
  bool connected_ = false;
  bool upstream_gone_ = false;
};

// The writer coroutine of one leg (leg_writer.cpp).
boost::asio::awaitable<void> WriteLeg(std::shared_ptr<Connection> self, Leg which);

}  // namespace leakgate::faults::proxy
