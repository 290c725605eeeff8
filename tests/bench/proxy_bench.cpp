// Chaos proxy throughput with no fault, beside a direct connection, in one run (issue 10:
// "it never becomes the bottleneck").
//
//   BM_Stream/direct|proxy        4 long connections, each reading 64 MiB the server sends
//                                 as fast as it can: MB/s
//   BM_ShortConnections/direct|proxy
//                                 2 client threads, each connect, 1-byte echo, close: conn/s
//
// Both servers are Asio coroutines on one thread of their own; the clients are blocking
// sockets, one thread each. The proxy runs with its default single worker (and once with
// two, `proxy2`). After the runs the ratios proxy / direct are printed. Build and run in
// Release (see CMakeLists.txt):
//   build-release/bin/leakgate_proxy_bench --benchmark_min_time=2
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "harness/faults/proxy/chaos_proxy.h"

namespace {

namespace asio = boost::asio;
using leakgate::faults::proxy::ChaosProxy;
using leakgate::faults::proxy::ProxyOptions;

constexpr size_t kStreamBytes = 64u << 20;  // per long connection
constexpr int kStreams = 4;
constexpr int kShortClients = 2;
constexpr int kShortPerIteration = 500;     // connections per client thread per iteration

// A loopback server on its own thread: kSource writes kStreamBytes on accept then closes;
// kEcho echoes until the peer closes.
class Server {
 public:
  enum class Mode { kSource, kEcho };
  explicit Server(Mode mode) : mode_(mode), acceptor_(io_, {asio::ip::address_v4::loopback(), 0}) {
    asio::co_spawn(io_, Accept(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Server() {
    io_.stop();
    thread_.join();
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  int port() const { return acceptor_.local_endpoint().port(); }

 private:
  asio::awaitable<void> Accept() {
    for (;;) {
      auto [ec, s] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      asio::co_spawn(io_, mode_ == Mode::kSource ? Source(std::move(s)) : Echo(std::move(s)), asio::detached);
    }
  }
  static asio::awaitable<void> Source(asio::ip::tcp::socket s) {
    const std::string block(256 * 1024, 's');
    for (size_t sent = 0; sent < kStreamBytes; sent += block.size()) {
      auto [ec, n] = co_await asio::async_write(s, asio::buffer(block), asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
    }
    boost::system::error_code ignored;
    s.shutdown(asio::socket_base::shutdown_send, ignored);
    char sink[64];
    co_await s.async_read_some(asio::buffer(sink), asio::as_tuple(asio::use_awaitable));  // until the client closes
  }
  static asio::awaitable<void> Echo(asio::ip::tcp::socket s) {
    char buf[4096];
    for (;;) {
      auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      std::tie(ec, n) = co_await asio::async_write(s, asio::buffer(buf, n), asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
    }
  }

  const Mode mode_;
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
};

int Connect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval tv{5, 0};  // a bound on every read of the benchmark
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

// Reads until EOF; the bytes read.
size_t Drain(int fd) {
  std::vector<char> buf(256 * 1024);
  size_t total = 0;
  for (;;) {
    const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n <= 0) return total;
    total += static_cast<size_t>(n);
  }
}

// Runs `body` on `n` threads and waits for them.
template <typename Body>
void OnThreads(int n, const Body& body) {
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) threads.emplace_back(body);
  for (auto& t : threads) t.join();
}

// The port to use: the server's, or a proxy's in front of it (kept in `proxy`).
int Target(const Server& server, int proxy_threads, std::unique_ptr<ChaosProxy>& proxy) {
  if (proxy_threads == 0) return server.port();
  leakgate::scenario::Dependency d;
  d.name = "dep";
  d.upstream_host = "127.0.0.1";
  d.upstream_port = server.port();
  ProxyOptions options;
  options.threads = proxy_threads;
  auto started = ChaosProxy::Start({d}, options);
  if (!started.ok()) return -1;
  proxy = std::move(*started);
  return proxy->Port("dep");
}

void BM_Stream(benchmark::State& state, int proxy_threads) {
  Server server(Server::Mode::kSource);
  std::unique_ptr<ChaosProxy> proxy;
  const int port = Target(server, proxy_threads, proxy);
  if (port <= 0) return state.SkipWithError("proxy did not start");
  size_t bytes = 0;
  for (auto _ : state) {
    std::atomic<size_t> got{0};
    OnThreads(kStreams, [&] {
      const int fd = Connect(port);
      if (fd < 0) return;
      got += Drain(fd);
      ::close(fd);
    });
    if (got != kStreams * kStreamBytes) return state.SkipWithError("a stream ended early");
    bytes += got;
  }
  state.counters["MB/s"] = benchmark::Counter(static_cast<double>(bytes) / 1e6, benchmark::Counter::kIsRate);
}

void BM_ShortConnections(benchmark::State& state, int proxy_threads) {
  Server server(Server::Mode::kEcho);
  std::unique_ptr<ChaosProxy> proxy;
  const int port = Target(server, proxy_threads, proxy);
  if (port <= 0) return state.SkipWithError("proxy did not start");
  int64_t connections = 0;
  for (auto _ : state) {
    std::atomic<int64_t> done{0};
    OnThreads(kShortClients, [&] {
      for (int k = 0; k < kShortPerIteration; ++k) {
        const int fd = Connect(port);
        if (fd < 0) continue;
        char c = 'x';
        if (::send(fd, &c, 1, MSG_NOSIGNAL) == 1 && ::recv(fd, &c, 1, 0) == 1) ++done;
        ::close(fd);
      }
    });
    if (done != kShortClients * kShortPerIteration) return state.SkipWithError("an exchange failed");
    connections += done;
  }
  state.counters["conn/s"] = benchmark::Counter(static_cast<double>(connections), benchmark::Counter::kIsRate);
}

// Prints what the console reporter prints, then proxy / direct for each counter.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      for (const auto& [name, counter] : r.counters) values_[r.benchmark_name()][name] = counter.value;
    }
  }
  void PrintRatios() const {
    std::printf("\nproxy / direct (no fault):\n");
    for (const char* bench : {"BM_Stream", "BM_ShortConnections"}) {
      const auto direct = values_.find(std::string(bench) + "/direct/real_time");
      if (direct == values_.end()) continue;
      for (const char* variant : {"proxy", "proxy2"}) {
        const auto via = values_.find(std::string(bench) + "/" + variant + "/real_time");
        if (via == values_.end()) continue;
        for (const auto& [counter, value] : direct->second) {
          const double through = via->second.at(counter);
          std::printf("  %-20s %-7s %12.0f %s vs %12.0f direct: %.2f\n", bench, variant, through, counter.c_str(), value,
                      value > 0 ? through / value : 0.0);
        }
      }
    }
  }

 private:
  std::map<std::string, std::map<std::string, double>> values_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  // The variant's number is the proxy's worker threads; direct = no proxy.
  const std::pair<const char*, int> variants[] = {{"direct", 0}, {"proxy", 1}, {"proxy2", 2}};
  for (const auto& [name, threads] : variants) {
    benchmark::RegisterBenchmark((std::string("BM_Stream/") + name).c_str(), BM_Stream, threads)
        ->UseRealTime()->Unit(benchmark::kMillisecond);
  }
  for (const auto& [name, threads] : variants) {
    benchmark::RegisterBenchmark((std::string("BM_ShortConnections/") + name).c_str(), BM_ShortConnections, threads)
        ->UseRealTime()->Unit(benchmark::kMillisecond);
  }
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintRatios();
  benchmark::Shutdown();
  return 0;
}
