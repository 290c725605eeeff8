// leakgate command line: parses with CLI11 and dispatches to the subcommands, one file
// pair each (run, validate, probe, diff, check, load, coordinate, merge).
//
// Exit codes (reports/run_result.h): 0 pass, 1 leak, 2 bad input (scenario, flags),
// 3 target failed, 4 non-leak threshold failed, 70 leakgate's own bug, 130 interrupted.
#include <CLI/CLI.hpp>

#include <iostream>
#include <vector>

#include "harness/cli/check_command.h"
#include "harness/cli/cli_common.h"
#include "harness/cli/coordinate_command.h"
#include "harness/cli/diff_command.h"
#include "harness/cli/load_command.h"
#include "harness/cli/probe_command.h"
#include "harness/cli/run_command.h"
#include "harness/cli/validate_command.h"
#include "reports/run_result.h"

namespace {

constexpr const char* kExamples = R"(
Examples:
  leakgate run scenarios/demo.yaml --out out/demo      # a scenario, start to verdict
  leakgate validate scenarios/demo.yaml                # check a scenario without running it
  leakgate check http://127.0.0.1:8080 --hit 'GET /work' --cancel-after 10ms
  leakgate probe http://127.0.0.1:8080                 # goroutine groups, heap, fds now
  leakgate diff before.txt after.txt                   # two goroutine?debug=2 dumps
  leakgate load http://127.0.0.1:8080/hello --rate 1000 --duration 5s
  leakgate coordinate s.yaml --shards 3 --listen 127.0.0.1:7070   # + 3 x run --shard I/3 --coordinator
  leakgate merge out/shard-0 out/shard-1 --out out/merged         # offline shard results

leakgate COMMAND --help shows each command's flags and examples.
Exit codes: 0 pass, 1 leak, 2 bad input, 3 target failed, 4 threshold failed,
70 internal error, 130 interrupted.)";

}  // namespace

int main(int argc, char** argv) {
  using leakgate::reports::ExitCode;
  CLI::App app{"leakgate: load and chaos for Go services, with leak assertions"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "leakgate 0.1.0");
  app.footer(kExamples);

  std::vector<leakgate::cli::Command> commands{
      leakgate::cli::AddRunCommand(app),   leakgate::cli::AddValidateCommand(app), leakgate::cli::AddCheckCommand(app),
      leakgate::cli::AddProbeCommand(app), leakgate::cli::AddDiffCommand(app), leakgate::cli::AddCoordinateCommand(app),
      leakgate::cli::AddMergeCommand(app)};
  CLI::App* load = nullptr;  // `leakgate load URL`: pure load, see load_command.h
  commands.push_back({nullptr, leakgate::cli::AddLoadCommand(app, &load)});
  commands.back().app = load;

  if (const auto unknown = leakgate::cli::UnknownCommandMessage(app, argc, argv); !unknown.empty()) {
    std::cerr << "leakgate: " << unknown << "\nRun with --help for more information.\n";
    return ExitCode::kExitBadInput;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help/version or the error naming the flag
    return code == 0 ? ExitCode::kExitPass : ExitCode::kExitBadInput;
  }
  for (const auto& command : commands) {
    if (command.app->parsed()) return leakgate::cli::RunGuarded(command.run);
  }
  return ExitCode::kExitBadInput;
}
