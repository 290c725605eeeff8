// `leakgate diff BEFORE AFTER [--tolerance N] [--top N] [--json] [--no-default-ignores]`:
// two saved goroutine dumps (goroutine?debug=2, e.g. taken in production with curl) in,
// the goroutine groups (top user function, created by, state) that grew out, largest
// first, each with one stack in goleak's shape. The default ignore rules of a run
// (probes/ignore_rules.h: the dump writer, idle net/http connections, gRPC transport)
// apply unless --no-default-ignores. Exits 1 when any group grew by more than
// --tolerance goroutines (default 0), 0 otherwise, 2 when a file cannot be read or is
// not a debug=2 dump.
#pragma once

#include <CLI/CLI.hpp>

#include "harness/cli/cli_common.h"

namespace leakgate::cli {

Command AddDiffCommand(CLI::App& app);

}  // namespace leakgate::cli
