// The HTTP load engine against the real Go example target on a free loopback port:
// pacing, keep-alive, the cancel fault as the server sees it, deadlines, the in-flight
// bound, and run-wide stop.
#include "harness/load/load_engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "harness/runner/ports.h"
#include "harness/runner/target_process.h"
#include "probes/http_fetch.h"
#include "probes/sampler.h"
#include "leakgate_process.h"

namespace leakgate::load {
namespace {

using namespace std::chrono_literals;

class LoadEngineTest : public ::testing::Test {
 protected:
  void StartTarget(const std::string& mode) {
    const int port = runner::AllocateLoopbackPort();
    url_ = "http://127.0.0.1:" + std::to_string(port);
    log_dir_ = testing::MakeTempDir("leakgate-load");
    target_.emplace(runner::TargetProcess::Start(
        {LEAKGATE_GO_TARGET, "-addr", "127.0.0.1:" + std::to_string(port), "-mode", mode}, {}, log_dir_ + "/target.log"));
    for (int i = 0; i < 200; ++i) {
      auto r = probes::HttpGet(url_ + "/healthz", 1s);
      if (r.ok && r.status == 200) {
        address_ = ResolveTarget(url_);
        return;
      }
      std::this_thread::sleep_for(25ms);
    }
    FAIL() << "target not ready: " << target_->LogTail(20);
  }

  double Goroutines() {
    probes::Sampler sampler({url_ + "/debug/pprof", std::nullopt, 5s});
    return sampler.Sample(true).at(probes::kGoroutines);
  }

  void TearDown() override {
    target_.reset();
    std::filesystem::remove_all(log_dir_);
  }

  static scenario::Phase Phase(double rate, scenario::Duration duration) {
    scenario::Phase p;
    p.name = "t";
    p.rate = rate;
    p.duration = duration;
    return p;
  }
  static std::vector<scenario::Traffic> Traffic(const std::string& path) {
    scenario::Traffic t;
    t.name = "t";
    t.path = path;
    return {t};
  }

  std::string url_, log_dir_;
  std::optional<runner::TargetProcess> target_;
  TargetAddress address_;
  std::atomic<bool> stop_{false};
};

TEST_F(LoadEngineTest, OpenModelSendsTheAskedNumberOverKeepAlive) {
  StartTarget("fixed");
  const auto r = RunPhase(Phase(400, 1s), Traffic("/hello"), address_, stop_);
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
  const auto r = RunPhase(phase, Traffic("/leak/blocked-send?work=300&timeout=1000"), address_, stop_);
  EXPECT_EQ(r.stats.sent, 200);
  EXPECT_EQ(r.stats.cancelled, 200);
  EXPECT_EQ(r.stats.ok, 0);
  EXPECT_EQ(r.stats.errors(), 0) << "a planned cancel is not an error";
  // Each cancelled request made the leaky handler return early: its sender is stuck.
  std::this_thread::sleep_for(500ms);
  EXPECT_GE(Goroutines() - before, 190) << "the server saw (almost) every cancellation";
}

TEST_F(LoadEngineTest, CancelProbabilityIsHonoured) {
  StartTarget("fixed");
  auto phase = Phase(500, 1s);
  phase.cancel.push_back({5ms, 0.3, {}});
  const auto r = RunPhase(phase, Traffic("/leak/blocked-send?work=50&timeout=1000"), address_, stop_);
  EXPECT_EQ(r.stats.sent, 500);
  EXPECT_EQ(r.stats.cancelled + r.stats.ok, 500);
  EXPECT_NEAR(static_cast<double>(r.stats.cancelled), 150.0, 45.0);
}

TEST_F(LoadEngineTest, DeadlineCountsTimeoutsNotCancellations) {
  StartTarget("fixed");
  auto phase = Phase(50, 500ms);
  phase.timeout = 50ms;
  const auto r = RunPhase(phase, Traffic("/leak/blocked-send?work=400&timeout=1000"), address_, stop_);
  EXPECT_EQ(r.stats.sent, 25);
  EXPECT_EQ(r.stats.errors_by_kind[static_cast<size_t>(stats::ErrorKind::kTimeout)], 25);
  EXPECT_EQ(r.stats.cancelled, 0);
}

TEST_F(LoadEngineTest, InFlightBoundDropsArrivalsInsteadOfQueueing) {
  StartTarget("fixed");
  auto phase = Phase(100, 1s);
  phase.max_in_flight = 5;
  phase.workers = 1;
  const auto r = RunPhase(phase, Traffic("/leak/blocked-send?work=500&timeout=1000"), address_, stop_);
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
  const auto r = RunPhase(Phase(100, 10s), Traffic("/leak/blocked-send?work=2000&timeout=5000"), address_, stop_);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  EXPECT_LT(r.stats.scheduled, 100);
  EXPECT_GT(r.stats.aborted, 0);
}

TEST_F(LoadEngineTest, ErrorsAreClassifiedByKind) {
  StartTarget("fixed");
  const auto r = RunPhase(Phase(20, 500ms), Traffic("/no-such-path"), address_, stop_);
  EXPECT_EQ(r.stats.errors_by_kind[static_cast<size_t>(stats::ErrorKind::kStatus4xx)], 10);
  // Nobody listens on a fresh port: connect errors.
  auto dead = ResolveTarget("http://127.0.0.1:" + std::to_string(runner::AllocateLoopbackPort()));
  const auto d = RunPhase(Phase(20, 500ms), Traffic("/hello"), dead, stop_);
  EXPECT_EQ(d.stats.errors_by_kind[static_cast<size_t>(stats::ErrorKind::kConnect)], 10);
}

TEST(ResolveTarget, RejectsWhatIsNotHttp) {
  EXPECT_THROW(ResolveTarget("https://127.0.0.1:1"), std::invalid_argument);
  EXPECT_THROW(ResolveTarget("not a url"), std::invalid_argument);
  const auto t = ResolveTarget("http://127.0.0.1:8080/base/");
  EXPECT_EQ(t.endpoint.port(), 8080);
  EXPECT_EQ(t.host_header, "127.0.0.1:8080");
  EXPECT_EQ(t.base_path, "/base");
}

}  // namespace
}  // namespace leakgate::load
