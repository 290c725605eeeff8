// The verdict on the thresholds of the phases (`thresholds: ["p99 < 50ms", "errors < 1%"]`,
// harness/scenario/threshold.h) over the phases' load results. Pure functions over values:
// nothing here fetches or sleeps, so every rule is unit-tested without a target.
//
//   latency  the corrected latency (from the intended send time) of the completed requests
//   errors   failed share of the completed requests (ok + errors), in percent; requests
//            ended by a planned client fault (cancelled) or by the run's stop are left out
//   rate     requests sent per second of the phase against the rate it asked (a ramp: its
//            mean rate), in percent
//   req/s    requests sent per second of the phase
//
// A phase that ran once per load cycle (assert.cycles ≥ 2) holds a threshold only when
// every cycle does; the worst cycle is reported. A value that cannot be measured (no
// request completed, the phase never ran) fails the threshold.
// Thread-safety: pure functions; inputs are read-only.
#pragma once

#include <optional>
#include <vector>

#include "harness/scenario/scenario.h"
#include "reports/run_result.h"

namespace leakgate::probes {

// `metric` over one phase's result, in the metric's unit (ms, %, req/s); nullopt when the
// phase has no such value.
std::optional<double> MeasureThreshold(scenario::Threshold::Metric metric, const reports::PhaseResult& phase);

// One assertion of kind kThreshold per threshold, in scenario order (phases, then the
// thresholds of each), named by the threshold's text and bound to its phase.
std::vector<reports::AssertionResult> JudgeThresholds(const std::vector<scenario::Phase>& phases,
                                                      const std::vector<reports::PhaseResult>& results);

}  // namespace leakgate::probes
