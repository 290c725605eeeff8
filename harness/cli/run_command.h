// `leakgate run SCENARIO [--out DIR] [--var NAME=VALUE]... [--quiet]`: one run of a
// scenario, start to verdict (runner::Run), with the console of live_console.h and the
// summary on stdout; exits with the run's exit code (reports/run_result.h).
// RunWithConsole is shared with `leakgate check`, which builds its scenario in code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "harness/cli/cli_common.h"
#include "harness/runner/runner.h"
#include "harness/scenario/scenario.h"

namespace leakgate::cli {

struct RunFlags {
  std::string out_dir;  // --out: reports and artifacts; "" keeps nothing
  bool quiet = false;   // --quiet: no live view, no progress lines
};

// Adds --out and --quiet to `cmd`.
void AddRunFlags(CLI::App& cmd, RunFlags& flags);

// Runs `scenario` (with SIGINT/SIGTERM handling), prints the summary and returns the
// exit code. An unusable --out exits 2. `run` is what runs it (runner::Run, or the
// coordinator's runner::Coordinate).
using RunFunction = std::function<reports::RunResult(const scenario::Scenario&, const runner::RunOptions&)>;
int RunWithConsole(const scenario::Scenario& scenario, const RunFlags& flags, const RunFunction& run = runner::Run);

Command AddRunCommand(CLI::App& app);

}  // namespace leakgate::cli
