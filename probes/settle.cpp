#include "probes/settle.h"

#include <algorithm>
#include <cmath>

namespace leakgate::probes {

std::optional<double> Median(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  const size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
  const double upper = values[mid];
  if (values.size() % 2 == 1) return upper;
  const double lower = *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lower + upper) / 2;
}

std::map<std::string, double> MedianOf(const std::vector<ResourceSample>& samples) {
  std::map<std::string, std::vector<double>> series;
  for (const auto& s : samples) {
    for (const auto& [name, value] : s) series[name].push_back(value);
  }
  std::map<std::string, double> medians;
  for (auto& [name, values] : series) medians[name] = *Median(std::move(values));
  return medians;
}

SettleTracker::SettleTracker(std::map<std::string, double> limits, int window)
    : limits_(std::move(limits)), window_(static_cast<size_t>(std::max(1, window))) {}

void SettleTracker::Add(ResourceSample sample) {
  recent_.push_back(std::move(sample));
  if (recent_.size() > 2 * window_) recent_.erase(recent_.begin());
  ++seen_;
}

bool SettleTracker::Settled() const {
  if (recent_.size() < window_) return false;
  for (auto it = recent_.end() - static_cast<std::ptrdiff_t>(window_); it != recent_.end(); ++it) {
    const auto& sample = *it;
    for (const auto& [name, limit] : limits_) {
      const auto value = sample.find(name);
      if (value == sample.end() || value->second > limit) return false;
    }
  }
  return true;
}

bool SettleTracker::Plateaued(const std::map<std::string, double>& noise) const {
  if (recent_.size() < 2 * window_) return false;
  const auto mid = recent_.begin() + static_cast<std::ptrdiff_t>(recent_.size() - window_);
  const auto earlier = MedianOf({recent_.begin(), mid});
  const auto later = MedianOf({mid, recent_.end()});
  for (const auto& [name, limit] : limits_) {
    const auto e = earlier.find(name);
    const auto l = later.find(name);
    if (e == earlier.end() || l == later.end()) return false;
    const auto n = noise.find(name);
    const double allowed = n == noise.end() ? 0 : n->second;
    if (l->second < e->second - allowed) return false;  // still falling
  }
  return true;
}

std::map<std::string, double> SettleTracker::Final() const {
  const size_t n = std::min(window_, recent_.size());
  return MedianOf({recent_.end() - static_cast<std::ptrdiff_t>(n), recent_.end()});
}

double NoiseOf(const std::vector<ResourceSample>& samples, const std::string& resource) {
  std::vector<double> values;
  for (const auto& s : samples) {
    if (auto it = s.find(resource); it != s.end()) values.push_back(it->second);
  }
  const double median = Median(values).value_or(0);
  std::vector<double> deviations;
  for (const double v : values) deviations.push_back(std::abs(v - median));
  const double mad = Median(std::move(deviations)).value_or(0);
  return std::max({1.4826 * mad, 1.0, 0.002 * std::abs(median)});
}

GrowthFit FitGrowth(const std::vector<double>& values, double noise) {
  GrowthFit fit;
  const size_t n = values.size();
  if (n < 2) return fit;
  const double x_mean = (static_cast<double>(n) + 1) / 2;  // x = 1..n
  double y_mean = 0;
  for (const double v : values) y_mean += v;
  y_mean /= static_cast<double>(n);
  double sxx = 0, sxy = 0;
  for (size_t i = 0; i < n; ++i) {
    const double dx = static_cast<double>(i + 1) - x_mean;
    sxx += dx * dx;
    sxy += dx * (values[i] - y_mean);
  }
  fit.slope = sxy / sxx;
  fit.standard_error = noise / std::sqrt(sxx);
  fit.significant = fit.slope > 3 * fit.standard_error;
  return fit;
}

}  // namespace leakgate::probes
