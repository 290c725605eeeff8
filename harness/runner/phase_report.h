// A phase's load result in the reports' terms (reports::PhaseResult): counts, latency
// summaries (with HDR-style percentile curves), per-entry breakdown, per-second timeline,
// fault and gRPC status counts. Pure functions.
#pragma once

#include "harness/load/load_engine.h"
#include "harness/scenario/scenario.h"
#include "harness/stats/histogram.h"
#include "reports/run_result.h"

namespace leakgate::runner {

// Percentiles p50 … p99.99, max and mean in ms, and the curve at HDR-style points
// (five per halving of the distance to 100 %, to 99.999 % or the last recorded value).
reports::LatencySummary Summarize(const stats::LatencyHistogram& h);

reports::PhaseResult ToPhaseResult(const scenario::Phase& phase, const load::PhaseLoadResult& load,
                                   const load::LoadEngine& engine);

}  // namespace leakgate::runner
