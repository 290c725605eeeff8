#include "harness/cli/validate_command.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/load/load_engine.h"
#include "harness/net/address_policy.h"
#include "harness/runner/readiness.h"
#include "harness/scenario/scenario_hosts.h"
#include "harness/scenario/scenario_loader.h"
#include "reports/report_text.h"
#include "reports/run_result.h"

namespace leakgate::cli {

namespace {

constexpr const char* kValidateExamples = R"(
Examples:
  leakgate validate scenarios/demo.yaml
  leakgate validate my-service.yaml --var rate=50

Checks the YAML, templates, CSV and replay files, and the gRPC protos and requests
(unless they come from server reflection, which needs the service running). Starts
nothing, sends nothing. Exit 0 when valid, 2 with file:line:column otherwise.)";

struct ValidateArgs {
  std::string scenario_path;
  std::vector<std::string> vars;
  std::vector<std::string> allow_hosts;  // --allow-host, as for run
};

std::string Seconds(scenario::Duration d) { return fmt::format("{:.1f}s", std::chrono::duration<double>(d).count()); }

std::string DescribePhase(const scenario::Phase& p) {
  std::string load;
  if (p.concurrency > 0) {
    load = fmt::format("with {} users", p.concurrency);
  } else if (!p.replay.empty()) {
    load = fmt::format("replaying {}", p.replay);
  } else if (p.rate_to >= 0) {
    load = fmt::format("at {} → {} req/s", reports::FormatNumber(p.rate), reports::FormatNumber(p.rate_to));
  } else if (p.rate > 0) {
    load = fmt::format("at {} req/s", reports::FormatNumber(p.rate));
  } else {
    load = "idle";
  }
  const size_t faults = p.cancel.size() + p.faults.size();
  std::vector<std::string> thresholds;
  for (const auto& t : p.thresholds) thresholds.push_back(t.text);
  return fmt::format("{} {} {}{}{}{}", p.name, Seconds(p.duration), load, p.warmup ? " (warm-up)" : "",
                     faults > 0 ? fmt::format(", {} fault{}", faults, faults == 1 ? "" : "s") : "",
                     thresholds.empty() ? "" : fmt::format(", thresholds {}", fmt::join(thresholds, ", ")));
}

std::string DescribeTraffic(const scenario::Scenario& s) {
  const auto grpc = std::count_if(s.traffic.begin(), s.traffic.end(), [](const auto& t) { return t.grpc.has_value(); });
  const auto replays = std::count_if(s.traffic.begin(), s.traffic.end(), [](const auto& t) {
    return t.replay.has_value() || (t.grpc && !t.grpc->replay_file.empty());
  });
  return fmt::format("{} entr{} ({} HTTP, {} gRPC, {} replayed)", s.traffic.size(), s.traffic.size() == 1 ? "y" : "ies",
                     static_cast<long>(s.traffic.size()) - grpc, grpc, replays);
}

// What LoadEngine's preparation checked, or why it could not run before the target does.
std::string CheckTraffic(const scenario::Scenario& s) {
  if (load::LoadEngine::NeedsRunningTarget(s)) {
    return "gRPC message types come from server reflection: requests are checked when the target runs";
  }
  const load::LoadEngine engine(s);  // throws ScenarioError (file:line:column) or std::exception
  const bool any_grpc = std::any_of(s.traffic.begin(), s.traffic.end(), [](const auto& t) { return t.grpc.has_value(); });
  if (!any_grpc) return "every request prepared";
  return fmt::format("every request prepared; gRPC requests match their message types ({} proto file{})",
                     s.grpc->protos.size(), s.grpc->protos.size() == 1 ? "" : "s");
}

int Validate(const ValidateArgs& args) {
  const auto allow = net::AllowList::Parse(args.allow_hosts, "--allow-host");
  if (!allow.ok()) return Fail("validate", allow.status().message(), reports::kExitBadInput);
  const auto s = LoadScenario(args.scenario_path, args.vars, args.allow_hosts);
  if (const Status hosts = scenario::CheckScenarioHosts(s, *allow); !hosts.ok()) {
    return Fail("validate", fmt::format("{}: {}", s.file, hosts.message()), reports::kExitBadInput);
  }
  std::string traffic_check;
  try {
    traffic_check = CheckTraffic(s);
  } catch (const scenario::ScenarioError&) {
    throw;
  } catch (const std::exception& e) {  // protos that do not load, URLs that do not resolve
    return Fail("validate", fmt::format("{}: {}", s.file, e.what()), reports::kExitBadInput);
  }
  std::vector<std::string> phases;
  for (const auto& p : s.phases) phases.push_back(DescribePhase(p));
  std::string asserted;
  for (const auto& [name, tolerance] : s.assertions.resources) asserted += (asserted.empty() ? "" : ", ") + name;
  fmt::print("{}: ok\n", s.file);
  fmt::print("  target   {}{}\n", s.target.command.empty() ? "running at " : "started, listening at ", s.target.url);
  fmt::print("  ready    GET {} answers 200{}\n", runner::ReadinessUrl(s.target, s.probe),
             s.target.ready ? "" : " (the probe endpoint: no target.ready given)");
  fmt::print("  traffic  {}: {}\n", DescribeTraffic(s), traffic_check);
  fmt::print("  phases   {}\n", fmt::join(phases, "; "));
  fmt::print("  assert   {} within tolerance after up to {} of settle{}\n", asserted.empty() ? "nothing" : asserted,
             Seconds(s.assertions.settle),
             s.assertions.cycles > 1 ? fmt::format(", {} cycles", s.assertions.cycles) : "");
  return reports::kExitPass;
}

}  // namespace

Command AddValidateCommand(CLI::App& app) {
  auto args = std::make_shared<ValidateArgs>();
  auto* cmd = app.add_subcommand("validate", "check a scenario without running it and print what it resolves to");
  cmd->add_option("scenario", args->scenario_path, "scenario YAML file")->required();
  cmd->add_option("--var", args->vars, "override a scenario variable: --var NAME=VALUE (repeatable)");
  cmd->add_option("--allow-host", args->allow_hosts,
                  "allow this non-loopback host besides safety.allow_hosts, as run does (repeatable)");
  cmd->footer(kValidateExamples);
  return {cmd, [args] { return Validate(*args); }};
}

}  // namespace leakgate::cli
