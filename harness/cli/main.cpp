// leakgate command line: `leakgate run SCENARIO`, `leakgate validate SCENARIO`.
//
// Exit codes (reports/run_result.h): 0 pass, 1 leak, 2 bad input (scenario, flags),
// 3 target failed, 4 non-leak threshold failed, 70 leakgate's own bug, 130 interrupted.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "harness/cli/load_command.h"
#include "harness/runner/interrupt.h"
#include "harness/runner/ports.h"
#include "harness/runner/runner.h"
#include "harness/scenario/scenario_loader.h"
#include "reports/console_report.h"
#include "reports/run_result.h"

namespace {

using leakgate::reports::ExitCode;

struct CommonArgs {
  std::string scenario_path;
  std::vector<std::string> vars;
};

// --var k=v list → map; a malformed entry is a flag error naming the value.
std::map<std::string, std::string> ParseVars(const std::vector<std::string>& vars) {
  std::map<std::string, std::string> out;
  for (const auto& kv : vars) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw CLI::ValidationError("--var", fmt::format("expected NAME=VALUE, got \"{}\"", kv));
    }
    out[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return out;
}

leakgate::scenario::Scenario Load(const CommonArgs& args) {
  leakgate::scenario::LoadOptions options;
  options.var_overrides = ParseVars(args.vars);
  options.allocate_port = [] { return leakgate::runner::AllocateLoopbackPort(); };
  return leakgate::scenario::LoadScenarioFile(args.scenario_path, options);
}

void AddCommon(CLI::App& cmd, CommonArgs& args) {
  cmd.add_option("scenario", args.scenario_path, "scenario YAML file")->required();
  cmd.add_option("--var", args.vars, "override a scenario variable: --var NAME=VALUE (repeatable)");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"leakgate: load and chaos for Go services, with leak assertions"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "leakgate 0.1.0");

  CommonArgs run_args;
  std::string out_dir;
  bool quiet = false;
  auto* run = app.add_subcommand("run", "run a scenario and assert the target returns to baseline");
  AddCommon(*run, run_args);
  run->add_option("--out", out_dir, "write result.json, target.log and goroutine dumps to this directory");
  run->add_flag("-q,--quiet", quiet, "no live progress, only the summary");

  CommonArgs validate_args;
  auto* validate = app.add_subcommand("validate", "check a scenario file and print what it resolves to");
  AddCommon(*validate, validate_args);

  CLI::App* load = nullptr;  // `leakgate load URL`: pure load, see load_command.h
  const auto run_load = leakgate::cli::AddLoadCommand(app, &load);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help/version or the error naming the flag
    return code == 0 ? ExitCode::kExitPass : ExitCode::kExitBadInput;
  }

  try {
    if (*load) return run_load();
    if (*validate) {
      const auto s = Load(validate_args);
      fmt::print("{}: ok — {} phase(s), {} traffic entr{}, target {}\n", s.file, s.phases.size(), s.traffic.size(),
                 s.traffic.size() == 1 ? "y" : "ies", s.target.url);
      return ExitCode::kExitPass;
    }

    leakgate::scenario::Scenario scenario;
    try {
      scenario = Load(run_args);
    } catch (const CLI::ValidationError& e) {
      std::cerr << "leakgate: " << e.what() << "\n";
      return ExitCode::kExitBadInput;
    }
    leakgate::runner::InterruptHandler interrupts;
    leakgate::runner::RunOptions options;
    options.out_dir = out_dir;
    options.stop = &leakgate::runner::InterruptHandler::StopFlag();
    if (!quiet) options.progress = [](const std::string& line) { fmt::print(stderr, "leakgate: {}\n", line); };
    leakgate::reports::RunResult result;
    try {
      result = leakgate::runner::Run(scenario, options);
    } catch (const leakgate::runner::RunError& e) {
      std::cerr << "leakgate: " << e.what() << "\n";
      return ExitCode::kExitBadInput;
    }
    fmt::print("{}", leakgate::reports::FormatSummary(result));
    if (!out_dir.empty()) fmt::print("report: {}/result.json\n", out_dir);
    std::fflush(stdout);
    return result.exit_code;
  } catch (const leakgate::scenario::ScenarioError& e) {
    std::cerr << "leakgate: " << e.what() << "\n";
    return ExitCode::kExitBadInput;
  } catch (const CLI::ValidationError& e) {
    std::cerr << "leakgate: " << e.what() << "\n";
    return ExitCode::kExitBadInput;
  } catch (const std::invalid_argument& e) {
    std::cerr << "leakgate: " << e.what() << "\n";
    return ExitCode::kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "leakgate: internal error: " << e.what() << "\n";
    return ExitCode::kExitInternal;
  }
}
