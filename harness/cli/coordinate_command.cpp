#include "harness/cli/coordinate_command.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "harness/cli/run_command.h"
#include "harness/cli/shard_command.h"
#include "harness/net/address_policy.h"
#include "harness/runner/coordinator.h"
#include "harness/runner/shard_merge.h"
#include "harness/scenario/duration.h"
#include "harness/scenario/shard_split.h"
#include "reports/console_report.h"
#include "reports/report_writer.h"
#include "reports/result_reader.h"

namespace leakgate::cli {

namespace {

constexpr std::uintmax_t kMaxResultBytes = std::uintmax_t{256} << 20;

struct CoordinateArgs {
  std::string scenario_path;
  std::vector<std::string> vars;
  RunFlags flags;
  int shards = 0;
  std::string listen = "127.0.0.1:7070";
  std::vector<std::string> allow_hosts;
  std::string shard_target_url;
  std::string register_timeout = "60s";
  std::string lost_after = "3s";
};

// "HOST:PORT" or "[V6]:PORT", the host through the address policy.
StatusOr<boost::asio::ip::tcp::endpoint> ListenEndpoint(const std::string& text, const net::AllowList& allow) {
  const auto bad = [&](const std::string& why) { return Status::InvalidArgument(fmt::format("--listen \"{}\": {}", text, why)); };
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return bad("expected HOST:PORT");
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  const auto p = std::string_view(text).substr(colon + 1);
  const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
  if (ec != std::errc() || end != p.data() + p.size() || port > 65535) return bad("bad port");
  auto id = net::IdentifyHost(host);
  if (!id.ok()) return bad(id.status().message());
  if (id->kind == net::HostIdentity::Kind::kName) return bad("give an IP address to listen on");
  if (id->kind == net::HostIdentity::Kind::kAddress && !net::IsLoopback(id->address) && !allow.Allows(*id)) {
    return Status::PermissionDenied(fmt::format(
        "--listen \"{}\": {} is not loopback; allow it with --allow-host {} (or the scenario's safety.allow_hosts)", text,
        host, host));
  }
  const boost::asio::ip::address address = id->kind == net::HostIdentity::Kind::kLocalhost
                                                ? boost::asio::ip::address(boost::asio::ip::address_v4::loopback())
                                                : id->address;
  return boost::asio::ip::tcp::endpoint(address, static_cast<unsigned short>(port));
}

int Coordinate(const CoordinateArgs& a) {
  if (a.shards < 1 || a.shards > scenario::kMaxShards) {
    return Fail("coordinate", fmt::format("--shards {}: expected 1..{}", a.shards, scenario::kMaxShards), reports::kExitBadInput);
  }
  const auto scenario = LoadScenario(a.scenario_path, a.vars);
  auto allow = net::AllowList::Parse(AllowedHosts(scenario, a.allow_hosts), "--allow-host / safety.allow_hosts");
  if (!allow.ok()) return Fail("coordinate", allow.status().message(), reports::kExitBadInput);
  auto listen = ListenEndpoint(a.listen, *allow);
  if (!listen.ok()) return Fail("coordinate", listen.status().message(), reports::kExitBadInput);
  const auto register_timeout = scenario::ParseDuration(a.register_timeout);
  const auto lost_after = scenario::ParseDuration(a.lost_after);
  if (!register_timeout || !lost_after || *lost_after <= scenario::Duration::zero()) {
    return Fail("coordinate", "--register-timeout / --lost-after: not a positive duration", reports::kExitBadInput);
  }
  runner::CoordinateOptions options;
  options.shards = a.shards;
  options.listen = *listen;
  options.shard_target_url = a.shard_target_url;
  options.register_timeout = *register_timeout;
  options.lost_after = *lost_after;
  options.on_listening = [](unsigned short port) {
    fmt::print(stderr, "coordinator listening on port {}\n", port);
    std::fflush(stderr);
  };
  return RunWithConsole(scenario, a.flags, [&](const scenario::Scenario& s, const runner::RunOptions& run) {
    auto o = options;
    o.run = run;
    o.run.allow = *allow;
    return runner::Coordinate(s, o);
  });
}

StatusOr<reports::RunResult> ReadShardResult(const std::string& where) {
  namespace fs = std::filesystem;
  const std::string path = fs::is_directory(where) ? (fs::path(where) / reports::kResultJsonFile).string() : where;
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return Status::InvalidArgument(fmt::format("{}: {}", path, ec.message()));
  if (size > kMaxResultBytes) return Status::InvalidArgument(fmt::format("{}: larger than 256 MiB", path));
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  auto r = reports::LoadResultFromJson(text.str());
  if (!r.ok()) return r.status().WithContext(path + ": ");
  return r;
}

int Merge(const std::vector<std::string>& dirs, const std::string& out) {
  std::vector<reports::RunResult> shards;
  for (const auto& d : dirs) {
    auto r = ReadShardResult(d);
    if (!r.ok()) return Fail("merge", r.status().message(), reports::kExitBadInput);
    shards.push_back(std::move(*r));
  }
  auto merged = runner::MergeShardResults(shards);
  if (!merged.ok()) return Fail("merge", merged.status().message(), reports::kExitBadInput);
  if (!out.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(out, ec);
    if (ec) return Fail("merge", fmt::format("--out {}: {}", out, ec.message()), reports::kExitBadInput);
    if (auto written = reports::WriteReports(out, *merged); !written.ok()) {
      return Fail("merge", written.message(), reports::kExitInternal);
    }
  }
  fmt::print("{}", reports::FormatSummary(*merged));
  if (!out.empty()) fmt::print("report: {}/report.html\n", out);
  std::fflush(stdout);
  return merged->exit_code;
}

}  // namespace

Command AddCoordinateCommand(CLI::App& app) {
  auto a = std::make_shared<CoordinateArgs>();
  auto* cmd = app.add_subcommand("coordinate", "run a scenario's target, probes and verdict while N shards make the load");
  cmd->add_option("scenario", a->scenario_path, "scenario YAML file")->required();
  cmd->add_option("--shards", a->shards, "number of shards (leakgate run --shard I/N --coordinator ADDR)")->required();
  cmd->add_option("--listen", a->listen, "serve the shards on HOST:PORT (default 127.0.0.1:7070; port 0: any)");
  cmd->add_option("--allow-host", a->allow_hosts, "allow a non-loopback --listen address (repeatable)");
  cmd->add_option("--shard-target-url", a->shard_target_url,
                  "the target's URL as the shards reach it (default: the scenario's target.url)");
  cmd->add_option("--register-timeout", a->register_timeout, "how long to wait for every shard to register (60s)");
  cmd->add_option("--lost-after", a->lost_after, "a shard silent this long during a phase is lost (3s)");
  cmd->add_option("--var", a->vars, "override a scenario variable: --var NAME=VALUE (repeatable)");
  AddRunFlags(*cmd, a->flags);
  return {cmd, [a] { return Coordinate(*a); }};
}

Command AddMergeCommand(CLI::App& app) {
  auto dirs = std::make_shared<std::vector<std::string>>();
  auto out = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("merge", "combine shard results (leakgate run --shard I/N --out DIR) into one result");
  cmd->add_option("dirs", *dirs, "shard output directories (or their result.json files)")->required();
  cmd->add_option("--out", *out, "write result.json and every report of the merged result here");
  return {cmd, [dirs, out] { return Merge(*dirs, *out); }};
}

}  // namespace leakgate::cli
