// TCP faults of the chaos proxy, each measured through real loopback sockets.
//
// Method: a real peer (an echo server, a server that sends N bytes and closes, or one
// that swallows and records how its connections ended) sits behind the proxy; a blocking
// client with deadlines talks to it through the proxy, and where a fault changes timing
// the same exchange is also made directly, in the same test, so that what is asserted is
// the difference the proxy made (added latency, achieved rate), as a ratio of what was
// asked. What the client sees is what the kernel says: bytes, EOF, ECONNRESET,
// ECONNREFUSED, or nothing within a bound. Every fault is then turned off by a phase
// change and the healed behaviour checked, and the proxy's counters are compared with
// what the peers observed.
#include <gtest/gtest.h>

#include <cerrno>

#include "proxy_test_support.h"

namespace leakgate::faults::proxy::testing {
namespace tcp_faults_test {

using namespace std::chrono_literals;
using scenario::DependencyFault;
using K = DependencyFault::Kind;
using D = DependencyFault::Direction;

// Median round trip of `n` 16-byte pings on one connection, in ms.
double MedianRtt(int port, int n) {
  RawClient c = ConnectOrFail(port);
  std::vector<double> rtts;
  const std::string ping(16, 'p');
  for (int i = 0; i < n; ++i) {
    const auto t0 = Clock::now();
    if (!c.SendAll(ping)) break;
    const RawClient::Read r = c.ReadExactly(ping.size(), 3000ms);
    if (r.bytes.size() != ping.size()) break;
    rtts.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  EXPECT_EQ(static_cast<int>(rtts.size()), n);
  return Median(rtts);
}

// Seconds from connect to EOF while reading everything the server sends.
double SecondsToDrain(int port, size_t expect_bytes) {
  const auto t0 = Clock::now();
  RawClient c = ConnectOrFail(port);
  const RawClient::Read r = c.ReadUntilClose(10s);
  EXPECT_TRUE(r.eof);
  EXPECT_EQ(r.bytes.size(), expect_bytes);
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

TEST(ProxyTcpFaults, LatencyAddsTheAskedDelayPerDirectionAndStopsWithItsPhase) {
  TcpServer echo(TcpServer::Mode::kEcho);
  auto proxy = StartProxy({Upstream("echo", echo.port())});
  ASSERT_TRUE(proxy);
  const double direct = MedianRtt(echo.port(), 7);

  auto f = Fault(K::kLatency, "echo");
  f.delay = 40ms;
  f.direction = D::kDownstream;
  ASSERT_TRUE(proxy->SetPhase("slow-down", {f}).ok());
  const double one_way = MedianRtt(proxy->Port("echo"), 7) - direct;
  EXPECT_NEAR(one_way, 40.0, 4.0) << "downstream only: one delay per round trip";

  f.direction = D::kBoth;
  ASSERT_TRUE(proxy->SetPhase("slow-both", {f}).ok());
  const double both = MedianRtt(proxy->Port("echo"), 5) - direct;
  EXPECT_NEAR(both, 80.0, 8.0) << "both directions: the delay twice per round trip";

  ASSERT_TRUE(proxy->SetPhase("calm", {}).ok());
  EXPECT_LT(MedianRtt(proxy->Port("echo"), 7) - direct, 4.0) << "no latency outside its phases";

  const FaultStats row = FaultRow(*proxy, "slow-down", "echo", 0);
  EXPECT_EQ(row.fault, "latency");
  EXPECT_EQ(row.connections, 1);
  EXPECT_EQ(row.bytes_delayed, 7 * 16) << "only the echoed bytes (downstream) were delayed";
}

TEST(ProxyTcpFaults, DataDelayedByLatencyKeepsItsDueTimeWhenThePhaseEnds) {
  TcpServer echo(TcpServer::Mode::kEcho);
  auto proxy = StartProxy({Upstream("echo", echo.port())});
  ASSERT_TRUE(proxy);
  auto f = Fault(K::kLatency, "echo");
  f.delay = 300ms;
  f.direction = D::kDownstream;
  ASSERT_TRUE(proxy->SetPhase("slow", {f}).ok());
  RawClient c = ConnectOrFail(proxy->Port("echo"));
  ASSERT_TRUE(c.ok());
  const auto t0 = Clock::now();
  ASSERT_TRUE(c.SendAll("late"));
  ASSERT_TRUE(Eventually([&] { return FaultRow(*proxy, "slow", "echo", 0).bytes_delayed == 4; }));
  ASSERT_TRUE(proxy->SetPhase("healed", {}).ok());
  EXPECT_EQ(c.ReadExactly(4, 2000ms).bytes, "late");
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  EXPECT_NEAR(ms, 300.0, 30.0) << "in flight when the fault ended: still delivered at its due time";
  const auto t1 = Clock::now();
  ASSERT_TRUE(c.SendAll("now"));
  EXPECT_EQ(c.ReadExactly(3, 2000ms).bytes, "now");
  const double again_ms = std::chrono::duration<double, std::milli>(Clock::now() - t1).count();
  EXPECT_LT(again_ms, 30.0) << "new data is not delayed";
}

TEST(ProxyTcpFaults, LatencyJitterDrawsEachChunkWithinDelayPlusMinusJitter) {
  TcpServer echo(TcpServer::Mode::kEcho);
  auto proxy = StartProxy({Upstream("echo", echo.port())});
  ASSERT_TRUE(proxy);
  auto f = Fault(K::kLatency, "echo");
  f.delay = 30ms;
  f.jitter = 10ms;
  f.direction = D::kDownstream;
  ASSERT_TRUE(proxy->SetPhase("jitter", {f}).ok());
  RawClient c = ConnectOrFail(proxy->Port("echo"));
  ASSERT_TRUE(c.ok());
  double low = 1e9, high = 0;
  for (int i = 0; i < 15; ++i) {
    const auto t0 = Clock::now();
    ASSERT_TRUE(c.SendAll("j"));
    ASSERT_EQ(c.ReadExactly(1, 2000ms).bytes, "j");
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    low = std::min(low, ms);
    high = std::max(high, ms);
  }
  EXPECT_GE(low, 20.0 * 0.95);
  EXPECT_LE(high, 40.0 * 1.1 + 2.0);
  EXPECT_GT(high - low, 4.0) << "15 draws from 30 ± 10 ms do not all land within 4 ms";
}

TEST(ProxyTcpFaults, BandwidthPacesToTheAskedRateWithinTenPercent) {
  constexpr size_t kBytes = 1'000'000;
  constexpr int64_t kRate = 2'000'000;  // bytes/s: 0.5 s for the payload
  TcpServer source(TcpServer::Mode::kSendThenClose, kBytes);
  auto proxy = StartProxy({Upstream("src", source.port())});
  ASSERT_TRUE(proxy);
  const double direct = SecondsToDrain(source.port(), kBytes);
  auto f = Fault(K::kBandwidth, "src");
  f.rate = kRate;
  f.direction = D::kDownstream;
  ASSERT_TRUE(proxy->SetPhase("narrow", {f}).ok());
  const double through = SecondsToDrain(proxy->Port("src"), kBytes);
  const double achieved = static_cast<double>(kBytes) / (through - direct);
  EXPECT_NEAR(achieved / kRate, 1.0, 0.1) << "achieved " << achieved << " B/s in " << through << " s";
  EXPECT_EQ(FaultRow(*proxy, "narrow", "src", 0).bytes_delayed, static_cast<int64_t>(kBytes));

  ASSERT_TRUE(proxy->SetPhase("wide", {}).ok());
  EXPECT_LT(SecondsToDrain(proxy->Port("src"), kBytes), 0.2) << "no pacing outside the phase";
}

TEST(ProxyTcpFaults, BlackholeSwallowsForTheConnectionsLifetimeButNotNewOnes) {
  TcpServer echo(TcpServer::Mode::kEcho);
  auto proxy = StartProxy({Upstream("echo", echo.port())});
  ASSERT_TRUE(proxy);
  ASSERT_TRUE(proxy->SetPhase("hole", {Fault(K::kBlackhole, "echo")}).ok());
  RawClient c = ConnectOrFail(proxy->Port("echo"));
  ASSERT_TRUE(c.ok()) << "a blackhole accepts";
  ASSERT_TRUE(c.SendAll("ping"));
  RawClient::Read r = c.ReadSome(300ms);
  EXPECT_TRUE(r.timed_out) << "no byte, no EOF, no reset: the connection just hangs";

  ASSERT_TRUE(proxy->SetPhase("healed", {}).ok());
  ASSERT_TRUE(c.SendAll("ping"));
  EXPECT_TRUE(c.ReadSome(200ms).timed_out) << "a blackholed connection stays blackholed";
  EXPECT_GT(MedianRtt(proxy->Port("echo"), 3), 0.0) << "a new connection is relayed";

  const FaultStats row = FaultRow(*proxy, "hole", "echo", 0);
  EXPECT_EQ(row.connections, 1);
  EXPECT_EQ(row.bytes_dropped, 8) << "both pings, the second one after the phase ended";
}

TEST(ProxyTcpFaults, StallHoldsDataWhileOnAndDeliversItWhenThePhaseEnds) {
  TcpServer echo(TcpServer::Mode::kEcho);
  auto proxy = StartProxy({Upstream("echo", echo.port())});
  ASSERT_TRUE(proxy);
  auto f = Fault(K::kStall, "echo");
  f.direction = D::kDownstream;
  ASSERT_TRUE(proxy->SetPhase("stalled", {f}).ok());
  RawClient c = ConnectOrFail(proxy->Port("echo"));
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.SendAll("hello"));
  EXPECT_TRUE(c.ReadSome(300ms).timed_out) << "held while the stall is on";
  ASSERT_TRUE(proxy->SetPhase("flowing", {}).ok());
  const RawClient::Read r = c.ReadExactly(5, 1000ms);
  EXPECT_EQ(r.bytes, "hello") << "delivered, intact, once the stall ended";
  EXPECT_EQ(FaultRow(*proxy, "stalled", "echo", 0).bytes_held, 5);
}

TEST(ProxyTcpFaults, ResetIsSeenAsConnectionResetByBothPeers) {
  TcpServer echo(TcpServer::Mode::kEcho);
  auto proxy = StartProxy({Upstream("echo", echo.port())});
  ASSERT_TRUE(proxy);
  auto f = Fault(K::kReset, "echo");
  f.after = 100ms;
  ASSERT_TRUE(proxy->SetPhase("resets", {f}).ok());
  RawClient c = ConnectOrFail(proxy->Port("echo"));
  ASSERT_TRUE(c.ok());
  const auto t0 = Clock::now();
  ASSERT_TRUE(c.SendAll("x"));
  const RawClient::Read r = c.ReadSome(2000ms);
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  EXPECT_EQ(r.error, ECONNRESET);
  EXPECT_TRUE(r.bytes.empty()) << "the triggering data was held, then the connection reset";
  EXPECT_GE(ms, 100.0 * 0.95);
  EXPECT_LT(ms, 100.0 * 1.1 + 50.0);
  const auto ended = echo.WaitEnded(1, 2000ms);
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_TRUE(ended[0].reset) << "the upstream saw ECONNRESET too";
  EXPECT_EQ(ended[0].bytes, 0);
  EXPECT_EQ(FaultRow(*proxy, "resets", "echo", 0).connections_reset, 1);
}

TEST(ProxyTcpFaults, ResetAfterBytesLetsThemThroughThenResets) {
  TcpServer source(TcpServer::Mode::kSendThenClose, 100'000);
  auto proxy = StartProxy({Upstream("src", source.port())});
  ASSERT_TRUE(proxy);
  auto f = Fault(K::kReset, "src");
  f.after_bytes = 1000;
  f.direction = D::kDownstream;
  ASSERT_TRUE(proxy->SetPhase("cut", {f}).ok());
  RawClient c = ConnectOrFail(proxy->Port("src"));
  ASSERT_TRUE(c.ok());
  const RawClient::Read r = c.ReadUntilClose(2000ms);
  EXPECT_EQ(r.bytes.size(), 1000u);
  EXPECT_EQ(r.error, ECONNRESET);
}

TEST(ProxyTcpFaults, ResetOnAShareOfConnections) {
  TcpServer echo(TcpServer::Mode::kEcho);
  auto proxy = StartProxy({Upstream("echo", echo.port())});
  ASSERT_TRUE(proxy);
  auto f = Fault(K::kReset, "echo");
  f.probability = 0.3;
  ASSERT_TRUE(proxy->SetPhase("flaky", {f}).ok());
  constexpr int kConnections = 400;  // σ of the share ≈ 0.023: ±0.1 is 4σ
  int resets = 0;
  for (int i = 0; i < kConnections; ++i) {
    RawClient c = ConnectOrFail(proxy->Port("echo"));
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c.SendAll("x"));
    const RawClient::Read r = c.ReadSome(2000ms, 1);
    if (r.error == ECONNRESET) {
      ++resets;
    } else {
      ASSERT_EQ(r.bytes, "x") << "connection " << i << ": neither echoed nor reset";
    }
  }
  EXPECT_NEAR(resets / static_cast<double>(kConnections), 0.3, 0.1);
  EXPECT_TRUE(Eventually([&] { return FaultRow(*proxy, "flaky", "echo", 0).connections_reset == resets; }));
}

TEST(ProxyTcpFaults, SlowCloseHoldsTheFin) {
  TcpServer source(TcpServer::Mode::kSendThenClose, 10);
  auto proxy = StartProxy({Upstream("src", source.port())});
  ASSERT_TRUE(proxy);
  auto f = Fault(K::kSlowClose, "src");
  f.delay = 200ms;
  ASSERT_TRUE(proxy->SetPhase("lingering", {f}).ok());
  const auto t0 = Clock::now();
  RawClient c = ConnectOrFail(proxy->Port("src"));
  ASSERT_TRUE(c.ok());
  const RawClient::Read data = c.ReadExactly(10, 1000ms);
  const double data_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  EXPECT_EQ(data.bytes.size(), 10u);
  EXPECT_LT(data_ms, 100.0) << "the data is not held, only the close";
  const RawClient::Read rest = c.ReadUntilClose(2000ms);
  const double eof_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  EXPECT_TRUE(rest.eof);
  EXPECT_GE(eof_ms, 200.0 * 0.95);
  EXPECT_LT(eof_ms, 200.0 * 1.1 + 50.0);
}

TEST(ProxyTcpFaults, SlicerSplitsIntoSegmentsWithPausesBetween) {
  constexpr size_t kBytes = 2000;
  TcpServer source(TcpServer::Mode::kSendThenClose, kBytes);
  auto proxy = StartProxy({Upstream("src", source.port())});
  ASSERT_TRUE(proxy);
  auto f = Fault(K::kSlicer, "src");
  f.size = 100;
  f.delay = 10ms;
  ASSERT_TRUE(proxy->SetPhase("sliced", {f}).ok());
  const auto t0 = Clock::now();
  RawClient c = ConnectOrFail(proxy->Port("src"));
  ASSERT_TRUE(c.ok());
  std::vector<double> sizes;
  size_t total = 0;
  for (int i = 0; i < 200 && total < kBytes; ++i) {
    const RawClient::Read r = c.ReadSome(1000ms);
    if (r.bytes.empty()) break;
    sizes.push_back(static_cast<double>(r.bytes.size()));
    total += r.bytes.size();
  }
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  EXPECT_EQ(total, kBytes);
  EXPECT_LE(Median(sizes), 100.0) << "reads see the 100-byte segments";
  EXPECT_GE(ms, 19 * 10.0 * 0.9) << "19 pauses of 10 ms between 20 segments";
  EXPECT_TRUE(c.ReadUntilClose(1000ms).eof);
}

TEST(ProxyTcpFaults, LimitDataClosesAfterTheAskedBytesInEachDirection) {
  TcpServer source(TcpServer::Mode::kSendThenClose, 10'000);
  TcpServer sink(TcpServer::Mode::kSwallow);
  auto proxy = StartProxy({Upstream("src", source.port()), Upstream("sink", sink.port())});
  ASSERT_TRUE(proxy);
  auto down = Fault(K::kLimitData, "src");
  down.bytes = 3000;
  down.direction = D::kDownstream;
  auto up = Fault(K::kLimitData, "sink");
  up.bytes = 2500;
  up.direction = D::kUpstream;
  ASSERT_TRUE(proxy->SetPhase("limited", {down, up}).ok());

  RawClient from = ConnectOrFail(proxy->Port("src"));
  ASSERT_TRUE(from.ok());
  const RawClient::Read r = from.ReadUntilClose(2000ms);
  EXPECT_EQ(r.bytes.size(), 3000u);
  EXPECT_TRUE(r.eof) << "closed (FIN) once the limit was reached";

  RawClient to = ConnectOrFail(proxy->Port("sink"));
  ASSERT_TRUE(to.ok());
  to.SendAll(std::string(10'000, 's'));
  EXPECT_TRUE(to.ReadUntilClose(2000ms).eof);
  const auto ended = sink.WaitEnded(1, 2000ms);
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].bytes, 2500) << "the upstream got exactly the limit";

  EXPECT_EQ(FaultRow(*proxy, "limited", "src", 0).connections_closed, 1);
  EXPECT_EQ(FaultRow(*proxy, "limited", "sink", 1).connections_closed, 1);
}

TEST(ProxyTcpFaults, DownRefusesConnectsClosesExistingOnesAndHeals) {
  TcpServer echo(TcpServer::Mode::kEcho);
  auto proxy = StartProxy({Upstream("echo", echo.port())});
  ASSERT_TRUE(proxy);
  RawClient before = ConnectOrFail(proxy->Port("echo"));
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(before.SendAll("a"));
  ASSERT_EQ(before.ReadExactly(1, 1000ms).bytes, "a");

  ASSERT_TRUE(proxy->SetPhase("outage", {Fault(K::kDown, "echo")}).ok());
  EXPECT_TRUE(before.ReadSome(1000ms).eof) << "an existing connection is closed";
  int err = 0;
  RawClient refused = RawClient::Connect(proxy->Port("echo"), &err);
  EXPECT_EQ(err, ECONNREFUSED);

  ASSERT_TRUE(proxy->SetPhase("healed", {}).ok());
  RawClient after = RawClient::Connect(proxy->Port("echo"), &err);
  ASSERT_EQ(err, 0) << "the listener accepts again on the same port";
  ASSERT_TRUE(after.SendAll("b"));
  EXPECT_EQ(after.ReadExactly(1, 1000ms).bytes, "b");
  EXPECT_EQ(FaultRow(*proxy, "outage", "echo", 0).connections_closed, 1);
}

}  // namespace tcp_faults_test
}  // namespace leakgate::faults::proxy::testing
