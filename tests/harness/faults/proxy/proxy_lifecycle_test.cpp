// The chaos proxy's contract around its faults: what Start() and SetPhase() accept, the
// counters per phase, the fault log, the bounds on idle connections and on Stop(), and
// its behaviour with several workers while phases change under traffic.
//
// Method: real loopback peers as in the fault tests; the counters and the log are read
// through the public API and compared with what the peers observed; bounds are checked
// eventually (poll until true or a deadline), never by sleeping and counting.
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "proxy_test_support.h"

namespace leakgate::faults::proxy::testing {
namespace proxy_lifecycle_test {

using namespace std::chrono_literals;
using scenario::DependencyFault;
using K = DependencyFault::Kind;

TEST(ProxyLifecycle, StartRejectsMalformedDependencies) {
  scenario::Dependency none;
  none.name = "x";
  EXPECT_EQ(ChaosProxy::Start({none}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ChaosProxy::Start({Upstream("a", 1), Upstream("a", 2)}).status().code(), StatusCode::kInvalidArgument);
  auto named = Upstream("a", 80);
  named.upstream_host = "example.com";
  const auto r = ChaosProxy::Start({named});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << "names are resolved by the loader, after its host check";
  EXPECT_NE(r.status().message().find("example.com"), std::string::npos);
  scenario::Dependency grpc_http;
  grpc_http.name = "g";
  grpc_http.grpc_stub = scenario::GrpcStub{};
  grpc_http.http = true;
  EXPECT_EQ(ChaosProxy::Start({grpc_http}).status().code(), StatusCode::kInvalidArgument);
}

TEST(ProxyLifecycle, ListensOnTheAllocatedPortOrAnEphemeralOne) {
  TcpServer echo(TcpServer::Mode::kEcho);
  auto probe = StartProxy({Upstream("a", echo.port())});
  ASSERT_TRUE(probe);
  const int port = probe->Port("a");
  EXPECT_GT(port, 0);
  EXPECT_EQ(probe->Address("a"), "127.0.0.1:" + std::to_string(port));
  EXPECT_EQ(probe->Address("nope"), "");
  probe.reset();
  auto fixed = Upstream("a", echo.port());
  fixed.listen_port = port;  // free again: the loader's allocated port
  auto proxy = StartProxy({fixed});
  ASSERT_TRUE(proxy);
  EXPECT_EQ(proxy->Port("a"), port);
}

TEST(ProxyLifecycle, SetPhaseRejectsFaultsItCannotApplyAndKeepsThePreviousPhase) {
  TcpServer echo(TcpServer::Mode::kEcho);
  auto proxy = StartProxy({Upstream("tcp", echo.port())});
  ASSERT_TRUE(proxy);
  auto latency = Fault(K::kLatency, "tcp");
  latency.delay = 80ms;
  latency.direction = DependencyFault::Direction::kDownstream;
  ASSERT_TRUE(proxy->SetPhase("slow", {latency}).ok());

  const Status unknown = proxy->SetPhase("bad", {Fault(K::kBlackhole, "nope")});
  EXPECT_EQ(unknown.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.message().find("\"nope\""), std::string::npos) << unknown.message();
  EXPECT_EQ(proxy->SetPhase("bad", {Fault(K::kHttpError, "tcp")}).code(), StatusCode::kInvalidArgument)
      << "HTTP faults need an HTTP relay";
  EXPECT_EQ(proxy->SetPhase("bad", {Fault(K::kBandwidth, "tcp")}).code(), StatusCode::kInvalidArgument) << "rate 0";
  auto odds = Fault(K::kReset, "tcp");
  odds.probability = 1.5;
  EXPECT_EQ(proxy->SetPhase("bad", {odds}).code(), StatusCode::kInvalidArgument);

  RawClient c = ConnectOrFail(proxy->Port("tcp"));
  ASSERT_TRUE(c.ok());
  const auto t0 = Clock::now();
  ASSERT_TRUE(c.SendAll("s"));
  ASSERT_EQ(c.ReadExactly(1, 2000ms).bytes, "s");
  EXPECT_GE(Clock::now() - t0, 80ms * 0.95) << "the phase before the rejected ones is still current";
  for (const PhaseStats& p : proxy->Stats()) EXPECT_NE(p.phase, "bad");
}

TEST(ProxyLifecycle, CountsPerPhaseAndLogsWhichFaultFiredWhen) {
  TcpServer echo(TcpServer::Mode::kEcho);
  HttpUpstream api;
  auto proxy = StartProxy({Upstream("echo", echo.port()), Upstream("api", api.port(), /*http=*/true)});
  ASSERT_TRUE(proxy);
  ASSERT_TRUE(proxy->SetPhase("resets", {Fault(K::kReset, "echo")}).ok());
  for (int i = 0; i < 3; ++i) {
    RawClient c = ConnectOrFail(proxy->Port("echo"));
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c.SendAll("r"));
    EXPECT_EQ(c.ReadSome(2000ms).error, ECONNRESET);
  }
  auto error = Fault(K::kHttpError, "api");
  error.status = 500;
  ASSERT_TRUE(proxy->SetPhase("errors", {Fault(K::kLatency, "echo"), error}).ok());
  HttpClient h(proxy->Port("api"));
  ASSERT_TRUE(h.ok());
  for (int i = 0; i < 4; ++i) EXPECT_EQ(h.Exchange(Get("/e")).status, 500u);

  ASSERT_TRUE(Eventually([&] { return FaultRow(*proxy, "resets", "echo", 0).connections_reset == 3; }));
  const auto stats = proxy->Stats();
  ASSERT_EQ(stats.size(), 2u) << "nothing happened before the first phase";
  EXPECT_EQ(stats[0].phase, "resets");
  EXPECT_EQ(stats[1].phase, "errors");
  EXPECT_EQ(DependencyRow(*proxy, "resets", "echo").connections, 3);
  EXPECT_EQ(DependencyRow(*proxy, "errors", "api").connections, 1);
  EXPECT_EQ(DependencyRow(*proxy, "errors", "api").requests, 4);
  const FaultStats http = FaultRow(*proxy, "errors", "api", 1);
  EXPECT_EQ(http.fault, "http_error");
  EXPECT_EQ(http.index, 1) << "the index is the fault's place in the phase's list";
  EXPECT_EQ(http.requests, 4);
  const FaultStats idle_latency = FaultRow(*proxy, "errors", "echo", 0);
  EXPECT_EQ(idle_latency.connections, 0) << "a fault that never acted counts nothing";

  const auto events = proxy->FaultLog();
  int phases = 0, resets = 0, answers = 0;
  std::chrono::nanoseconds last{0};
  for (const FaultEvent& e : events) {
    EXPECT_GE(e.at, last) << "in time order";
    last = e.at;
    if (e.fault == "phase") ++phases;
    if (e.fault == "reset") {
      ++resets;
      EXPECT_EQ(e.phase, "resets");
      EXPECT_EQ(e.dependency, "echo");
      EXPECT_GT(e.connection, 0u);
      EXPECT_NE(e.what.find("RST"), std::string::npos) << e.what;
    }
    if (e.fault == "http_error") {
      ++answers;
      EXPECT_EQ(e.what, "answering 500 to GET /e");
    }
  }
  EXPECT_EQ(phases, 2);
  EXPECT_EQ(resets, 3);
  EXPECT_EQ(answers, 4);

  const std::string path = ::testing::TempDir() + "/proxy-fault-log-" + std::to_string(::getpid()) + ".jsonl";
  ASSERT_TRUE(proxy->WriteFaultLog(path).ok());
  std::ifstream in(path);
  std::string line;
  size_t lines = 0;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line);
    EXPECT_TRUE(j.contains("t_ms") && j.contains("phase") && j.contains("fault") && j.contains("what")) << line;
    ++lines;
  }
  EXPECT_EQ(lines, events.size());
  EXPECT_FALSE(std::ifstream(path + ".tmp").good()) << "written to a temp file, then renamed";
  std::remove(path.c_str());
}

TEST(ProxyLifecycle, UpstreamThatRefusesClosesTheTargetsSide) {
  int dead_port = 0;
  {
    TcpServer gone(TcpServer::Mode::kEcho);
    dead_port = gone.port();
  }
  auto proxy = StartProxy({Upstream("dead", dead_port)});
  ASSERT_TRUE(proxy);
  RawClient c = ConnectOrFail(proxy->Port("dead"));
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c.ReadSome(2000ms).eof);
  ASSERT_TRUE(Eventually([&] {
    for (const auto& e : proxy->FaultLog()) {
      if (e.what.find("connect failed") != std::string::npos) return true;
    }
    return false;
  }));
}

TEST(ProxyLifecycle, IdleConnectionsAreClosedAfterTheIdleTimeout) {
  TcpServer echo(TcpServer::Mode::kEcho);
  ProxyOptions options;
  options.idle_timeout = 200ms;
  auto proxy = StartProxy({Upstream("echo", echo.port())}, options);
  ASSERT_TRUE(proxy);
  RawClient c = ConnectOrFail(proxy->Port("echo"));
  ASSERT_TRUE(c.ok());
  const auto t0 = Clock::now();
  EXPECT_TRUE(c.ReadSome(2000ms).eof);
  EXPECT_GE(Clock::now() - t0, 200ms * 0.95);
}

TEST(ProxyLifecycle, StopClosesEverythingWithinItsBound) {
  TcpServer echo(TcpServer::Mode::kEcho);
  ProxyOptions options;
  options.stop_timeout = 1s;
  auto proxy = StartProxy({Upstream("echo", echo.port())}, options);
  ASSERT_TRUE(proxy);
  auto stall = Fault(K::kStall, "echo");
  ASSERT_TRUE(proxy->SetPhase("stuck", {stall}).ok());
  std::vector<RawClient> clients;
  for (int i = 0; i < 20; ++i) {
    clients.push_back(ConnectOrFail(proxy->Port("echo")));
    ASSERT_TRUE(clients.back().ok());
    ASSERT_TRUE(clients.back().SendAll("held"));
  }
  ASSERT_TRUE(Eventually([&] { return FaultRow(*proxy, "stuck", "echo", 0).connections == 20; }));
  const auto t0 = Clock::now();
  proxy->Stop();
  EXPECT_LT(Clock::now() - t0, 1500ms);
  for (RawClient& c : clients) EXPECT_TRUE(c.ReadSome(1000ms).eof);
  EXPECT_EQ(proxy->SetPhase("after", {}).code(), StatusCode::kCancelled);
  EXPECT_EQ(FaultRow(*proxy, "stuck", "echo", 0).bytes_held, 20 * 4) << "counters outlive Stop()";
}

TEST(ProxyLifecycle, SeveralWorkersWhilePhasesChangeUnderTraffic) {
  TcpServer echo(TcpServer::Mode::kEcho);
  ProxyOptions options;
  options.threads = 3;
  auto proxy = StartProxy({Upstream("echo", echo.port())}, options);
  ASSERT_TRUE(proxy);
  std::atomic<bool> stop{false};
  std::atomic<int> echoed{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&] {
      for (int i = 0; i < 400 && !stop; ++i) {
        int err = 0;
        RawClient c = RawClient::Connect(proxy->Port("echo"), &err);
        if (err != 0 || !c.SendAll("w")) continue;
        if (c.ReadSome(2000ms).bytes == "w") ++echoed;
      }
    });
  }
  auto latency = Fault(K::kLatency, "echo");
  latency.delay = 1ms;
  auto slicer = Fault(K::kSlicer, "echo");
  slicer.size = 1;
  for (int round = 0; round < 30; ++round) {
    ASSERT_TRUE(proxy->SetPhase("a", {latency}).ok());
    (void)proxy->Stats();
    ASSERT_TRUE(proxy->SetPhase("b", {slicer}).ok());
    ASSERT_TRUE(proxy->SetPhase("c", {}).ok());
  }
  ASSERT_TRUE(Eventually([&] { return echoed.load() >= 400; }, 20s));
  stop = true;
  for (auto& t : clients) t.join();
  EXPECT_GE(echoed.load(), 400);
}

}  // namespace proxy_lifecycle_test
}  // namespace leakgate::faults::proxy::testing
