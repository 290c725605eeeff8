// Client-side faults against the real Go example target, each checked from both sides.
//
// Method: every test runs one short phase in which (nearly) every request carries one
// fault, then reads what the Go server observed through the counters of
// examples/go-targets/leaky/observe.go (/debug/vars → "observe"): handlers whose request
// context was cancelled, body reads that ended in unexpected EOF, connections whose reads
// ended in EOF or in a reset, malformed requests answered by net/http itself. A fault is
// only "tested" when the server saw it, not just when the client believes it sent it.
#include <gtest/gtest.h>

#include "go_target_fixture.h"

namespace leakgate::load {
namespace fault_injection_test {

using namespace std::chrono_literals;
using scenario::Fault;

class FaultInjectionTest : public testing::GoTargetTest {
 protected:
  static Fault Make(Fault::Kind kind, double probability = 1.0) {
    Fault f;
    f.kind = kind;
    f.scope.probability = probability;
    return f;
  }
  static int64_t Faulted(const PhaseLoadResult& r, Fault::Kind kind) {
    return r.stats.faulted[static_cast<size_t>(kind)];
  }
};

TEST_F(FaultInjectionTest, CancelAfterARandomDelayCancelsTheHandlersContext) {
  StartTarget("fixed");
  auto phase = Phase(100, 500ms);
  phase.cancel.push_back({5ms, 1.0, {}, 40ms});  // after ∈ [5ms, 40ms]
  const auto r = RunPhase(phase, Traffic("/slow?ms=1000"), url_);
  EXPECT_EQ(r.stats.sent, 50);
  EXPECT_EQ(r.stats.cancelled, 50);
  EXPECT_EQ(r.stats.errors(), 0) << "a planned cancel is not an error";
  EXPECT_EQ(Faulted(r, Fault::kCancel), 50);
  EXPECT_GE(ObservedEventually("slow_cancelled", 50), 50) << "every handler saw its context cancelled";
  EXPECT_EQ(Observed("slow_completed"), 0);
}

TEST_F(FaultInjectionTest, ResetSendsRstAndTheServerReadsConnectionReset) {
  StartTarget("fixed");
  auto phase = Phase(100, 500ms);
  auto f = Make(Fault::kReset);
  f.after = {10ms, 10ms};
  phase.faults.push_back(f);
  const auto r = RunPhase(phase, Traffic("/slow?ms=1000"), url_);
  EXPECT_EQ(r.stats.cancelled, 50);
  EXPECT_GE(ObservedEventually("conn_read_reset", 45), 45) << "the server's reads failed with ECONNRESET, not EOF";
  EXPECT_GE(ObservedEventually("slow_cancelled", 45), 45);
}

TEST_F(FaultInjectionTest, DeadlineOnAShareOfRequests) {
  StartTarget("fixed");
  auto phase = Phase(200, 500ms);
  auto f = Make(Fault::kDeadline, 0.5);
  f.after = {20ms, 20ms};
  phase.faults.push_back(f);
  const auto r = RunPhase(phase, Traffic("/slow?ms=100"), url_);
  EXPECT_EQ(r.stats.sent, 100);
  EXPECT_EQ(r.stats.cancelled + r.stats.ok, 100);
  EXPECT_NEAR(static_cast<double>(r.stats.cancelled), 50.0, 20.0);
  EXPECT_EQ(r.stats.errors_by_kind[static_cast<size_t>(stats::ErrorKind::kTimeout)], 0)
      << "a deadline fault is planned, not a timeout error";
  EXPECT_GE(ObservedEventually("slow_cancelled", r.stats.cancelled), r.stats.cancelled);
}

TEST_F(FaultInjectionTest, SlowSendTricklesTheBody) {
  StartTarget("fixed");
  auto phase = Phase(20, 500ms);
  auto f = Make(Fault::kSlowSend);
  f.bytes = 40;
  f.interval = 10ms;
  phase.faults.push_back(f);
  // ~100 header bytes + 400 body bytes at 40 bytes / 10 ms: the body takes ≈ 100 ms to arrive.
  const auto r = RunPhase(phase, Traffic("/echo", "POST", std::string(400, 'x')), url_);
  EXPECT_EQ(r.stats.ok, 10);
  EXPECT_EQ(Observed("echo_bytes"), 4000);
  EXPECT_EQ(Observed("echo_slow_bodies"), 10) << "every body took > 50 ms to read";
  EXPECT_GT(r.stats.uncorrected.QuantileNanos(0.5), 80'000'000);
}

TEST_F(FaultInjectionTest, SlowReadStretchesTheServersWrites) {
  StartTarget("fixed");
  auto phase = Phase(2, 500ms);
  phase.workers = 1;
  auto f = Make(Fault::kSlowRead);
  f.bytes = 128 << 10;
  f.interval = 10ms;
  phase.faults.push_back(f);
  // 8 MiB at 128 KiB / 10 ms: ≈ 650 ms to read; the server's send buffer (≤ 4 MiB) cannot
  // absorb it, so its writes block for hundreds of milliseconds.
  const auto r = RunPhase(phase, Traffic("/stream?chunks=128&size=65536"), url_);
  EXPECT_EQ(r.stats.ok, 1);
  EXPECT_GE(ObservedEventually("stream_completed", 1), 1);
  EXPECT_GE(Observed("stream_max_ms"), 200) << "the server's writes blocked on the slow reader";
  EXPECT_GT(r.stats.uncorrected.QuantileNanos(0.5), 400'000'000);
}

TEST_F(FaultInjectionTest, AbandonBodyMakesTheServersWritesFail) {
  StartTarget("fixed");
  auto phase = Phase(20, 500ms);
  phase.faults.push_back(Make(Fault::kAbandonBody));
  // 16 MiB per response: far more than the socket buffers hold, so writes must fail.
  const auto r = RunPhase(phase, Traffic("/stream?chunks=256&size=65536"), url_);
  EXPECT_EQ(r.stats.cancelled, 10);
  EXPECT_GE(ObservedEventually("stream_write_errors", 10), 10);
  EXPECT_EQ(Observed("stream_completed"), 0);
}

TEST_F(FaultInjectionTest, HalfCloseIsSeenAsEofWhileTheHandlerRuns) {
  StartTarget("fixed");
  auto phase = Phase(20, 500ms);
  phase.faults.push_back(Make(Fault::kHalfClose));
  const auto r = RunPhase(phase, Traffic("/slow?ms=300"), url_);
  EXPECT_EQ(r.stats.sent, 10);
  EXPECT_EQ(r.stats.errors(), 0);
  EXPECT_GE(ObservedEventually("conn_read_eof", 10), 10) << "the server read EOF after the request";
  // net/http cancels the request context when the client's side of the connection ends.
  EXPECT_GE(ObservedEventually("slow_cancelled", 10), 10);
}

TEST_F(FaultInjectionTest, TruncateBodyThenCloseGivesUnexpectedEof) {
  StartTarget("fixed");
  auto phase = Phase(20, 500ms);
  auto f = Make(Fault::kTruncateBody);
  f.keep = 0.5;
  phase.faults.push_back(f);
  const auto r = RunPhase(phase, Traffic("/echo", "POST", std::string(1000, 'x')), url_);
  EXPECT_EQ(r.stats.cancelled, 10);
  EXPECT_GE(ObservedEventually("echo_unexpected_eof", 10), 10);
  EXPECT_EQ(Observed("echo_ok"), 0);
}

TEST_F(FaultInjectionTest, TruncateBodyThenWaitHoldsTheHandlerInItsRead) {
  StartTarget("fixed");
  auto phase = Phase(20, 250ms);
  auto f = Make(Fault::kTruncateBody);
  f.keep = 0.2;
  f.then_wait = true;
  f.wait = 200ms;
  phase.faults.push_back(f);
  const auto started = std::chrono::steady_clock::now();
  const auto r = RunPhase(phase, Traffic("/echo", "POST", std::string(1000, 'x')), url_);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 400ms) << "the last request held its connection 200 ms";
  EXPECT_EQ(r.stats.cancelled, 5);
  EXPECT_GE(ObservedEventually("echo_unexpected_eof", 5), 5);
}

TEST_F(FaultInjectionTest, MalformedRequestsAreRejectedByNetHttp) {
  StartTarget("fixed");
  for (const std::string kind : {"request_line", "header", "version"}) {
    const int64_t before = Observed("bad_requests");
    auto phase = Phase(20, 500ms);
    auto f = Make(Fault::kMalformed);
    f.malformed = kind;
    phase.faults.push_back(f);
    const auto r = RunPhase(phase, Traffic("/hello"), url_);
    EXPECT_EQ(r.stats.cancelled, 10) << kind;
    EXPECT_EQ(r.stats.ok, 0) << kind;
    EXPECT_EQ(ObservedEventually("bad_requests", before + 10) - before, 10) << kind;
  }
}

TEST_F(FaultInjectionTest, FaultsLimitedToNamedTraffic) {
  StartTarget("fixed");
  auto traffic = Traffic("/slow?ms=200");
  traffic.front().name = "slow";
  scenario::Traffic fast;
  fast.name = "fast";
  fast.path = "/hello";
  traffic.push_back(fast);
  auto phase = Phase(200, 500ms);
  auto f = Make(Fault::kReset);
  f.scope.traffic = {"slow"};
  phase.faults.push_back(f);
  const auto r = RunPhase(phase, traffic, url_);
  EXPECT_EQ(r.stats.sent, 100);
  EXPECT_EQ(Faulted(r, Fault::kReset), r.stats.cancelled);
  EXPECT_EQ(r.stats.ok + r.stats.cancelled, 100);
  EXPECT_GT(r.stats.ok, 20);
  EXPECT_GT(r.stats.cancelled, 20);
}

}  // namespace fault_injection_test
}  // namespace leakgate::load
