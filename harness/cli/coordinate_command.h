// `leakgate coordinate SCENARIO --shards N [--listen HOST:PORT] [--out DIR] [--var ...]`:
// the verdict of a sharded run (runner::Coordinate): it runs the target and the probes as
// `leakgate run` does while N `leakgate run --shard I/N --coordinator HOST:PORT` instances
// make the load. The listen address obeys the address policy: loopback unless --allow-host
// names it (0.0.0.0 in a pod). Exit codes as for run; a lost shard is 3, naming it.
// `leakgate merge DIR... [--out DIR]`: offline shard results (their result.json) combined
// into one result.json and every report (runner::MergeShardResults).
// Thread-safety: main's thread only.
#pragma once

#include <CLI/CLI.hpp>

#include "harness/cli/cli_common.h"

namespace leakgate::cli {

Command AddCoordinateCommand(CLI::App& app);
Command AddMergeCommand(CLI::App& app);

}  // namespace leakgate::cli
