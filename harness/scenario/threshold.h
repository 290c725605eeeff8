// Thresholds besides leaks, k6-style: a phase's `thresholds: ["p99 < 50ms", "errors < 1%",
// "rate > 95%"]` (see FORMAT.md, "thresholds"). One expression is METRIC OP VALUE:
//
//   METRIC  p50 p90 p95 p99 p99.9 p99.99 max mean (latency, from the intended send time;
//           k6's p(95), avg and med are accepted too) | errors (failed share of the
//           completed requests) | rate (achieved share of the asked rate) | req/s (alias rps)
//   OP      <  <=  >  >=
//   VALUE   latency: a Go duration ("50ms", "1.5s"); errors and rate: a percentage in
//           [0, 100] ("1%", "99.5%"); req/s: a number ≥ 0
//
// Contract: ParseThreshold() is a pure function of its text. It returns the threshold, or
// the error with the 0-based byte offset in `text` of what is wrong, so the caller can
// place it at file:line:column (the YAML reader adds the offset to the value's column). It
// reads nothing past `text` and keeps no state. Thread-safety: none needed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

namespace leakgate::scenario {

struct Threshold {
  enum class Metric { kP50, kP90, kP95, kP99, kP999, kP9999, kMax, kMean, kErrors, kRate, kRequestsPerSecond };
  enum class Comparison { kLess, kLessOrEqual, kGreater, kGreaterOrEqual };
  Metric metric = Metric::kP99;
  Comparison comparison = Comparison::kLess;
  double limit = 0;    // ms for latency metrics, percent (0..100) for errors and rate, req/s
  std::string text;    // the expression as written, trimmed: the assertion's name in reports

  // Whether a measured value (in the limit's unit) satisfies the threshold.
  bool Holds(double value) const;
  bool IsLatency() const { return metric <= Metric::kMean; }
};

// "p99", "errors", "rate", "req/s" (the canonical spelling); "<", "<=", ">", ">=".
std::string_view MetricName(Threshold::Metric metric);
std::string_view ComparisonSymbol(Threshold::Comparison comparison);
// "ms", "%" or " req/s": the unit of the metric's values.
std::string_view MetricUnit(Threshold::Metric metric);

struct ThresholdSyntaxError {
  size_t offset = 0;    // 0-based byte offset into the parsed text
  std::string message;  // "unknown metric 'p98' (did you mean 'p99'?) ..."
};

std::variant<Threshold, ThresholdSyntaxError> ParseThreshold(std::string_view text);

}  // namespace leakgate::scenario
