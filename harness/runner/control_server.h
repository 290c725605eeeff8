// ControlServer: the coordinator's small plain-HTTP/1.1 endpoint (Beast), serving one
// handler on one listening socket, from one thread of its own.
//
// Contract: every connection gets kRequestDeadline for each request (reading it, handling
// it, writing the answer); request bodies over kMaxRequestBody are refused with 413, heads
// over 16 KiB with 431; the connection then closes. Keep-alive is honoured. The handler runs
// on the server's thread, one request at a time, and must be quick (it only touches shared
// state under a lock). The destructor stops accepting, closes every connection and joins.
// Thread-safety: construct and destroy on one thread; port() from any.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "harness/base/status.h"

namespace leakgate::runner {

struct ControlRequest {
  std::string method;  // "GET", "POST"
  std::string target;  // path and query
  std::string body;
};

struct ControlResponse {
  unsigned status = 200;
  std::string body;  // JSON
};

class ControlServer {
 public:
  using Handler = std::function<ControlResponse(const ControlRequest&)>;
  static constexpr auto kRequestDeadline = std::chrono::seconds(5);
  static constexpr std::size_t kMaxRequestBody = 16 << 20;

  // Binds `where` (port 0: any free one) and starts serving; kUnavailable naming the
  // address when it cannot be bound.
  static StatusOr<std::unique_ptr<ControlServer>> Start(const boost::asio::ip::tcp::endpoint& where, Handler handler);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  unsigned short port() const { return port_; }

 private:
  struct State;
  explicit ControlServer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
  unsigned short port_ = 0;
  std::jthread thread_;
};

}  // namespace leakgate::runner
