#include "probes/verdict.h"

#include <fmt/format.h>

#include <algorithm>

#include "probes/ignore_rules.h"
#include "probes/leak_attribution.h"
#include "probes/sampler.h"
#include "probes/settle.h"
#include "probes/thresholds.h"

namespace leakgate::probes {

namespace {

constexpr size_t kHeapSitesReported = 10;

using reports::AssertionKind;
using reports::AssertionResult;

// One leak assertion: final against limit, or (cycles ≥ 2) the growth from cycle to cycle.
AssertionResult JudgeResource(const VerdictInput& in, const std::string& name, double limit) {
  AssertionResult a;
  a.name = name;
  a.baseline = in.baseline.contains(name) ? in.baseline.at(name) : 0;
  a.final = in.final.contains(name) ? in.final.at(name) : a.baseline;
  a.limit = limit;
  a.noise = in.noise.contains(name) ? in.noise.at(name) : 0;
  if (in.cycles.size() <= 1) {
    a.passed = a.final <= limit;
    return a;
  }
  // Growth that stopped after the first cycle passes; growth that continues from cycle to
  // cycle (a significant slope) beyond the tolerance over cycle 1 fails.
  std::vector<double> settled;
  for (const auto& c : in.cycles) settled.push_back(c.values.contains(name) ? c.values.at(name) : a.baseline);
  const auto fit = FitGrowth(settled, a.noise);
  a.slope_per_cycle = fit.slope;
  a.slope_standard_error = fit.standard_error;
  a.growth_significant = fit.significant;
  const auto* tolerance = in.assert.Find(name);
  a.limit = tolerance != nullptr ? tolerance->limit(settled.front()) : limit;
  a.passed = !(fit.significant && a.final > a.limit);
  a.detail = fmt::format("{:+.6g} per cycle over {} cycles (standard error {:.3g}){}", fit.slope, settled.size(),
                         fit.standard_error, fit.significant ? ", significant" : "");
  return a;
}

AssertionResult JudgeProvenLeaks(const VerdictInput& in, const std::vector<reports::GoroutineLeak>& proven) {
  int64_t count = 0;
  for (const auto& l : proven) count += l.count;
  AssertionResult a;
  a.name = "proven_leaks";
  a.final = static_cast<double>(count);
  a.passed = count == 0 || !in.assert.proven_leaks_fail;
  a.detail = "goroutines the runtime's goroutineleak profile proved leaked, beyond baseline";
  return a;
}

// The drop a forced GC caused at settle against the baseline's drop plus the tolerance
// (assert.fds_closed_by_gc, else the fds tolerance as an absolute count).
std::optional<AssertionResult> JudgeClosedByGc(const VerdictInput& in) {
  const auto& ev = in.evidence;
  if (!ev.final_closed_by_gc) return std::nullopt;
  const double baseline = ev.baseline_closed_by_gc ? static_cast<double>(ev.baseline_closed_by_gc->count) : 0;
  double limit = 0;
  if (in.assert.fds_closed_by_gc) {
    limit = in.assert.fds_closed_by_gc->limit(baseline);
  } else if (in.limits.contains(kFds) && in.baseline.contains(kFds)) {
    limit = baseline + (in.limits.at(kFds) - in.baseline.at(kFds));
  } else {
    return std::nullopt;
  }
  AssertionResult a;
  a.name = "fds_closed_by_gc";
  a.baseline = baseline;
  a.final = static_cast<double>(ev.final_closed_by_gc->count);
  a.limit = limit;
  a.passed = a.final <= a.limit;
  a.detail = "descriptors closed by a forced GC at settle (finalizers): never closed by the code";
  return a;
}

std::optional<AssertionResult> JudgeErrorRate(const VerdictInput& in) {
  if (!in.assert.max_error_rate) return std::nullopt;
  int64_t requests = 0, errors = 0;
  for (const auto& p : in.phases) {
    if (p.warmup) continue;
    requests += p.requests;
    errors += p.errors;
  }
  AssertionResult a;
  a.name = "error_rate";
  a.kind = AssertionKind::kThreshold;
  a.final = requests > 0 ? static_cast<double>(errors) / static_cast<double>(requests) : 0;
  a.limit = *in.assert.max_error_rate;
  a.passed = a.final <= a.limit;
  a.detail = fmt::format("{} errors in {} requests", errors, requests);
  return a;
}

bool Failed(const std::vector<AssertionResult>& assertions, std::string_view name) {
  return std::any_of(assertions.begin(), assertions.end(), [&](const auto& a) { return a.name == name && !a.passed; });
}

// "leak: goroutines 4 → 1203 (limit 9); top: 1199 × main.f [chan send]".
std::string LeakMessage(const VerdictOutput& v) {
  std::vector<std::string> parts;
  for (const auto& a : v.assertions) {
    if (!a.passed && a.kind == AssertionKind::kLeak) {
      parts.push_back(fmt::format("{} {} → {} (limit {})", a.name, a.baseline, a.final, a.limit));
    }
  }
  std::string message = fmt::format("leak: {}", fmt::join(parts, "; "));
  if (!v.leaks.empty()) {
    const auto& top = v.leaks.front();
    message += fmt::format("; top: {} × {} [{}]{}", top.count, top.function, top.state,
                           top.evidence == reports::LeakEvidence::kGrew ? "" : ", proven by the runtime");
  } else if (!v.proven_leaks.empty()) {
    const auto& top = v.proven_leaks.front();
    message += fmt::format("; proven: {} × {}", top.count, top.function);
  } else if (!v.heap_growth.empty()) {
    const auto& top = v.heap_growth.front();
    message += fmt::format("; top heap site: {} (+{} bytes, +{} objects)", top.function, top.bytes, top.objects);
  } else if (!v.fd_leaks.empty()) {
    message += fmt::format("; top: {} × fd {}", v.fd_leaks.front().count, v.fd_leaks.front().target);
  } else if (!v.fds_closed_by_gc.empty()) {
    message += fmt::format("; closed only by a GC: {} × fd {}", v.fds_closed_by_gc.front().count,
                           v.fds_closed_by_gc.front().target);
  }
  return message;
}

// "threshold failed: p99 < 50ms [load]: p99 63.2ms over 812 requests (and 1 more)".
std::string ThresholdMessage(const std::vector<AssertionResult>& assertions) {
  std::vector<const AssertionResult*> failed;
  for (const auto& a : assertions) {
    if (!a.passed && a.kind == AssertionKind::kThreshold) failed.push_back(&a);
  }
  const auto& first = *failed.front();
  std::string message = first.name == "error_rate"
                            ? "threshold failed: error rate above assert.max_error_rate"
                            : fmt::format("threshold failed: {} [{}]: {}", first.name, first.phase, first.detail);
  if (failed.size() > 1) message += fmt::format(" (and {} more)", failed.size() - 1);
  return message;
}

}  // namespace

LeakLimits ComputeLeakLimits(const scenario::Assert& assert, const std::map<std::string, double>& baseline) {
  LeakLimits out;
  for (const auto& [name, tolerance] : assert.resources) {
    const auto it = baseline.find(name);
    if (it == baseline.end()) {
      out.warnings.push_back(fmt::format("assert.{}: not measurable for this target (skipped)", name));
      continue;
    }
    out.limits[name] = tolerance.limit(it->second);
  }
  return out;
}

VerdictOutput Judge(const VerdictInput& in) {
  VerdictOutput v;
  const auto ignore = IgnoreRulesOf(in.assert);
  const Grouping grouping{in.assert.group_by_labels};
  const auto& ev = in.evidence;
  for (const auto& [name, limit] : in.limits) v.assertions.push_back(JudgeResource(in, name, limit));
  if (ev.baseline_leak_profile && ev.final_leak_profile) {
    v.proven_leaks = ProvenLeaks(*ev.baseline_leak_profile, *ev.final_leak_profile, ignore, grouping);
    v.assertions.push_back(JudgeProvenLeaks(in, v.proven_leaks));
  }
  if (auto closed = JudgeClosedByGc(in)) v.assertions.push_back(std::move(*closed));
  const bool leak_failed = std::any_of(v.assertions.begin(), v.assertions.end(),
                                       [](const auto& a) { return !a.passed && a.kind == AssertionKind::kLeak; });
  // Attribution is reported only for the resources that failed.
  if (Failed(v.assertions, kGoroutines) || Failed(v.assertions, "proven_leaks")) {
    std::vector<reports::GoroutineLeak> grown;
    if (ev.baseline_dump && ev.final_dump) grown = GrownGoroutines(*ev.baseline_dump, *ev.final_dump, ignore, grouping);
    v.leaks = MergeEvidence(std::move(grown), v.proven_leaks);
  }
  if ((Failed(v.assertions, kFds) || Failed(v.assertions, kSockets)) && ev.baseline_fds && ev.final_fds) {
    v.fd_leaks = GrownFds(*ev.baseline_fds, *ev.final_fds);
  }
  if (Failed(v.assertions, "fds_closed_by_gc")) {
    for (const auto& g : ev.final_closed_by_gc->closed) v.fds_closed_by_gc.push_back({g.count, g.target});
  }
  if ((Failed(v.assertions, kHeapInuseBytes) || Failed(v.assertions, kHeapObjects)) && ev.baseline_heap && ev.final_heap) {
    v.heap_growth = HeapGrowthSites(*ev.baseline_heap, *ev.final_heap, kHeapSitesReported);
  }
  if (auto rate = JudgeErrorRate(in)) v.assertions.push_back(std::move(*rate));
  for (auto& t : JudgeThresholds(in.phase_specs, in.phases)) v.assertions.push_back(std::move(t));
  const bool threshold_failed = std::any_of(v.assertions.begin(), v.assertions.end(), [](const auto& a) {
    return !a.passed && a.kind == AssertionKind::kThreshold;
  });

  if (leak_failed) {
    v.verdict = reports::Verdict::kFail;
    v.exit_code = reports::kExitLeak;
    v.message = LeakMessage(v);
  } else if (threshold_failed) {
    v.verdict = reports::Verdict::kFail;
    v.exit_code = reports::kExitThreshold;
    v.message = ThresholdMessage(v.assertions);
  } else {
    v.verdict = reports::Verdict::kPass;
    v.exit_code = reports::kExitPass;
    v.message = in.cycles.size() > 1 ? fmt::format("no asserted resource kept growing over {} cycles", in.cycles.size())
                                     : "every asserted resource returned to baseline";
  }
  return v;
}

}  // namespace leakgate::probes
