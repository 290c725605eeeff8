#include "harness/cli/run_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <vector>

#include "harness/cli/live_console.h"
#include "harness/cli/shard_command.h"
#include "harness/net/address_policy.h"
#include "harness/runner/interrupt.h"
#include "harness/runner/runner.h"
#include "reports/console_report.h"
#include "reports/run_result.h"

namespace leakgate::cli {

namespace {

constexpr const char* kRunExamples = R"(
Examples:
  leakgate run scenarios/demo.yaml --out out/demo           # leaky demo target: exit 1
  leakgate run scenarios/demo.yaml --var mode=fixed         # its fixed twin: exit 0
  leakgate run scenarios/leak-01-blocked-send.yaml --var load=3s --var settle=5s --quiet

On a terminal a live view is redrawn in place (phase, progress, req/s, errors, p99,
goroutines/heap/fds against the baseline); otherwise (CI logs) one line per event.
Exit codes: 0 pass, 1 leak, 2 bad input, 3 target failed, 4 threshold failed,
70 internal error, 130 interrupted. Reports go to --out DIR (report.html, junit.xml,
summary.md, result.json, samples.csv).

Sharded (see "Running at scale" in the README):
  leakgate run s.yaml --shard 0/3 --coordinator 127.0.0.1:7070 --out out/shard-0
  leakgate run s.yaml --shard 1/3 --start-at +5s --target-url http://127.0.0.1:8080 --out out/shard-1)";

struct RunArgs {
  std::string scenario_path;
  std::vector<std::string> vars;
  RunFlags flags;
  ShardFlags shard;
};

}  // namespace

void AddRunFlags(CLI::App& cmd, RunFlags& flags) {
  cmd.add_option("--out", flags.out_dir,
                 "write the reports (report.html, junit.xml, summary.md, result.json, samples.csv), target.log "
                 "and goroutine dumps to this directory");
  cmd.add_flag("-q,--quiet", flags.quiet, "no live view or progress lines, only the summary");
}

int RunWithConsole(const scenario::Scenario& scenario, const RunFlags& flags, const RunFunction& run) {
  runner::InterruptHandler interrupts;
  runner::RunOptions options;
  options.out_dir = flags.out_dir;
  options.stop = &runner::InterruptHandler::StopFlag();
  std::optional<LiveConsole> console;
  AttachConsole(ChooseConsoleMode(flags.quiet), options, console);
  reports::RunResult result;
  try {
    result = run(scenario, options);
  } catch (const runner::RunError& e) {
    return Fail("run", e.what(), reports::kExitBadInput);
  }
  if (console) console->Finish();
  fmt::print("{}", reports::FormatSummary(result));
  if (!flags.out_dir.empty()) fmt::print("report: {}/report.html\n", flags.out_dir);
  std::fflush(stdout);
  return result.exit_code;
}

Command AddRunCommand(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand("run", "run a scenario and assert the target returns to its baseline");
  cmd->add_option("scenario", args->scenario_path, "scenario YAML file")->required();
  cmd->add_option("--var", args->vars, "override a scenario variable: --var NAME=VALUE (repeatable)");
  AddRunFlags(*cmd, args->flags);
  AddShardFlags(*cmd, args->shard);
  cmd->footer(kRunExamples);
  return {cmd, [args] {
            // --allow-host before anything: a bad entry is a flag error, and the loader checks
            // dependency upstreams against it.
            const auto allow = net::AllowList::Parse(args->shard.allow_hosts, "--allow-host");
            if (!allow.ok()) return Fail("run", allow.status().message(), reports::kExitBadInput);
            const auto scenario = LoadScenario(args->scenario_path, args->vars, args->shard.allow_hosts);
            if (ShardRequested(args->shard)) return RunShardWithConsole(scenario, args->shard, args->flags);
            return RunWithConsole(scenario, args->flags, [&](const scenario::Scenario& s, const runner::RunOptions& run) {
              runner::RunOptions o = run;
              o.allow = *allow;  // the target, ready and probe URLs, and the traffic's
              return runner::Run(s, o);
            });
          }};
}

}  // namespace leakgate::cli
