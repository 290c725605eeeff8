#include "probes/thresholds.h"

#include <fmt/format.h>

#include <string>

namespace leakgate::probes {
namespace {

using scenario::Threshold;
using Metric = Threshold::Metric;

double LatencyOf(Metric metric, const reports::LatencySummary& l) {
  switch (metric) {
    case Metric::kP50: return l.p50_ms;
    case Metric::kP90: return l.p90_ms;
    case Metric::kP95: return l.p95_ms;
    case Metric::kP99: return l.p99_ms;
    case Metric::kP999: return l.p999_ms;
    case Metric::kP9999: return l.p9999_ms;
    case Metric::kMax: return l.max_ms;
    default: return l.mean_ms;
  }
}

// Whether `a` is a worse value than `b` for a threshold with this comparison: larger for
// an upper bound, smaller for a lower bound.
bool Worse(const Threshold& t, double a, double b) {
  const bool upper = t.comparison == Threshold::Comparison::kLess || t.comparison == Threshold::Comparison::kLessOrEqual;
  return upper ? a > b : a < b;
}

reports::AssertionResult JudgeOne(const scenario::Phase& phase, const Threshold& t,
                                  const std::vector<reports::PhaseResult>& results) {
  reports::AssertionResult a;
  a.name = t.text;
  a.kind = reports::AssertionKind::kThreshold;
  a.phase = phase.name;
  a.limit = t.limit;
  a.unit = std::string(scenario::MetricUnit(t.metric));
  const reports::PhaseResult* worst = nullptr;
  int runs = 0;
  bool unmeasured = false;
  for (const auto& r : results) {
    if (r.name != phase.name) continue;
    ++runs;
    const auto value = MeasureThreshold(t.metric, r);
    if (!value) {
      unmeasured = true;
      continue;
    }
    if (worst == nullptr || Worse(t, *value, a.final)) {
      worst = &r;
      a.final = *value;
    }
  }
  const std::string metric(scenario::MetricName(t.metric));
  if (runs == 0) {
    a.detail = "the phase did not run";
    return a;
  }
  if (unmeasured) {
    a.detail = fmt::format("no {} to compare: no request of the phase completed{}", metric,
                           runs > 1 ? " in at least one cycle" : "");
    return a;
  }
  a.passed = t.Holds(a.final);
  a.detail = fmt::format("{} {:.4g}{} over {} requests", metric, a.final, a.unit, worst->ok + worst->errors);
  if (runs > 1) a.detail += fmt::format(", the worst of {} cycles (cycle {})", runs, worst->cycle);
  return a;
}

}  // namespace

std::optional<double> MeasureThreshold(Metric metric, const reports::PhaseResult& phase) {
  const int64_t completed = phase.ok + phase.errors;
  switch (metric) {
    case Metric::kErrors:
      if (completed == 0) return std::nullopt;
      return 100.0 * static_cast<double>(phase.errors) / static_cast<double>(completed);
    case Metric::kRate:
      if (phase.target_rate <= 0) return std::nullopt;
      return 100.0 * phase.achieved_rate / phase.target_rate;
    case Metric::kRequestsPerSecond:
      return phase.achieved_rate;
    default:
      if (phase.latency.count == 0) return std::nullopt;
      return LatencyOf(metric, phase.latency);
  }
}

std::vector<reports::AssertionResult> JudgeThresholds(const std::vector<scenario::Phase>& phases,
                                                      const std::vector<reports::PhaseResult>& results) {
  std::vector<reports::AssertionResult> out;
  for (const auto& phase : phases) {
    for (const auto& t : phase.thresholds) out.push_back(JudgeOne(phase, t, results));
  }
  return out;
}

}  // namespace leakgate::probes
