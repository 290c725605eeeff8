// Settle logic: medians, the settled window, and what Final() reports.
#include "probes/settle.h"

#include <gtest/gtest.h>

#include <cmath>

namespace leakgate::probes {
namespace settle_test {

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

}  // namespace settle_test
}  // namespace leakgate::probes

namespace leakgate::probes {
namespace settle_test {

TEST(SettleNoise, RobustAgainstOneOutlierAndFloored) {
  const std::vector<ResourceSample> samples = {
      {{"heap", 1000}}, {{"heap", 1010}}, {{"heap", 990}}, {{"heap", 1005}}, {{"heap", 50000}}};
  const double noise = NoiseOf(samples, "heap");
  EXPECT_GT(noise, 5);
  EXPECT_LT(noise, 30) << "the 50000 outlier does not blow up a MAD-based noise";
  EXPECT_EQ(NoiseOf({{{"g", 10}}, {{"g", 10}}, {{"g", 10}}}, "g"), 1.0) << "flat counts: floor of 1";
  EXPECT_DOUBLE_EQ(NoiseOf({{{"b", 1e6}}, {{"b", 1e6}}}, "b"), 2000) << "flat bytes: 0.2 % of the median";
}

TEST(SettleGrowth, SteadyGrowthIsSignificantWarmCacheIsNot) {
  const auto leak = FitGrowth({1000, 2000, 3000, 4000}, 50);
  EXPECT_DOUBLE_EQ(leak.slope, 1000);
  EXPECT_TRUE(leak.significant);
  const auto warm = FitGrowth({5000, 5010, 4990, 5005}, 50);
  EXPECT_NEAR(warm.slope, 0, 10);
  EXPECT_FALSE(warm.significant) << "grew once before cycle 1, flat since";
  const auto noisy = FitGrowth({100, 130, 90, 140}, 40);
  EXPECT_FALSE(noisy.significant) << "growth within the noise";
  EXPECT_FALSE(FitGrowth({7}, 1).significant);
  const auto two = FitGrowth({10, 30}, 1);
  EXPECT_DOUBLE_EQ(two.slope, 20);
  EXPECT_DOUBLE_EQ(two.standard_error, 1 / std::sqrt(0.5));
}

TEST(SettleTracker, PlateauedOnceTheResourceStopsFalling) {
  SettleTracker t({{"heap", 100}}, 3);
  const std::map<std::string, double> noise{{"heap", 5}};
  for (double v : {900, 800, 700}) t.Add({{"heap", v}});
  EXPECT_FALSE(t.Plateaued(noise)) << "one window is not enough to compare";
  for (double v : {600, 500, 400}) t.Add({{"heap", v}});
  EXPECT_FALSE(t.Plateaued(noise)) << "still falling";
  for (double v : {400, 402, 398}) t.Add({{"heap", v}});
  EXPECT_FALSE(t.Plateaued(noise)) << "window 600,500,400 → 400,402,398: fell by 100";
  for (double v : {401, 399, 400}) t.Add({{"heap", v}});
  EXPECT_TRUE(t.Plateaued(noise));
  EXPECT_FALSE(t.Settled()) << "plateaued above the limit is not settled";
  EXPECT_EQ(t.Final().at("heap"), 400) << "Final() is still the last window";
}

}  // namespace settle_test
}  // namespace leakgate::probes
