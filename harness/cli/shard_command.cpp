#include "harness/cli/shard_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/net/address_policy.h"
#include "harness/net/http_url.h"
#include "harness/runner/coordinator_client.h"
#include "harness/runner/interrupt.h"
#include "harness/runner/shard_runner.h"
#include "harness/scenario/duration.h"
#include "harness/scenario/safety_section.h"
#include "harness/scenario/shard_split.h"

namespace leakgate::cli {

namespace {

int FailShard(const Status& status) {
  return Fail("run --shard", status.message(),
              status.code() == StatusCode::kUnavailable || status.code() == StatusCode::kDeadlineExceeded
                  ? reports::kExitTargetFailed
                  : reports::kExitBadInput);
}

Status CheckTargetUrl(const std::string& url, const net::AllowList& allow) {
  auto parsed = net::ParseHttpUrl(url);
  if (!parsed.ok()) return parsed.status().WithContext("target URL: ");
  return net::CheckHost(*parsed, fmt::format("target URL \"{}\"", url), allow);
}

}  // namespace

std::vector<std::string> AllowedHosts(const scenario::Scenario& scenario, const std::vector<std::string>& flag_hosts) {
  auto hosts = flag_hosts;
  std::ifstream in(scenario.file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  const auto from_file = scenario::SafetyAllowHosts(text.str());
  hosts.insert(hosts.end(), from_file.begin(), from_file.end());
  return hosts;
}

void AddShardFlags(CLI::App& cmd, ShardFlags& flags) {
  cmd.add_option("--shard", flags.shard,
                 "run shard I of N (I from 0, as JOB_COMPLETION_INDEX): this instance's share of every phase's "
                 "load only; no target, no probes, no verdict")
      ->type_name("I/N");
  cmd.add_option("--start-at", flags.start_at,
                 "with --shard: the first phase starts at this time (UTC 2026-12-02T03:30:00Z, @UNIX_SECONDS, +5s)");
  cmd.add_option("--coordinator", flags.coordinator,
                 "with --shard: take phase start times from, and report to, leakgate coordinate at HOST:PORT");
  cmd.add_option("--target-url", flags.target_url, "with --shard: send the load here instead of the scenario's target.url");
  cmd.add_option("--allow-host", flags.allow_hosts,
                 "allow this non-loopback host besides safety.allow_hosts: the target, probes, dependency "
                 "upstreams, traffic URLs, and with --shard the coordinator (repeatable)");
  cmd.add_option("--register-timeout", flags.register_timeout,
                 "with --coordinator: how long to keep trying to reach the coordinator (default 60s)");
}

bool ShardRequested(const ShardFlags& f) {
  return !f.shard.empty() || !f.start_at.empty() || !f.coordinator.empty() || !f.target_url.empty();
}

int RunShardWithConsole(const scenario::Scenario& scenario, const ShardFlags& f, const RunFlags& flags) {
  if (f.shard.empty()) return Fail("run", "--start-at, --coordinator and --target-url go with --shard I/N", reports::kExitBadInput);
  const auto shard = scenario::ParseShardSpec(f.shard);
  if (!shard.ok()) return FailShard(shard.status());
  if (!f.start_at.empty() && !f.coordinator.empty()) {
    return Fail("run --shard", "give --start-at or --coordinator, not both", reports::kExitBadInput);
  }
  auto allow = net::AllowList::Parse(AllowedHosts(scenario, f.allow_hosts), "--allow-host / safety.allow_hosts");
  if (!allow.ok()) return FailShard(allow.status());
  const auto register_timeout = scenario::ParseDuration(f.register_timeout);
  if (!register_timeout) return Fail("run --shard", "--register-timeout: not a duration", reports::kExitBadInput);
  if (!flags.out_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(flags.out_dir, ec);
    if (ec) return Fail("run --shard", fmt::format("--out {}: {}", flags.out_dir, ec.message()), reports::kExitBadInput);
  }

  runner::InterruptHandler interrupts;
  std::unique_ptr<runner::PhaseClock> clock;
  std::string target_url = f.target_url;
  if (!f.coordinator.empty()) {
    auto client = runner::CoordinatorClient::Connect(f.coordinator, *shard, *allow, *register_timeout);
    if (!client.ok()) return FailShard(client.status());
    if (target_url.empty()) target_url = (*client)->target_url();
    clock = std::move(*client);
  } else {
    if (target_url.empty() && !scenario.target.command.empty()) {
      return Fail("run --shard", "a shard does not start the target: give --target-url URL or --coordinator ADDR",
                  reports::kExitBadInput);
    }
    auto start = f.start_at.empty() ? StatusOr<runner::WallClock::time_point>(runner::WallClock::now())
                                    : runner::ParseStartAt(f.start_at);
    if (!start.ok()) return FailShard(start.status());
    clock = std::make_unique<runner::FixedPhaseClock>(scenario, *start);
  }
  if (auto checked = CheckTargetUrl(target_url.empty() ? scenario.target.url : target_url, *allow); !checked.ok()) {
    return FailShard(checked);
  }

  runner::ShardRunOptions options;
  options.shard = *shard;
  options.clock = clock.get();
  options.out_dir = flags.out_dir;
  options.target_url = target_url;
  options.stop = &runner::InterruptHandler::StopFlag();
  if (!flags.quiet) options.progress = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
  const auto result = runner::RunShard(scenario, options);
  fmt::print("{}\n", result.message);
  std::fflush(stdout);
  return result.exit_code;
}

}  // namespace leakgate::cli
