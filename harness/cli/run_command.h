// `leakgate run SCENARIO [--out DIR] [--var NAME=VALUE]... [--quiet]`: one run of a
// scenario, start to verdict (runner::Run), with the console of live_console.h and the
// summary on stdout; exits with the run's exit code (reports/run_result.h).
// RunWithConsole is shared with `leakgate check`, which builds its scenario in code.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "harness/cli/cli_common.h"
#include "harness/scenario/scenario.h"

namespace leakgate::cli {

struct RunFlags {
  std::string out_dir;  // --out: reports and artifacts; "" keeps nothing
  bool quiet = false;   // --quiet: no live view, no progress lines
};

// Adds --out and --quiet to `cmd`.
void AddRunFlags(CLI::App& cmd, RunFlags& flags);

// Runs `scenario` (with SIGINT/SIGTERM handling), prints the summary and returns the
// exit code. An unusable --out exits 2.
int RunWithConsole(const scenario::Scenario& scenario, const RunFlags& flags);

Command AddRunCommand(CLI::App& app);

}  // namespace leakgate::cli
