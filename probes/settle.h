// Baseline and settle logic: pure functions over samples, no I/O (unit-testable).
//
// A verdict must be stable: baseline and final values are medians of several samples, and
// settling ends only when the last `window` samples of every asserted resource are within
// its limit — one lucky low sample does not end it.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace leakgate::probes {

// Median of `values` (mean of the middle two for an even count); nullopt when empty.
std::optional<double> Median(std::vector<double> values);

// One resource reading per name ("goroutines", "fds", ...). A resource missing from a
// sample was not readable at that moment.
using ResourceSample = std::map<std::string, double>;

// Median per resource over the samples that have it.
std::map<std::string, double> MedianOf(const std::vector<ResourceSample>& samples);

// Decides when the target has settled back to its limits.
//
// Feed samples in time order with Add(); Settled() is true once the last `window` samples
// each have every limited resource at or below its limit. Final() is the median of the
// last `window` samples (fewer if fewer were added), which is what the verdict compares
// against the limits whether or not the target settled.
class SettleTracker {
 public:
  SettleTracker(std::map<std::string, double> limits, int window);

  void Add(ResourceSample sample);
  bool Settled() const;
  // True once 2 × window samples were seen and, for every limited resource, the median of
  // the last window is not below the median of the window before it by more than that
  // resource's `noise`: the resource stopped falling. Used between load cycles, where a
  // resource that grew for good (a warm cache) must not cost the whole settle budget.
  bool Plateaued(const std::map<std::string, double>& noise) const;
  std::map<std::string, double> Final() const;
  size_t samples_seen() const { return seen_; }

 private:
  std::map<std::string, double> limits_;
  size_t window_;
  std::vector<ResourceSample> recent_;  // at most 2 × window_ samples, oldest first
  size_t seen_ = 0;
};

// Measurement noise of one resource over baseline samples: a robust standard deviation
// (1.4826 × median absolute deviation), floored at max(1, 0.2 % of the median) so that a
// resource that read the same value every time still has a non-zero noise.
double NoiseOf(const std::vector<ResourceSample>& samples, const std::string& resource);

// Least-squares growth per cycle of `values` (the settled value after cycle 1, 2, ... N):
// slope, its standard error given a per-point noise σ (σ / sqrt(Σ(x − x̄)²)), and
// significant = slope > 3 × standard error. Fewer than two values: slope 0, not
// significant.
struct GrowthFit {
  double slope = 0;
  double standard_error = 0;
  bool significant = false;
};
GrowthFit FitGrowth(const std::vector<double>& values, double noise);

}  // namespace leakgate::probes
