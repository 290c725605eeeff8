// LatencyHistogram: bucket mapping bounds, ≤ 1 % relative error, merging.
#include "harness/stats/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace leakgate::stats {
namespace histogram_test {

TEST(LatencyHistogram, SmallValuesAreExact) {
  for (int64_t v = 0; v < LatencyHistogram::kSubBuckets; ++v) {
    const int i = LatencyHistogram::BucketIndex(v);
    EXPECT_EQ(LatencyHistogram::BucketLowerBound(i), v);
    EXPECT_EQ(LatencyHistogram::BucketUpperBound(i), v + 1);
  }
}

TEST(LatencyHistogram, BucketsTileTheRangeWithoutGaps) {
  for (int i = 0; i + 1 < LatencyHistogram::kBucketCount; ++i) {
    ASSERT_EQ(LatencyHistogram::BucketUpperBound(i), LatencyHistogram::BucketLowerBound(i + 1)) << "bucket " << i;
    ASSERT_EQ(LatencyHistogram::BucketIndex(LatencyHistogram::BucketLowerBound(i)), i);
    ASSERT_EQ(LatencyHistogram::BucketIndex(LatencyHistogram::BucketUpperBound(i) - 1), i);
  }
}

TEST(LatencyHistogram, RelativeErrorOfEveryBucketIsBelowOnePercent) {
  for (int i = LatencyHistogram::kSubBuckets; i < LatencyHistogram::kBucketCount; ++i) {
    const double lo = static_cast<double>(LatencyHistogram::BucketLowerBound(i));
    const double width = static_cast<double>(LatencyHistogram::BucketUpperBound(i)) - lo;
    ASSERT_LT(width / lo, 0.01) << "bucket " << i;
  }
}

TEST(LatencyHistogram, QuantilesMatchSortedSamplesWithinOnePercent) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(std::log(2e6), 1.0);  // ~2 ms median, long tail
  std::vector<int64_t> values;
  LatencyHistogram h;
  for (int i = 0; i < 100000; ++i) {
    const auto v = static_cast<int64_t>(dist(rng));
    values.push_back(v);
    h.RecordNanos(v);
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.5, 0.9, 0.99, 0.999, 0.9999}) {
    const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(values.size()))) - 1;
    const double exact = static_cast<double>(values[rank]);
    const double got = static_cast<double>(h.QuantileNanos(q));
    EXPECT_NEAR(got, exact, exact * 0.01) << "q=" << q;
  }
  EXPECT_EQ(h.max_nanos(), values.back());
  EXPECT_EQ(h.min_nanos(), values.front());
  EXPECT_EQ(h.QuantileNanos(1.0), values.back());
}

TEST(LatencyHistogram, MergeEqualsRecordingEverythingInOne) {
  LatencyHistogram a, b, all;
  for (int64_t v = 1; v < 200000; v += 7) {
    (v % 2 ? a : b).RecordNanos(v * 13);
    all.RecordNanos(v * 13);
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), all.count());
  for (double q : {0.0, 0.25, 0.5, 0.75, 0.99, 1.0}) EXPECT_EQ(a.QuantileNanos(q), all.QuantileNanos(q));
  EXPECT_DOUBLE_EQ(a.mean_nanos(), all.mean_nanos());
}

TEST(LatencyHistogram, HugeAndNegativeValuesClampInsteadOfCorrupting) {
  LatencyHistogram h;
  h.RecordNanos(-5);
  h.RecordNanos(INT64_MAX);
  EXPECT_EQ(h.count(), 2);
  EXPECT_EQ(h.min_nanos(), 0);
  EXPECT_EQ(LatencyHistogram::BucketIndex(INT64_MAX), LatencyHistogram::kBucketCount - 1);
}

TEST(LatencyHistogram, EmptyHistogramReportsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.QuantileNanos(0.99), 0);
  EXPECT_EQ(h.min_nanos(), 0);
}

// Shard results carry histograms as their buckets: the round trip must be exact, so that
// percentiles merged from shards equal those of one histogram holding every value.
TEST(LatencyHistogram, BucketsRoundTripExactly) {
  LatencyHistogram h;
  for (int64_t v = 1; v < 50'000'000; v = v * 3 / 2 + 7) h.RecordNanos(v);
  const auto buckets = h.NonEmptyBuckets();
  ASSERT_FALSE(buckets.empty());
  const auto back = LatencyHistogram::FromBuckets(buckets, h.min_nanos(), h.max_nanos(), h.sum_nanos());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->count(), h.count());
  EXPECT_EQ(back->NonEmptyBuckets(), buckets);
  for (double q : {0.0, 0.5, 0.9, 0.99, 0.999, 1.0}) EXPECT_EQ(back->QuantileNanos(q), h.QuantileNanos(q)) << q;
  EXPECT_EQ(back->mean_nanos(), h.mean_nanos());
  EXPECT_EQ(LatencyHistogram::FromBuckets({}, 0, 0, 0)->count(), 0);
}

TEST(LatencyHistogram, FromBucketsRejectsWhatNoHistogramProduces) {
  LatencyHistogram h;
  h.RecordNanos(1000);
  h.RecordNanos(5000);
  const auto b = h.NonEmptyBuckets();
  EXPECT_FALSE(LatencyHistogram::FromBuckets({b[1], b[0]}, 1000, 5000, 6000));     // out of order
  EXPECT_FALSE(LatencyHistogram::FromBuckets({{-1, 1}}, 0, 0, 0));                  // index below range
  EXPECT_FALSE(LatencyHistogram::FromBuckets({{LatencyHistogram::kBucketCount, 1}}, 0, 0, 0));
  EXPECT_FALSE(LatencyHistogram::FromBuckets({{b[0].first, 0}}, 1000, 1000, 0));    // empty bucket listed
  EXPECT_FALSE(LatencyHistogram::FromBuckets(b, 5000, 1000, 6000));                 // min above max
  EXPECT_FALSE(LatencyHistogram::FromBuckets(b, 1, 5000, 6000));                    // min outside the first bucket
}

}  // namespace histogram_test
}  // namespace leakgate::stats
