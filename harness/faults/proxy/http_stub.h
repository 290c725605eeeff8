// HttpStubServer: a dependency that leakgate answers itself (`stub: {status, body,
// headers, latency}`), internal to harness/faults/proxy.
//
// An HTTP/1.1 server on an ephemeral loopback port, run on worker 0, that answers every
// request (any method, any path; its body read and discarded, up to 8 MiB) with the
// configured response after `latency`, keeping the connection alive as the request asks.
// The dependency's listener relays to it like to any upstream, so TCP and HTTP faults act
// on a stub as on a real server. Each connection has the proxy's idle timeout as deadline.
//
// Thread-safety: Open() on the starting thread before the workers run; the rest on
// worker 0's thread.
#pragma once

#include <chrono>
#include <memory>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "harness/base/status.h"
#include "harness/scenario/scenario.h"

namespace leakgate::faults::proxy {

class Worker;

class HttpStubServer {
 public:
  HttpStubServer(Worker& worker, const scenario::HttpStub& stub, std::chrono::nanoseconds idle_timeout);
  HttpStubServer(const HttpStubServer&) = delete;
  HttpStubServer& operator=(const HttpStubServer&) = delete;

  Status Open();  // binds 127.0.0.1:0
  boost::asio::ip::tcp::endpoint endpoint() const { return endpoint_; }
  void Start();   // spawns the accept loop
  void Close();   // stops accepting; served connections end when the proxy closes its side

 private:
  struct Config {
    scenario::HttpStub stub;
    std::chrono::nanoseconds idle_timeout;
  };
  static boost::asio::awaitable<void> AcceptLoop(HttpStubServer* self);
  static boost::asio::awaitable<void> Serve(std::shared_ptr<const Config> config, boost::asio::ip::tcp::socket socket);

  Worker& worker_;
  std::shared_ptr<const Config> config_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::tcp::endpoint endpoint_;
  bool closed_ = false;
};

}  // namespace leakgate::faults::proxy
