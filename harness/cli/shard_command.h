// The sharding flags of `leakgate run` (shard_runner.h):
//   --shard I/N           run shard I (0-based) of N: its share of every phase's load only
//   --start-at TIME       offline: the first phase starts at TIME (UTC "2026-12-02T03:30:00Z",
//                         "@UNIX_SECONDS" or "+5s"); later phases follow by their durations
//   --coordinator ADDR    coordinated: start times come from the coordinator, results go to it
//   --target-url URL      where the load goes when the scenario's target.url is not it
//   --allow-host HOST     allow a non-loopback coordinator or target host (the address policy)
// A shard writes result.json (with histograms) into --out and exits with its own health:
// 0 ran (or was told to stop), 3 coordinator lost, 2 bad input, 130 interrupted.
// Thread-safety: main's thread only.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "harness/cli/run_command.h"
#include "harness/scenario/scenario.h"

namespace leakgate::cli {

struct ShardFlags {
  std::string shard;        // "I/N"; "" = not a shard
  std::string start_at;
  std::string coordinator;
  std::string target_url;
  std::vector<std::string> allow_hosts;
  std::string register_timeout = "60s";
};

void AddShardFlags(CLI::App& cmd, ShardFlags& flags);

// True when any sharding flag was given (then --shard is required).
bool ShardRequested(const ShardFlags& flags);

// --allow-host values and the scenario file's safety.allow_hosts, together.
std::vector<std::string> AllowedHosts(const scenario::Scenario& scenario, const std::vector<std::string>& flag_hosts);

int RunShardWithConsole(const scenario::Scenario& scenario, const ShardFlags& shard, const RunFlags& flags);

}  // namespace leakgate::cli
