#include "harness/cli/probe_command.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>

#include "harness/scenario/duration.h"
#include "probes/goroutine_attribution.h"
#include "probes/goroutine_dump.h"
#include "probes/http_fetch.h"
#include "probes/listening_process.h"
#include "probes/sampler.h"
#include "reports/report_text.h"
#include "reports/run_result.h"

namespace leakgate::cli {

namespace {

constexpr const char* kProbeExamples = R"(
Examples:
  leakgate probe http://127.0.0.1:8080
  leakgate probe http://127.0.0.1:8080 --pprof http://127.0.0.1:6060/debug/pprof --pid 4242
  leakgate probe http://localhost:8080 --top 5 --json

Reads goroutine?debug=2 and heap?debug=1 once (no GC forced); fds and sockets come
from /proc/PID when the service runs on this machine under a user leakgate may read.
Loopback hosts only. Exit 0, 2 bad flags or host, 3 the service could not be probed.)";

struct ProbeArgs {
  std::string url;
  std::string pprof = "/debug/pprof";
  int pid = 0;
  int top = 10;
  std::string timeout = "5s";
  bool json = false;
};

// Where the snapshot's /proc figures come from.
struct LocalProcess {
  std::optional<pid_t> pid;
  std::string how;  // "--pid", "listening on port N", or why there is none
};

struct Snapshot {
  std::string url, pprof_url;
  LocalProcess process;
  probes::ResourceSample resources;
  std::string resource_error;  // a source that could not be read ("" when all were)
  int64_t goroutines = 0;
  std::vector<probes::GoroutineGroup> groups;  // largest first
};

LocalProcess FindLocalProcess(const ProbeArgs& a, uint16_t port) {
  if (a.pid > 0) return {static_cast<pid_t>(a.pid), "--pid"};
  if (const auto pid = probes::FindProcessListeningOn(port)) {
    return {pid, fmt::format("listening on port {}", port)};
  }
  return {std::nullopt, fmt::format("no process listening on port {} that leakgate may read (give --pid)", port)};
}

std::string Figure(const probes::ResourceSample& r, const char* name) {
  const auto it = r.find(name);
  return it == r.end() ? "?" : reports::FormatResourceValue(name, it->second);
}

std::string TcpStates(const probes::ResourceSample& r) {
  std::string out;
  for (const auto& [name, value] : r) {
    if (name.starts_with("tcp_")) out += fmt::format("{}{} {}", out.empty() ? "" : ", ", name.substr(4), value);
  }
  return out;
}

std::string RenderText(const Snapshot& s, size_t top) {
  std::string out;
  auto it = std::back_inserter(out);
  fmt::format_to(it, "{} (pprof {})\n", s.url, s.pprof_url);
  fmt::format_to(it, "  goroutines  {}\n", s.goroutines);
  if (s.resources.contains(probes::kHeapInuseBytes)) {
    fmt::format_to(it, "  heap        in use {}, allocated {}, {} objects, {} GC cycles\n",
                   Figure(s.resources, probes::kHeapInuseBytes), Figure(s.resources, "heap_alloc_bytes"),
                   Figure(s.resources, probes::kHeapObjects), Figure(s.resources, "gc_cycles"));
  }
  if (s.process.pid && s.resources.contains(probes::kFds)) {
    fmt::format_to(it, "  process     pid {} ({}): {} fds ({} sockets, {} files, {} pipes), RSS {}, {} threads\n",
                   *s.process.pid, s.process.how, Figure(s.resources, probes::kFds),
                   Figure(s.resources, probes::kSockets), Figure(s.resources, "fds_file"),
                   Figure(s.resources, "fds_pipe"), Figure(s.resources, probes::kRssBytes),
                   Figure(s.resources, probes::kThreads));
    if (const auto tcp = TcpStates(s.resources); !tcp.empty()) fmt::format_to(it, "  tcp         {}\n", tcp);
  } else if (s.process.pid) {
    fmt::format_to(it, "  process     pid {} ({}): /proc/{}/fd cannot be read\n", *s.process.pid, s.process.how,
                   *s.process.pid);
  } else {
    fmt::format_to(it, "  process     {}\n", s.process.how);
  }
  if (!s.resource_error.empty()) fmt::format_to(it, "  warning     {}\n", s.resource_error);
  const size_t shown = std::min(top, s.groups.size());
  fmt::format_to(it, "\n  {} goroutine group{} (function, state, created by){}:\n", s.groups.size(),
                 s.groups.size() == 1 ? "" : "s", shown < s.groups.size() ? fmt::format("; the {} biggest", shown) : "");
  size_t function_width = 8, state_width = 5;
  for (size_t i = 0; i < shown; ++i) {
    function_width = std::max(function_width, s.groups[i].function.size());
    state_width = std::max(state_width, s.groups[i].state.size());
  }
  fmt::format_to(it, "  {:>7}  {:<{}}  {:<{}}  {}\n", "count", "function", function_width, "state", state_width,
                 "created by");
  for (size_t i = 0; i < shown; ++i) {
    const auto& g = s.groups[i];
    fmt::format_to(it, "  {:>7}  {:<{}}  {:<{}}  {}{}\n", g.count, g.function.empty() ? "<no stack>" : g.function,
                   function_width, g.state, state_width, g.created_by.empty() ? "-" : g.created_by,
                   g.created_by_location.empty() ? "" : fmt::format(" at {}", g.created_by_location));
  }
  return out;
}

std::string RenderJson(const Snapshot& s, size_t top) {
  nlohmann::json groups = nlohmann::json::array();
  for (size_t i = 0; i < std::min(top, s.groups.size()); ++i) {
    const auto& g = s.groups[i];
    groups.push_back({{"count", g.count},
                      {"function", g.function},
                      {"state", g.state},
                      {"created_by", g.created_by},
                      {"created_by_location", g.created_by_location},
                      {"labels", g.representative.labels}});
  }
  nlohmann::json j = {{"url", s.url},
                      {"pprof_url", s.pprof_url},
                      {"goroutines", s.goroutines},
                      {"group_count", s.groups.size()},
                      {"groups", groups},
                      {"resources", s.resources}};
  j["pid"] = s.process.pid ? nlohmann::json(*s.process.pid) : nlohmann::json(nullptr);
  j["process"] = s.process.how;
  if (!s.resource_error.empty()) j["warning"] = s.resource_error;
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

int Probe(const ProbeArgs& a) {
  const auto url = ParseLoopbackUrl(a.url, "URL");
  if (!url.ok()) return Fail("probe", url.status().message(), reports::kExitBadInput);
  const auto timeout = scenario::ParseDuration(a.timeout);
  if (!timeout || *timeout <= scenario::Duration::zero()) {
    return Fail("probe", fmt::format("--timeout: invalid duration \"{}\" (e.g. 500ms, 5s)", a.timeout), reports::kExitBadInput);
  }
  if (a.top <= 0) return Fail("probe", "--top: must be at least 1", reports::kExitBadInput);
  Snapshot s;
  s.url = url->base + url->path;
  s.pprof_url = probes::JoinUrl(s.url, a.pprof);
  if (const auto pprof = ParseLoopbackUrl(s.pprof_url, "--pprof"); !pprof.ok()) {
    return Fail("probe", pprof.status().message(), reports::kExitBadInput);
  }
  s.process = FindLocalProcess(a, url->port);

  probes::SamplerConfig config;
  config.pprof_url = s.pprof_url;
  config.pid = s.process.pid;
  config.timeout = *timeout;
  probes::Sampler sampler(config);
  const auto dump = sampler.GoroutineProfile(2);
  if (!dump.ok()) {
    return Fail("probe", fmt::format("cannot read the goroutine dump: {}", dump.status().message()),
                reports::kExitTargetFailed);
  }
  const auto parsed = probes::ParseGoroutinesDebug2(*dump);
  s.goroutines = static_cast<int64_t>(parsed.goroutines.size());
  s.groups = probes::GroupGoroutines(parsed);
  auto reading = sampler.Sample(/*force_gc=*/false);
  s.resources = std::move(reading.values);
  s.resource_error = reading.status.message();
  const auto top = static_cast<size_t>(a.top);
  fmt::print("{}", a.json ? RenderJson(s, top) : RenderText(s, top));
  return reports::kExitPass;
}

}  // namespace

Command AddProbeCommand(CLI::App& app) {
  auto args = std::make_shared<ProbeArgs>();
  auto* cmd = app.add_subcommand("probe", "one snapshot of a running Go service: goroutine groups, heap, fds");
  cmd->add_option("url", args->url, "base URL of the service, e.g. http://127.0.0.1:8080 (loopback only)")->required();
  cmd->add_option("--pprof", args->pprof, "net/http/pprof base, relative to URL or absolute (default /debug/pprof)");
  cmd->add_option("--pid", args->pid, "read fds, sockets, RSS and threads of this process from /proc")
      ->check(WholeNumberAtLeast(1));
  cmd->add_option("--top", args->top, "how many goroutine groups to show (default 10)")
      ->check(WholeNumberAtLeast(1));
  cmd->add_option("--timeout", args->timeout, "deadline of each request to the service (default 5s)");
  cmd->add_flag("--json", args->json, "print one JSON object instead of text");
  cmd->footer(kProbeExamples);
  return {cmd, [args] { return Probe(*args); }};
}

}  // namespace leakgate::cli
