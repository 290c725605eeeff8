// The HTTP load engine against the real Go example target on a free loopback port:
// pacing (constant, ramp, replay), the closed model, connection policies, templates,
// keep-alive, deadlines, the in-flight bound, the timeline and run-wide stop. The
// client-side faults have their own file (fault_injection_test.cpp).
#include "harness/load/load_engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "go_target_fixture.h"

namespace leakgate::load {
namespace load_engine_test {

using namespace std::chrono_literals;

class LoadEngineTest : public testing::GoTargetTest {};

TEST_F(LoadEngineTest, OpenModelSendsTheAskedNumberOverKeepAlive) {
  StartTarget("fixed");
  const auto r = RunPhase(Phase(400, 1s), Traffic("/hello"), url_);
  EXPECT_EQ(r.stats.scheduled, 400);
  EXPECT_EQ(r.stats.sent, 400);
  EXPECT_EQ(r.stats.ok, 400);
  EXPECT_EQ(r.stats.errors(), 0);
  EXPECT_EQ(r.stats.corrected.count(), 400);
  EXPECT_LT(r.stats.connections_opened, 40) << "keep-alive connections are reused";
  EXPECT_GT(r.stats.corrected.QuantileNanos(0.5), 0);
}

TEST_F(LoadEngineTest, CancelFaultAbortsRequestsAndTheServerSeesIt) {
  StartTarget("leaky");
  const double before = Goroutines();
  auto phase = Phase(200, 1s);
  phase.cancel.push_back({10ms, 1.0, {}});
  // work=300ms: every request is still running when the client closes after 10 ms.
  const auto r = RunPhase(phase, Traffic("/leak/blocked-send?work=300&timeout=1000"), url_);
  EXPECT_EQ(r.stats.sent, 200);
  EXPECT_EQ(r.stats.cancelled, 200);
  EXPECT_EQ(r.stats.ok, 0);
  EXPECT_EQ(r.stats.errors(), 0) << "a planned cancel is not an error";
  // Each cancelled request made the leaky handler return early: its sender is stuck.
  double grown = 0;
  for (int i = 0; i < 150 && (grown = Goroutines() - before) < 190; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_GE(grown, 190) << "the server saw (almost) every cancellation";
}

TEST_F(LoadEngineTest, CancelProbabilityIsHonoured) {
  StartTarget("fixed");
  auto phase = Phase(500, 1s);
  phase.cancel.push_back({5ms, 0.3, {}});
  const auto r = RunPhase(phase, Traffic("/leak/blocked-send?work=50&timeout=1000"), url_);
  EXPECT_EQ(r.stats.sent, 500);
  EXPECT_EQ(r.stats.cancelled + r.stats.ok, 500);
  EXPECT_NEAR(static_cast<double>(r.stats.cancelled), 150.0, 45.0);
}

TEST_F(LoadEngineTest, DeadlineCountsTimeoutsNotCancellations) {
  StartTarget("fixed");
  auto phase = Phase(50, 500ms);
  phase.timeout = 50ms;
  const auto r = RunPhase(phase, Traffic("/leak/blocked-send?work=400&timeout=1000"), url_);
  EXPECT_EQ(r.stats.sent, 25);
  EXPECT_EQ(r.stats.errors_by_kind[static_cast<size_t>(stats::ErrorKind::kTimeout)], 25);
  EXPECT_EQ(r.stats.cancelled, 0);
}

TEST_F(LoadEngineTest, InFlightBoundDropsArrivalsInsteadOfQueueing) {
  StartTarget("fixed");
  auto phase = Phase(100, 1s);
  phase.max_in_flight = 5;
  phase.workers = 1;
  const auto r = RunPhase(phase, Traffic("/leak/blocked-send?work=500&timeout=1000"), url_);
  EXPECT_EQ(r.stats.scheduled, 100);
  EXPECT_GT(r.stats.dropped, 80);
  EXPECT_EQ(r.stats.sent + r.stats.dropped, 100);
}

TEST_F(LoadEngineTest, StopFlagEndsThePhaseEarly) {
  StartTarget("fixed");
  std::jthread stopper([this] {
    std::this_thread::sleep_for(300ms);
    stop_ = true;
  });
  const auto started = std::chrono::steady_clock::now();
  const auto r = RunPhase(Phase(100, 10s), Traffic("/leak/blocked-send?work=2000&timeout=5000"), url_);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  EXPECT_LT(r.stats.scheduled, 100);
  EXPECT_GT(r.stats.aborted, 0);
}

// Regression: stopping a closed-model phase waited out every user's think time.
TEST_F(LoadEngineTest, StopCutsThinkTimeShort) {
  StartTarget("fixed");
  auto phase = Phase(0, 30s);
  phase.concurrency = 4;
  phase.think_time = 20s;
  std::jthread stopper([this] {
    std::this_thread::sleep_for(300ms);
    stop_ = true;
  });
  const auto started = std::chrono::steady_clock::now();
  const auto r = RunPhase(phase, Traffic("/hello"), url_);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s) << "users thinking for 20 s stop at once";
  EXPECT_EQ(r.stats.ok, 4) << "one request per user, then the think time";
}

// A rate no machine keeps up with: the scheduler drops what it cannot send, stays
// responsive to a stop and ends on time instead of spinning through every arrival.
TEST_F(LoadEngineTest, AnAbsurdRateIsDroppedNotSpunThrough) {
  StartTarget("fixed");
  auto phase = Phase(1e9, 1s);
  phase.max_in_flight = 8;
  const auto started = std::chrono::steady_clock::now();
  const auto r = RunPhase(phase, Traffic("/hello"), url_);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_GT(r.stats.dropped, 900'000'000);
  EXPECT_EQ(r.stats.scheduled, r.stats.sent + r.stats.dropped);
  EXPECT_GT(r.stats.ok, 0);

  phase.duration = 60s;
  std::jthread stopper([this] {
    std::this_thread::sleep_for(300ms);
    stop_ = true;
  });
  const auto again = std::chrono::steady_clock::now();
  RunPhase(phase, Traffic("/hello"), url_);
  EXPECT_LT(std::chrono::steady_clock::now() - again, 3s) << "a stop ends a saturated phase";
}

TEST_F(LoadEngineTest, ErrorsAreClassifiedByKind) {
  StartTarget("fixed");
  const auto r = RunPhase(Phase(20, 500ms), Traffic("/no-such-path"), url_);
  EXPECT_EQ(r.stats.errors_by_kind[static_cast<size_t>(stats::ErrorKind::kStatus4xx)], 10);
  // Nobody listens on a fresh port: connect errors.
  const auto dead = "http://127.0.0.1:" + std::to_string(runner::AllocateLoopbackPort());
  const auto d = RunPhase(Phase(20, 500ms), Traffic("/hello"), dead);
  EXPECT_EQ(d.stats.errors_by_kind[static_cast<size_t>(stats::ErrorKind::kConnect)], 10);
}

// Closed-model users facing refused connects (the target died, a wrong port) back off,
// 1 ms doubling to 100 ms, instead of spinning: with 4 users over 600 ms that is at most
// ~12 attempts each (1+2+...+64+100+100+100 ms), where a spinning user makes thousands.
// Every attempt is still counted as a connect error.
TEST_F(LoadEngineTest, ClosedModelUsersBackOffFromRefusedConnects) {
  const auto dead = "http://127.0.0.1:" + std::to_string(runner::AllocateLoopbackPort());
  auto phase = Phase(0, 600ms);
  phase.concurrency = 4;
  const auto r = RunPhase(phase, Traffic("/hello"), dead);
  EXPECT_GE(r.stats.sent, 4 * 6);
  EXPECT_LE(r.stats.sent, 4 * 13);
  EXPECT_EQ(r.stats.errors_by_kind[static_cast<size_t>(stats::ErrorKind::kConnect)], r.stats.sent);
}

TEST_F(LoadEngineTest, RampingRateSendsTheIntegralOfTheRamp) {
  StartTarget("fixed");
  auto phase = Phase(100, 1s);
  phase.rate_to = 500;  // mean 300/s over 1 s
  const auto r = RunPhase(phase, Traffic("/hello"), url_);
  EXPECT_EQ(r.stats.scheduled, 300);
  EXPECT_EQ(r.stats.ok, 300);
  ASSERT_GE(r.timeline.size(), 1u);
  EXPECT_EQ(r.timeline.front().second, 0);
  int64_t completed = 0;
  for (const auto& s : r.timeline) completed += s.completed;
  EXPECT_EQ(completed, 300) << "the timeline accounts for every request";
}

TEST_F(LoadEngineTest, ClosedModelKeepsConcurrencyUsersBusy) {
  StartTarget("fixed");
  auto phase = Phase(0, 500ms);
  phase.concurrency = 4;
  phase.think_time = 10ms;
  const auto r = RunPhase(phase, Traffic("/slow?ms=20"), url_);
  // Each user: at least 30 ms per cycle (20 ms answer + 10 ms think) over 500 ms → at most
  // 17 requests per user, however fast the machine; each user makes some.
  EXPECT_GE(r.stats.ok, 4 * 2);
  EXPECT_LE(r.stats.ok, 4 * (500 / 30 + 1));
  EXPECT_EQ(r.stats.errors(), 0);
  EXPECT_LE(r.stats.connections_opened, 4) << "each user reuses its keep-alive connection";
}

TEST_F(LoadEngineTest, NewConnectionPerRequestPolicy) {
  StartTarget("fixed");
  auto phase = Phase(200, 500ms);
  phase.connections.per_request = true;
  const auto r = RunPhase(phase, Traffic("/hello"), url_);
  EXPECT_EQ(r.stats.ok, 100);
  EXPECT_EQ(r.stats.connections_opened, 100);
  EXPECT_GE(Observed("conn_accepted"), 100);
}

TEST_F(LoadEngineTest, MaxConnectionsMakesRequestsWaitForOne) {
  StartTarget("fixed");
  auto phase = Phase(100, 500ms);
  phase.workers = 1;
  phase.connections.max = 2;
  const auto r = RunPhase(phase, Traffic("/slow?ms=30"), url_);
  EXPECT_EQ(r.stats.ok, 50);
  EXPECT_LE(r.stats.connections_opened, 2);
  EXPECT_GT(r.stats.late, 0) << "requests waiting for a connection start late";
  EXPECT_GT(r.stats.corrected.QuantileNanos(0.99), r.stats.uncorrected.QuantileNanos(0.5))
      << "latency from the intended time includes the wait";
}

TEST_F(LoadEngineTest, TemplatesSendDistinctBodies) {
  StartTarget("fixed");
  auto traffic = Traffic("/echo", "POST");
  auto& t = traffic.front();
  // {{seq}}-{{randstr 8}}: sizes differ with the number of digits of seq.
  t.body_template = {{scenario::TemplatePart::kLiteral, "k=", 0, 0, 0},
                     {scenario::TemplatePart::kSeq, "", 0, 0, 0},
                     {scenario::TemplatePart::kLiteral, "-", 0, 0, 0},
                     {scenario::TemplatePart::kRandStr, "", 8, 0, 0}};
  const auto r = RunPhase(Phase(200, 500ms), traffic, url_);
  EXPECT_EQ(r.stats.ok, 100);
  // Bodies "k=<seq>-xxxxxxxx" for seq 0..99: 10 × 12 + 90 × 13 bytes.
  EXPECT_EQ(Observed("echo_bytes"), 10 * 12 + 90 * 13);
}

TEST_F(LoadEngineTest, ReplayFollowsTheRecordedPace) {
  StartTarget("fixed");
  scenario::Traffic t;
  t.name = "rec";
  scenario::Replay replay;
  replay.speed = 2;
  for (int i = 0; i < 10; ++i) {
    scenario::RecordedRequest req;
    req.method = i % 2 ? "POST" : "GET";
    req.path = i % 2 ? "/echo" : "/hello";
    req.body = i % 2 ? "abcd" : "";
    req.offset = std::chrono::milliseconds(100 * i);  // 0..900 ms, at speed 2: 0..450 ms
    replay.requests.push_back(req);
  }
  t.replay = replay;
  auto phase = Phase(0, 1s);
  phase.replay = "rec";
  const auto started = std::chrono::steady_clock::now();
  const auto r = RunPhase(phase, {t}, url_);
  EXPECT_EQ(r.stats.ok, 10);
  EXPECT_EQ(Observed("echo_bytes"), 5 * 4);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 1s) << "the phase lasts its duration";
}

TEST(ResolveTarget, RejectsWhatIsNotHttpOrHttps) {
  EXPECT_THROW(ResolveTarget("ftp://127.0.0.1:1"), std::invalid_argument);
  const auto tls = ResolveTarget("https://localhost/x");
  EXPECT_TRUE(tls.tls);
  EXPECT_EQ(tls.endpoint.port(), 443);
  EXPECT_EQ(tls.host, "localhost");
  EXPECT_THROW(ResolveTarget("not a url"), std::invalid_argument);
  const auto t = ResolveTarget("http://127.0.0.1:8080/base/");
  EXPECT_EQ(t.endpoint.port(), 8080);
  EXPECT_EQ(t.host_header, "127.0.0.1:8080");
  EXPECT_EQ(t.base_path, "/base");
}

TEST(ResolveTarget, ReadsHostsAsTheAddressPolicyDoes) {
  const auto short_form = ResolveTarget("http://127.1:8080/").endpoint;
  EXPECT_EQ(short_form.address().to_string(), "127.0.0.1") << "the inet_aton spelling the policy accepts as loopback";
  EXPECT_EQ(short_form.port(), 8080);
  EXPECT_EQ(ResolveTarget("http://LOCALHOST.:9/").endpoint.address().to_string(), "127.0.0.1") << "never looked up";
  EXPECT_EQ(ResolveTarget("http://[::ffff:127.0.0.1]:9/").endpoint.address().to_string(), "127.0.0.1");
  EXPECT_EQ(ResolveTarget("http://[::1]:9/").endpoint.address().to_string(), "::1");
  EXPECT_THROW(ResolveTarget("http://1.2.3.999:9/"), std::invalid_argument) << "neither an address nor a name";
  EXPECT_THROW(ResolveTarget("http://127.0.0.1:99999/"), std::invalid_argument) << "a port beyond 65535";
}

TEST(ResolveTarget, RefusesWhatTheOneUrlParserRefusesWithItsMessage) {
  auto message_of = [](const std::string& url) {
    try {
      ResolveTarget(url);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(message_of("http://127.0.0.1:0/").find("port \"0\" out of range 1..65535"), std::string::npos)
      << message_of("http://127.0.0.1:0/");
  EXPECT_NE(message_of("http://127.0.0.1@example.com/").find("userinfo"), std::string::npos)
      << "would read as loopback to a human and as example.com to a client";
  EXPECT_NE(message_of("127.0.0.1:8080/x").find("no scheme"), std::string::npos);
  EXPECT_EQ(ResolveTarget("http://127.0.0.1:8080/base/?q=1").base_path, "/base") << "the query is not a path";
  EXPECT_EQ(ResolveTarget("http://[::1]:8080").host_header, "[::1]:8080");
}

}  // namespace load_engine_test
}  // namespace leakgate::load
