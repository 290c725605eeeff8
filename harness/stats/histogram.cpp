#include "harness/stats/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace leakgate::stats {

// Layout: indexes [0, kSubBuckets) hold the exact values 0..127. For a value v ≥ 128 with
// highest set bit e (7 ≤ e ≤ kMaxExponent), the bucket is
//   kSubBuckets + (e - kSubBucketBits) * kSubBuckets + ((v >> (e - kSubBucketBits)) - kSubBuckets)
// i.e. the 7 bits after the leading one select the sub-bucket.
int LatencyHistogram::BucketIndex(int64_t nanos) {
  if (nanos < kSubBuckets) return static_cast<int>(std::max<int64_t>(nanos, 0));
  const auto v = static_cast<uint64_t>(nanos);
  int e = 63 - std::countl_zero(v);
  if (e > kMaxExponent) return kBucketCount - 1;
  const int shift = e - kSubBucketBits;
  const auto sub = static_cast<int>((v >> shift) - kSubBuckets);
  return kSubBuckets + shift * kSubBuckets + sub;
}

int64_t LatencyHistogram::BucketLowerBound(int index) {
  if (index < kSubBuckets) return index;
  const int shift = (index - kSubBuckets) / kSubBuckets;
  const int sub = (index - kSubBuckets) % kSubBuckets;
  return static_cast<int64_t>(kSubBuckets + sub) << shift;
}

int64_t LatencyHistogram::BucketUpperBound(int index) {
  if (index < kSubBuckets) return index + 1;
  const int shift = (index - kSubBuckets) / kSubBuckets;
  return BucketLowerBound(index) + (int64_t{1} << shift);
}

void LatencyHistogram::Record(std::chrono::nanoseconds value) { RecordNanos(value.count()); }

void LatencyHistogram::RecordNanos(int64_t nanos) {
  nanos = std::max<int64_t>(nanos, 0);
  ++counts_[static_cast<size_t>(BucketIndex(nanos))];
  ++count_;
  min_ = std::min(min_, nanos);
  max_ = std::max(max_, nanos);
  sum_ += nanos;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

std::vector<std::pair<int, int64_t>> LatencyHistogram::NonEmptyBuckets() const {
  std::vector<std::pair<int, int64_t>> out;
  for (int i = 0; i < kBucketCount; ++i) {
    if (counts_[static_cast<size_t>(i)] > 0) out.emplace_back(i, counts_[static_cast<size_t>(i)]);
  }
  return out;
}

std::optional<LatencyHistogram> LatencyHistogram::FromBuckets(const std::vector<std::pair<int, int64_t>>& buckets,
                                                              int64_t min_nanos, int64_t max_nanos, int64_t sum_nanos) {
  LatencyHistogram h;
  int previous = -1;
  for (const auto& [index, count] : buckets) {
    if (index <= previous || index >= kBucketCount || count <= 0) return std::nullopt;  // strictly increasing
    previous = index;
    h.counts_[static_cast<size_t>(index)] += count;
    h.count_ += count;
  }
  if (h.count_ == 0) return LatencyHistogram{};
  if (min_nanos < 0 || max_nanos < min_nanos || sum_nanos < 0) return std::nullopt;
  if (BucketIndex(min_nanos) != buckets.front().first || BucketIndex(max_nanos) != buckets.back().first) {
    return std::nullopt;  // min and max lie in the first and last buckets
  }
  h.min_ = min_nanos;
  h.max_ = max_nanos;
  h.sum_ = sum_nanos;
  return h;
}

void LatencyHistogram::Reset() { *this = LatencyHistogram{}; }

int64_t LatencyHistogram::QuantileNanos(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  const auto rank = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(q * static_cast<double>(count_))));
  int64_t seen = 0;
  for (int i = 0; i < kBucketCount; ++i) {
    seen += counts_[static_cast<size_t>(i)];
    if (seen >= rank) {
      const int64_t lo = BucketLowerBound(i);
      const int64_t mid = lo + (BucketUpperBound(i) - 1 - lo) / 2;
      return std::clamp(mid, min_, max_);
    }
  }
  return max_;
}

}  // namespace leakgate::stats
