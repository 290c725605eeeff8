// Reading results back: the parts of result.json that sharded runs exchange — a shard's
// identity, health and phases (with their histograms) — as RunResult values.
//
// Contract: the input is what reports::ToJson / PhaseToJson wrote (any schema_version up to
// kResultSchemaVersion). Members that are missing take their defaults, so that a reader of
// a newer writer's output is lenient; members of the wrong type, histograms that no
// histogram can produce aside (checked where they are used, shard_merge.h), and documents
// that are no result are kInvalidArgument naming the member ("phases[2].latency_ms.count").
// Only the load side is read: probes, assertions, leaks and the timeline are not (shards
// have none). Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "harness/base/status.h"
#include "reports/run_result.h"

namespace leakgate::reports {

StatusOr<PhaseResult> PhaseFromJson(const nlohmann::json& j);

// A result.json's text → scenario name/file, started_at, duration, verdict, exit code,
// message, target url, warnings, shard, merged_shards and phases.
StatusOr<RunResult> LoadResultFromJson(std::string_view text);

}  // namespace leakgate::reports
