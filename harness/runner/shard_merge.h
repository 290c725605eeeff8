// Merging shard results (leakgate merge, and the coordinator after every phase).
//
// Counts are sums; rates are sums (each shard ran its share of the rate); duration and
// workers: the longest duration, the sum of workers. Latency figures are recomputed from the
// shards' histograms merged bucket by bucket, so merged percentiles are those of one
// histogram that recorded every request (the histogram's ≤ 0.8 % bucket error, nothing
// more). The per-second timeline adds the shards' counts second by second; its p99 is the
// highest of the shards' p99s for that second (a bound: per-second histograms are not kept).
// By-traffic entries merge by name.
//
// Errors (kInvalidArgument, naming the shard and the member): a latency summary with
// requests but no histogram (not a shard result), a histogram no LatencyHistogram can
// hold, phases that differ in name or order between shards, shard results of different
// runs (count, scenario), a missing or repeated shard index. Thread-safety: pure functions.
#pragma once

#include <vector>

#include "harness/base/status.h"
#include "reports/run_result.h"

namespace leakgate::runner {

// One phase of several shards. `labels` (parallel to `shards`) name them in errors.
StatusOr<reports::PhaseResult> MergePhaseResults(const std::vector<const reports::PhaseResult*>& shards,
                                                 const std::vector<std::string>& labels);

// Whole shard results, one per index 0..N-1 in any order. The merged result has no shard
// info, merged_shards = N, the phases merged, the shards' warnings (prefixed "shard I: ").
// Its verdict: pass (exit 0, a load-only result: shards do not probe) when every shard
// passed; else error with the first failed shard's exit code, naming it.
StatusOr<reports::RunResult> MergeShardResults(const std::vector<reports::RunResult>& shards);

}  // namespace leakgate::runner
