#include "probes/settle.h"

#include <algorithm>

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
  if (recent_.size() > window_) recent_.erase(recent_.begin());
  ++seen_;
}

bool SettleTracker::Settled() const {
  if (recent_.size() < window_) return false;
  for (const auto& sample : recent_) {
    for (const auto& [name, limit] : limits_) {
      const auto it = sample.find(name);
      if (it == sample.end() || it->second > limit) return false;
    }
  }
  return true;
}

std::map<std::string, double> SettleTracker::Final() const { return MedianOf(recent_); }

}  // namespace leakgate::probes
