// `leakgate check URL --hit 'GET /path' [--hit ...] [--rate R] [--duration D]
//  [--cancel-after D] [--settle D] [--threshold EXPR]... [--pprof PATH] [--out DIR]`: a run without YAML, for
// reproducing a leak on a laptop against a service that is already running at URL.
//
// The scenario is built in code (CheckScenario): target.url = URL (ready once its probe
// endpoint answers), one traffic entry per --hit, equally weighted; a warm-up phase at
// the same rate without faults; a load phase at --rate for --duration, every request (or
// --cancel-share of them) cancelled by the client --cancel-after its start when given;
// then up to --settle for the goroutines to return within --tolerance of the baseline.
// Each --threshold is a threshold of the load phase (FORMAT.md, "thresholds").
// It runs through runner::Run like `leakgate run`: the same live view, verdicts, reports
// (--out) and exit codes. Loopback URLs only.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "harness/base/status.h"
#include "harness/cli/cli_common.h"
#include "harness/scenario/scenario.h"

namespace leakgate::cli {

struct CheckArgs {
  std::string url;
  std::vector<std::string> hits;  // "GET /path" or "/path"
  double rate = 50;
  std::string duration = "10s";
  std::string warmup = "1s";
  std::string cancel_after;       // "" = no cancel fault
  double cancel_share = 1.0;
  std::string settle = "10s";
  int64_t tolerance = 5;
  std::string pprof = "/debug/pprof";
  std::vector<std::string> thresholds;  // --threshold "p99 < 50ms" on the load phase (exit 4)
};

// The scenario `check` runs; kInvalidArgument / kPermissionDenied naming the flag.
StatusOr<scenario::Scenario> CheckScenario(const CheckArgs& args);

Command AddCheckCommand(CLI::App& app);

}  // namespace leakgate::cli
