// Settle logic: medians, the settled window, and what Final() reports.
#include "probes/settle.h"

#include <gtest/gtest.h>

namespace leakgate::probes {
namespace {

TEST(SettleMedian, OddEvenAndEmpty) {
  EXPECT_EQ(Median({5, 1, 3}), 3);
  EXPECT_EQ(Median({4, 1, 3, 2}), 2.5);
  EXPECT_EQ(Median({}), std::nullopt);
  EXPECT_EQ(Median({7}), 7);
}

TEST(SettleMedian, MedianOfIgnoresMissingResources) {
  const auto m = MedianOf({{{"goroutines", 10}, {"fds", 4}}, {{"goroutines", 12}}, {{"goroutines", 100}, {"fds", 6}}});
  EXPECT_EQ(m.at("goroutines"), 12);
  EXPECT_EQ(m.at("fds"), 5);
}

TEST(SettleTracker, NeedsAFullWindowWithinLimits) {
  SettleTracker t({{"goroutines", 10}}, 3);
  t.Add({{"goroutines", 9}});
  t.Add({{"goroutines", 8}});
  EXPECT_FALSE(t.Settled()) << "two samples are not a window of three";
  t.Add({{"goroutines", 10}});
  EXPECT_TRUE(t.Settled());
}

TEST(SettleTracker, OneLuckyLowSampleDoesNotSettle) {
  SettleTracker t({{"goroutines", 10}}, 3);
  for (double v : {50, 40, 9, 30, 20}) t.Add({{"goroutines", v}});
  EXPECT_FALSE(t.Settled());
  EXPECT_EQ(t.Final().at("goroutines"), 20) << "median of the last three: 9, 30, 20";
}

TEST(SettleTracker, EveryLimitedResourceMustBeWithinItsLimit) {
  SettleTracker t({{"goroutines", 10}, {"fds", 5}}, 2);
  t.Add({{"goroutines", 5}, {"fds", 9}});
  t.Add({{"goroutines", 5}, {"fds", 9}});
  EXPECT_FALSE(t.Settled());
  t.Add({{"goroutines", 5}, {"fds", 5}});
  t.Add({{"goroutines", 6}, {"fds", 4}});
  EXPECT_TRUE(t.Settled());
}

TEST(SettleTracker, MissingReadingIsNotWithinLimit) {
  SettleTracker t({{"fds", 5}}, 1);
  t.Add({{"goroutines", 1}});
  EXPECT_FALSE(t.Settled());
}

TEST(SettleTracker, FinalIsMedianOfRecentWindow) {
  SettleTracker t({{"goroutines", 100}}, 3);
  for (double v : {1000, 1, 2, 3}) t.Add({{"goroutines", v}});
  EXPECT_EQ(t.Final().at("goroutines"), 2);
  EXPECT_EQ(t.samples_seen(), 4u);
}

}  // namespace
}  // namespace leakgate::probes
