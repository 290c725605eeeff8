// TimelineCollector: per-second summaries merged from every worker, with fixed memory.
#include "harness/stats/timeline.h"

#include <gtest/gtest.h>

#include <vector>

namespace leakgate::stats {
namespace timeline_test {

SecondAccumulator Second(int64_t completed, int64_t latency_ms) {
  SecondAccumulator a;
  a.completed = a.ok = completed;
  for (int64_t i = 0; i < completed; ++i) a.latency.Record(std::chrono::milliseconds(latency_ms));
  return a;
}

TEST(TimelineCollector, MergesEveryWorkersSecond) {
  TimelineCollector c(2);
  c.Add(0, Second(3, 1));
  c.Add(0, Second(5, 9));
  c.Add(1, Second(1, 2));
  c.Add(1, Second(0, 0));
  const auto t = c.Finish();
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].completed, 8);
  EXPECT_NEAR(static_cast<double>(t[0].p99_nanos) / 1e6, 9, 0.1);
  EXPECT_EQ(t[1].completed, 1);
}

// Regression: a worker whose share ended early (a short replay) must not hold every later
// second pending, and its earlier seconds must still wait for every other worker.
TEST(TimelineCollector, ARetiredWorkerIsNotWaitedForAfterItsLastSecond) {
  TimelineCollector c(3);
  c.Add(0, Second(1, 1));  // worker A: second 0, then retires
  c.Retire(0);
  c.Add(0, Second(1, 1));  // worker B
  c.Add(1, Second(2, 1));  // B, second 1: with C's, complete without A
  c.Add(0, Second(1, 1));  // worker C
  c.Add(1, Second(2, 1));
  for (int64_t s = 2; s < 600; ++s) {  // a long phase: B and C go on
    c.Add(s, Second(1, 1));
    c.Add(s, Second(1, 1));
  }
  const auto t = c.Finish();
  ASSERT_EQ(t.size(), 600u);
  EXPECT_EQ(t[0].completed, 3) << "second 0 had all three workers";
  EXPECT_EQ(t[1].completed, 4);
  EXPECT_EQ(t[599].completed, 2);
}


// The live hook: each second once, as soon as every worker reported it (not at Finish).
TEST(TimelineCollector, HandsEachCompleteSecondToTheLiveHook) {
  std::vector<TimelineSecond> seen;
  TimelineCollector c(2, [&seen](const TimelineSecond& s) { seen.push_back(s); });
  c.Add(0, Second(3, 1));
  EXPECT_TRUE(seen.empty()) << "one worker of two has reported second 0";
  c.Add(0, Second(5, 9));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].second, 0);
  EXPECT_EQ(seen[0].completed, 8);
  EXPECT_NEAR(static_cast<double>(seen[0].p99_nanos) / 1e6, 9, 0.1);
  c.Add(1, Second(1, 2));
  c.Retire(0);  // the other worker ends after second 0: second 1 is complete
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].second, 1);
  c.Add(2, Second(4, 2));  // completes at once (the only worker left)
  c.Finish();
  ASSERT_EQ(seen.size(), 3u) << "Finish() does not repeat seconds";
  EXPECT_EQ(seen[2].completed, 4);
}

}  // namespace timeline_test
}  // namespace leakgate::stats
