// Real loopback peers for the chaos proxy's tests: a blocking client with deadlines that
// reports what the kernel said (bytes, EOF, ECONNRESET, ECONNREFUSED, timeout), a TCP
// server with the behaviours the faults are measured against, and an HTTP/1.1 upstream
// that answers with every body framing. All servers listen on 127.0.0.1:0 and run on
// their own thread; every wait here has a deadline.
//
// Thread-safety: a RawClient belongs to one thread; servers' counters are atomics and
// their observations are read under a lock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>


#include "harness/faults/proxy/chaos_proxy.h"
#include "harness/scenario/scenario.h"

namespace leakgate::faults::proxy::testing {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

class RawClient {
 public:
  // Connects to 127.0.0.1:port within `timeout`; `*error` = 0 or the errno (ECONNREFUSED,
  // ETIMEDOUT).
  static RawClient Connect(int port, int* error, milliseconds timeout = milliseconds(2000));
  RawClient() = default;
  RawClient(RawClient&& other) noexcept;
  RawClient& operator=(RawClient&& other) noexcept;
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;
  ~RawClient();

  bool ok() const { return fd_ >= 0; }
  bool SendAll(std::string_view data, milliseconds timeout = milliseconds(2000));
  void ShutdownWrite();

  struct Read {
    std::string bytes;
    bool eof = false;        // the peer closed (FIN)
    int error = 0;           // errno of a failed recv (ECONNRESET)
    bool timed_out = false;  // nothing (more) within the timeout
  };
  // One recv of at most `cap` bytes.
  Read ReadSome(milliseconds timeout, size_t cap = 64 * 1024);
  // Until `n` bytes, EOF, an error or the deadline.
  Read ReadUpTo(size_t n, milliseconds timeout);
  Read ReadExactly(size_t n, milliseconds timeout) { return ReadUpTo(n, timeout); }
  // Until EOF, an error, the deadline or `cap` bytes.
  Read ReadUntilClose(milliseconds timeout, size_t cap = 64 << 20) { return ReadUpTo(cap, timeout); }

 private:
  int fd_ = -1;
};

// Connects, failing the test (EXPECT) when it cannot; check ok() before use.
RawClient ConnectOrFail(int port);

// One HTTP/1.1 conversation over a RawClient, responses parsed with Beast (interim 1xx
// responses skipped). `head_at` is when the response head was complete, `done_at` when
// the whole response was.
struct HttpReply {
  bool ok = false;           // a complete response was read
  RawClient::Read ended;     // how the read ended when not ok (eof, error, timed_out)
  unsigned status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
  bool keep_alive = false;
  Clock::time_point sent_at, head_at, done_at;
};
class HttpClient {
 public:
  // Connects; ok() tells whether it did.
  explicit HttpClient(int port);
  bool ok() const { return raw_.ok(); }
  RawClient& raw() { return raw_; }
  // Sends `request` (raw bytes), then reads one response.
  HttpReply Exchange(const std::string& request, bool head_request = false, milliseconds timeout = milliseconds(3000));
  // Reads the next response (pipelining: requests sent before).
  HttpReply Next(bool head_request = false, milliseconds timeout = milliseconds(3000));

 private:
  RawClient raw_;
  std::string pending_;  // bytes read past the previous response
};
std::string Get(const std::string& path, const std::string& method = "GET", const std::string& body = "");

// A TCP peer. Modes: echo everything back; send `payload` bytes on accept, then close;
// swallow everything and record how each connection ended.
class TcpServer {
 public:
  enum class Mode { kEcho, kSendThenClose, kSwallow };
  explicit TcpServer(Mode mode, size_t payload = 0);
  ~TcpServer();
  TcpServer(const TcpServer&) = delete;
  TcpServer& operator=(const TcpServer&) = delete;

  int port() const { return port_; }
  struct Ended {
    int64_t bytes = 0;
    bool reset = false;  // the connection ended with ECONNRESET (else EOF)
  };
  int64_t accepted() const { return accepted_.load(); }
  std::vector<Ended> ended() const;
  // Polls until `n` connections have ended or `timeout`; returns what ended.
  std::vector<Ended> WaitEnded(size_t n, milliseconds timeout) const;

 private:
  void Serve(int fd);
  const Mode mode_;
  const size_t payload_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> accepted_{0};
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::vector<std::thread> sessions_;
  std::vector<Ended> ended_;
};

// An HTTP/1.1 upstream (Beast parser, raw responses). By path:
//   /cl?n=N         N bytes 'x' with Content-Length
//   /chunked?n=N    N bytes in chunks of 1000 (with an extension and a trailer)
//   /close?n=N      N bytes, then close (no Content-Length: "until close" framing)
//   /echo           the request body back (Content-Length)
//   /continue       "100 Continue", then 200 "ok"
//   anything else   200 "ok"
// HEAD gets the head of the same response. Keep-alive as the request asks.
class HttpUpstream {
 public:
  HttpUpstream();
  ~HttpUpstream();
  HttpUpstream(const HttpUpstream&) = delete;
  HttpUpstream& operator=(const HttpUpstream&) = delete;

  int port() const { return port_; }
  int64_t requests() const { return requests_.load(); }
  std::vector<std::string> targets() const;  // "METHOD /path?query", in order

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  std::atomic<int64_t> requests_{0};
  mutable std::mutex mu_;
  std::vector<std::string> targets_;
  friend class Impl;
};

// Dependency and fault builders.
scenario::Dependency Upstream(const std::string& name, int port, bool http = false);
scenario::DependencyFault Fault(scenario::DependencyFault::Kind kind, const std::string& dependency);

// Starts a proxy or fails the test (ASSERT in the caller: check the pointer).
std::unique_ptr<ChaosProxy> StartProxy(const std::vector<scenario::Dependency>& dependencies, ProxyOptions options = {});

// Polls `condition` every 2 ms until true or `timeout`.
bool Eventually(const std::function<bool()>& condition, milliseconds timeout = milliseconds(3000));

// The counters of one fault (by phase, dependency and index), or a zero row.
FaultStats FaultRow(const ChaosProxy& proxy, const std::string& phase, const std::string& dependency, int index);
DependencyStats DependencyRow(const ChaosProxy& proxy, const std::string& phase, const std::string& dependency);

// Median of `samples`.
double Median(std::vector<double> samples);

}  // namespace leakgate::faults::proxy::testing
