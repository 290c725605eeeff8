// LatencyHistogram: fixed-memory, log-linear histogram of durations in nanoseconds.
//
// Values are bucketed by their power of two (the "exponent") and, within it, by the next
// kSubBucketBits bits of the mantissa, so every bucket's width is at most 1/128 of its
// lower bound: any recorded value is reproduced with ≤ 0.8 % relative error. Values below
// 2^kSubBucketBits ns are exact. Memory is fixed (~40 KiB) whatever is recorded;
// histograms merge by adding counts, also across processes: NonEmptyBuckets() and
// FromBuckets() carry a histogram exactly (shard results, harness/runner/shard_merge.h).
//
// Thread-safety: none. Each worker owns its histograms; merge after the phase.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace leakgate::stats {

class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 7;                      // 128 sub-buckets per power of two
  static constexpr int kSubBuckets = 1 << kSubBucketBits;
  static constexpr int kMaxExponent = 42;                       // 2^42 ns ≈ 73 minutes; larger values clamp
  static constexpr int kBucketCount = (kMaxExponent - kSubBucketBits + 1) * kSubBuckets + kSubBuckets;

  void Record(std::chrono::nanoseconds value);
  void RecordNanos(int64_t nanos);
  void Merge(const LatencyHistogram& other);
  void Reset();

  int64_t count() const { return count_; }
  int64_t min_nanos() const { return count_ ? min_ : 0; }
  int64_t max_nanos() const { return max_; }
  double mean_nanos() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0; }

  // Value at quantile q in [0, 1]: the representative value (bucket midpoint, clamped to
  // the recorded min/max) of the bucket holding the ceil(q·count)-th smallest value. 0 if empty.
  int64_t QuantileNanos(double q) const;

  // (bucket index, count) of every bucket holding a value, in index order; with min, max and
  // sum this is the whole histogram.
  std::vector<std::pair<int, int64_t>> NonEmptyBuckets() const;
  int64_t sum_nanos() const { return sum_; }
  // The histogram NonEmptyBuckets() described; nullopt when the indexes are not strictly
  // increasing within range, a count is not positive, or min/max/sum cannot belong to those counts.
  static std::optional<LatencyHistogram> FromBuckets(const std::vector<std::pair<int, int64_t>>& buckets,
                                                     int64_t min_nanos, int64_t max_nanos, int64_t sum_nanos);

  // Bucket mapping, exposed for tests.
  static int BucketIndex(int64_t nanos);
  static int64_t BucketLowerBound(int index);
  static int64_t BucketUpperBound(int index);  // exclusive

 private:
  std::array<int64_t, kBucketCount> counts_{};
  int64_t count_ = 0;
  int64_t min_ = INT64_MAX;
  int64_t max_ = 0;
  int64_t sum_ = 0;  // saturating is not needed: 2^63 ns ≈ 292 years of summed latency
};

}  // namespace leakgate::stats
