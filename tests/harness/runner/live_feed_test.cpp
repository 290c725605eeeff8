// LiveFeed: the live figures gathered from the runner's thread, the engine's per-second
// hook and the sampler's background timeline, handed out from the feed's own thread.
// Real threads; every wait is bounded and polls until the expected status arrives.
#include "harness/runner/live_feed.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace leakgate::runner {
namespace live_feed_test {

using namespace std::chrono_literals;

class Collected {
 public:
  LiveFeed::Callback Callback() {
    return [this](const LiveStatus& st) {
      std::lock_guard lock(mu_);
      seen_.push_back(st);
    };
  }
  // Polls (≤ 5 s) until a status satisfies `pred`; returns it.
  template <typename Pred>
  std::optional<LiveStatus> WaitFor(Pred pred) {
    for (int i = 0; i < 500; ++i) {
      {
        std::lock_guard lock(mu_);
        for (const auto& st : seen_) {
          if (pred(st)) return st;
        }
      }
      std::this_thread::sleep_for(10ms);
    }
    return std::nullopt;
  }
  size_t size() {
    std::lock_guard lock(mu_);
    return seen_.size();
  }

 private:
  std::mutex mu_;
  std::vector<LiveStatus> seen_;
};

TEST(LiveFeed, CarriesTheStageTheSecondsAndTheSamples) {
  Collected c;
  LiveFeed feed(c.Callback(), 10ms);
  feed.SetBaseline({{"goroutines", 11}}, {{"goroutines", 16}});
  LiveStatus phase;
  phase.stage = LiveStatus::Stage::kPhase;
  phase.phase = "load";
  phase.phase_index = 2;
  phase.duration_s = 8;
  feed.BeginStage(phase);
  const auto hook = feed.SecondHook();
  hook({0, 100, 99, 1, 5'000'000});
  hook({1, 120, 120, 0, 6'000'000});
  feed.SetSample({{"goroutines", 40}});

  const auto st = c.WaitFor([](const LiveStatus& s) { return s.phase_completed == 220 && !s.latest.empty(); });
  ASSERT_TRUE(st);
  EXPECT_EQ(st->phase, "load");
  EXPECT_EQ(st->phase_index, 2);
  ASSERT_TRUE(st->last_second);
  EXPECT_EQ(st->last_second->second, 1);
  EXPECT_EQ(st->last_second->completed, 120);
  EXPECT_EQ(st->phase_errors, 1);
  EXPECT_EQ(st->latest.at("goroutines"), 40);
  EXPECT_EQ(st->baseline.at("goroutines"), 11);
  EXPECT_EQ(st->limits.at("goroutines"), 16);
}

TEST(LiveFeed, ANewStageStartsItsOwnCountsAndClockButKeepsTheResources) {
  Collected c;
  LiveFeed feed(c.Callback(), 10ms);
  LiveStatus phase;
  phase.stage = LiveStatus::Stage::kPhase;
  feed.BeginStage(phase);
  feed.SecondHook()({0, 10, 10, 0, 1});
  feed.SetSample({{"goroutines", 40}});
  LiveStatus settle;
  settle.stage = LiveStatus::Stage::kSettle;
  settle.duration_s = 15;
  feed.BeginStage(settle);
  const auto st = c.WaitFor([](const LiveStatus& s) { return s.stage == LiveStatus::Stage::kSettle; });
  ASSERT_TRUE(st);
  EXPECT_FALSE(st->last_second);
  EXPECT_EQ(st->phase_completed, 0);
  EXPECT_EQ(st->latest.at("goroutines"), 40) << "the last reading stays on screen";
  EXPECT_LT(st->elapsed_s, 5) << "the clock restarted";
}

TEST(LiveFeed, PullsNewerBackgroundSamplesDuringAPhase) {
  Collected c;
  std::atomic<double> t{1.0};
  LiveFeed feed(c.Callback(), 10ms);
  LiveStatus phase;
  phase.stage = LiveStatus::Stage::kPhase;
  feed.BeginStage(phase, [&t]() -> std::optional<probes::TimelinePoint> {
    return probes::TimelinePoint{t.load(), "load", {{"goroutines", t.load() * 100}}};
  });
  ASSERT_TRUE(c.WaitFor([](const LiveStatus& s) { return s.latest.contains("goroutines") && s.latest.at("goroutines") == 100; }));
  feed.SetSample({{"goroutines", 7}});  // the runner's own sample is newer than background t=1...
  // Statuses from before the first pull have no goroutines: every predicate checks first.
  ASSERT_TRUE(c.WaitFor([](const LiveStatus& s) { return s.latest.contains("goroutines") && s.latest.at("goroutines") == 7; }))
      << "...and is not overwritten by the same old background point";
  t = 2.0;
  EXPECT_TRUE(c.WaitFor([](const LiveStatus& s) { return s.latest.contains("goroutines") && s.latest.at("goroutines") == 200; }));
}

TEST(LiveFeed, NoCallAfterDestruction) {
  Collected c;
  {
    LiveFeed feed(c.Callback(), 1ms);
    ASSERT_TRUE(c.WaitFor([](const LiveStatus&) { return true; }));
  }
  const size_t after = c.size();
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(c.size(), after);
}

}  // namespace live_feed_test
}  // namespace leakgate::runner
