// Sharding: one scenario's load spread over N leakgate instances (leakgate run --shard I/N).
//
// ShareOf splits a count so that the N shares sum exactly to the whole: every shard gets
// ⌊total/N⌋ and the first total mod N shards one more. ShardScenario applies it to every
// phase — rate and rate_to are divided by N (a shard's arrivals are the whole's thinned
// by N); concurrency (closed-model users), max_in_flight, connections.pool,
// connections.max and grpc.connections are split by ShareOf (a bound that was set stays
// ≥ 1 so that it never becomes "no bound") — and splits every replay recording by line:
// record k goes to shard k mod N, keeping its recorded offset, so the union of the shards
// replays the whole file at its pace. A shard whose share of a phase is zero users idles
// through it. Everything else (templates, faults, timeouts) is the same for every shard.
//
// PhaseSequence is the order in which a run executes phases — warm-ups once, then the
// load phases once per assert.cycles — the steps that shards and their coordinator count
// the same way. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "harness/base/status.h"
#include "harness/scenario/scenario.h"

namespace leakgate::scenario {

struct ShardSpec {
  int index = 0;  // 0 ≤ index < count (Kubernetes' JOB_COMPLETION_INDEX)
  int count = 1;
  std::string str() const;  // "I/N"
};

// "I/N" with 0 ≤ I < N ≤ kMaxShards; kInvalidArgument otherwise.
inline constexpr int kMaxShards = 1024;
StatusOr<ShardSpec> ParseShardSpec(std::string_view text);

// Shard `index`'s share of `total` (see above).
int64_t ShareOf(int64_t total, const ShardSpec& shard);

// `s` with the load of shard `shard` only (see above).
Scenario ShardScenario(const Scenario& s, const ShardSpec& shard);

struct PhaseStep {
  size_t phase = 0;  // index into Scenario::phases
  int cycle = 0;     // 0 for warm-up phases, else 1..assert.cycles
};
std::vector<PhaseStep> PhaseSequence(const Scenario& s);

}  // namespace leakgate::scenario
