// What the subcommands share: the Command handle main() dispatches on, --var parsing,
// scenario loading, the loopback rule for URLs given on the command line, and the
// top-level translation of setup exceptions into exit codes (reports/run_result.h:
// 2 bad input, 70 leakgate's own bug). Messages go to stderr and name the flag or the
// file:line:column. Thread-safety: main's thread only.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "harness/base/status.h"
#include "harness/scenario/scenario.h"

namespace leakgate::cli {

// A subcommand: its CLI11 app (parsed() tells whether it was chosen) and what runs it
// after parsing, returning the exit code.
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

// --var NAME=VALUE list → map. Throws CLI::ValidationError naming --var and the value.
std::map<std::string, std::string> ParseVars(const std::vector<std::string>& vars);

// The scenario at `path` with `vars` applied and ports allocated on loopback. Throws
// scenario::ScenarioError (file:line:column) and CLI::ValidationError (--var).
// `allow_hosts`: --allow-host (checked by the caller).
scenario::Scenario LoadScenario(const std::string& path, const std::vector<std::string>& vars,
                                const std::vector<std::string>& allow_hosts = {});

// An http:// URL given on the command line, split, after the address policy
// (harness/net/address_policy.h) with an empty allow list: loopback only (127.0.0.0/8,
// ::1, localhost, in any spelling); nothing is resolved or sent before this check.
struct LoopbackUrl {
  std::string base;  // "http://127.0.0.1:8080" (scheme and authority, no path)
  std::string path;  // "/api" or "" (no trailing '/')
  std::string host;  // decoded, without brackets: "127.0.0.1", "::1", "localhost"
  uint16_t port = 80;  // as written, or 80
};
// kInvalidArgument for a URL that does not parse or is not http://; kPermissionDenied for
// a host that is not loopback. Messages start with `flag` ("URL: ", "--pprof: ").
StatusOr<LoopbackUrl> ParseLoopbackUrl(const std::string& url, const std::string& flag);

// A CLI11 check for a whole number ≥ `min`; its message names the flag through CLI11:
// "--tolerance: must be a whole number >= 0, got -1".
CLI::Validator WholeNumberAtLeast(int64_t min);

// When argv[1] names no subcommand of `app` (and is not a flag), the message for it:
// "unknown command \"rn\" (did you mean 'run'?); commands: run, validate, ..."; else "".
std::string UnknownCommandMessage(const CLI::App& app, int argc, const char* const* argv);

// Runs `body` and returns its exit code; a setup exception becomes a message on stderr
// ("leakgate: ...") and exit 2 (scenario, flag, bad value) or 70 (anything else).
int RunGuarded(const std::function<int()>& body);

// Prints "leakgate <command>: <message>" to stderr and returns `exit_code`.
int Fail(const std::string& command, const std::string& message, int exit_code);

}  // namespace leakgate::cli
