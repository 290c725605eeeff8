#include "harness/cli/check_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <variant>

#include "harness/cli/run_command.h"
#include "harness/scenario/duration.h"
#include "harness/scenario/limits.h"
#include "harness/scenario/messages.h"
#include "probes/http_fetch.h"
#include "reports/run_result.h"

namespace leakgate::cli {

namespace {

constexpr const char* kCheckExamples = R"(
Examples:
  leakgate check http://127.0.0.1:8080 --hit 'GET /leak/blocked-send' --rate 100 --duration 5s \
      --cancel-after 10ms --settle 5s
  leakgate check http://127.0.0.1:8080 --hit /api/items --hit 'POST /api/orders' --out out/check
  leakgate check http://127.0.0.1:8080 --hit /search --pprof http://127.0.0.1:6060/debug/pprof
  leakgate check http://127.0.0.1:8080 --hit /hello --rate 200 --threshold 'p99 < 50ms' --threshold 'errors < 1%'

The service must serve net/http/pprof (at URL/debug/pprof unless --pprof says where).
Phases: warm-up (--warmup, same rate, no faults), baseline, load (--rate for --duration,
with the cancel fault when --cancel-after is given), settle (up to --settle). Fails when
the goroutines stay more than --tolerance above the baseline, or (exit 4) when a
--threshold on the load phase does not hold. Exit codes as for run:
0 pass, 1 leak, 2 bad input, 3 target failed, 4 threshold, 130 interrupted.)";

struct CheckCommandArgs {
  CheckArgs check;
  RunFlags flags;
};

StatusOr<scenario::Duration> DurationFlag(const std::string& flag, const std::string& value, bool allow_zero) {
  const auto d = scenario::ParseDuration(value);
  if (!d || *d < scenario::Duration::zero() || (!allow_zero && *d == scenario::Duration::zero())) {
    return Status::InvalidArgument(fmt::format("{}: invalid duration \"{}\" (e.g. 500ms, 10s, 1m)", flag, value));
  }
  return *d;
}

// "GET /path", "post /x?y=1" or "/path" (GET).
StatusOr<scenario::Traffic> ParseHit(const std::string& hit) {
  std::string method = "GET", path = hit;
  if (const auto space = hit.find(' '); space != std::string::npos) {
    method = hit.substr(0, space);
    const auto start = hit.find_first_not_of(' ', space);
    path = start == std::string::npos ? "" : hit.substr(start);
    std::transform(method.begin(), method.end(), method.begin(), [](unsigned char c) { return std::toupper(c); });
  }
  const bool method_ok = !method.empty() && std::all_of(method.begin(), method.end(), [](unsigned char c) {
    return std::isupper(c) != 0;
  });
  if (!method_ok || !path.starts_with("/") || path.find(' ') != std::string::npos) {
    return Status::InvalidArgument(fmt::format("--hit: expected \"METHOD /path\" or \"/path\", got \"{}\"", hit));
  }
  scenario::Traffic t;
  t.name = method + " " + path;
  t.method = method;
  t.path = path;
  t.mark = {"--hit", 0, 0};
  return t;
}

// --threshold "p99 < 50ms": errors name the flag and the character.
StatusOr<scenario::Threshold> ParseThresholdFlag(const std::string& text) {
  auto parsed = scenario::ParseThreshold(text);
  if (const auto* e = std::get_if<scenario::ThresholdSyntaxError>(&parsed)) {
    return Status::InvalidArgument(
        fmt::format("--threshold: {} (at character {} of {})", e->message, e->offset + 1, scenario::Quoted(text)));
  }
  return std::get<scenario::Threshold>(std::move(parsed));
}

}  // namespace

StatusOr<scenario::Scenario> CheckScenario(const CheckArgs& a) {
  const auto url = ParseLoopbackUrl(a.url, "URL");
  if (!url.ok()) return url.status();
  if (a.hits.empty()) return Status::InvalidArgument("--hit: give at least one request, e.g. --hit 'GET /path'");
  if (!(a.rate > 0)) return Status::InvalidArgument(fmt::format("--rate: must be > 0, got {}", a.rate));
  if (a.rate > scenario::limits::kRate) {
    return Status::InvalidArgument(fmt::format("--rate: must be at most {} (leakgate's ceiling), got {}",
                                               static_cast<int64_t>(scenario::limits::kRate), a.rate));
  }
  if (!(a.cancel_share > 0 && a.cancel_share <= 1)) {
    return Status::InvalidArgument(fmt::format("--cancel-share: must be in (0, 1], got {}", a.cancel_share));
  }
  if (a.tolerance < 0) return Status::InvalidArgument("--tolerance: must be >= 0");
  const auto duration = DurationFlag("--duration", a.duration, false);
  const auto warmup = DurationFlag("--warmup", a.warmup, true);
  const auto settle = DurationFlag("--settle", a.settle, true);
  for (const auto* d : {&duration, &warmup, &settle}) {
    if (!d->ok()) return d->status();
  }
  if (*duration > scenario::limits::kPhaseDuration || *warmup > scenario::limits::kPhaseDuration) {
    return Status::InvalidArgument(fmt::format("{}: must be at most {} (leakgate's ceiling)",
                                               *duration > scenario::limits::kPhaseDuration ? "--duration" : "--warmup",
                                               scenario::FormatDuration(scenario::limits::kPhaseDuration)));
  }

  scenario::Scenario s;
  s.name = "check";
  s.description = fmt::format("leakgate check {}", a.url);
  s.file = s.description;  // where reports say the scenario came from
  s.target.url = url->base + url->path;
  s.target.ready_timeout = std::chrono::seconds(5);
  s.probe.pprof = a.pprof;
  if (const auto pprof = ParseLoopbackUrl(probes::JoinUrl(s.target.url, a.pprof), "--pprof"); !pprof.ok()) {
    return pprof.status();
  }
  for (const auto& hit : a.hits) {
    auto t = ParseHit(hit);
    if (!t.ok()) return t.status();
    s.traffic.push_back(std::move(*t));
  }
  if (*warmup > scenario::Duration::zero()) {
    scenario::Phase w;
    w.name = "warmup";
    w.warmup = true;
    w.duration = *warmup;
    w.rate = a.rate;
    s.phases.push_back(w);
  }
  scenario::Phase load;
  load.name = "load";
  load.duration = *duration;
  load.rate = a.rate;
  if (!a.cancel_after.empty()) {
    const auto after = DurationFlag("--cancel-after", a.cancel_after, false);
    if (!after.ok()) return after.status();
    scenario::CancelFault cancel;
    cancel.after = *after;
    cancel.probability = a.cancel_share;
    load.cancel.push_back(cancel);
  }
  for (const auto& text : a.thresholds) {
    auto t = ParseThresholdFlag(text);
    if (!t.ok()) return t.status();
    load.thresholds.push_back(std::move(*t));
  }
  s.phases.push_back(load);
  s.assertions.settle = *settle;
  s.assertions.resources["goroutines"].absolute = static_cast<double>(a.tolerance);
  return s;
}

Command AddCheckCommand(CLI::App& app) {
  auto args = std::make_shared<CheckCommandArgs>();
  auto& c = args->check;
  auto* cmd = app.add_subcommand("check", "reproduce a leak against a running service, without a scenario file");
  cmd->add_option("url", c.url, "base URL of the running service, e.g. http://127.0.0.1:8080 (loopback only)")
      ->required();
  cmd->add_option("--hit", c.hits, "request to send: 'GET /path' or '/path' (repeatable; equal shares)")->required();
  cmd->add_option("--rate", c.rate, "requests per second (default 50)");
  cmd->add_option("--duration", c.duration, "length of the load phase (default 10s)");
  cmd->add_option("--warmup", c.warmup, "warm-up before the baseline, same rate, no faults (default 1s; 0 = none)");
  cmd->add_option("--cancel-after", c.cancel_after, "cancel requests this long after they start (client-side fault)");
  cmd->add_option("--cancel-share", c.cancel_share, "share of requests cancelled with --cancel-after (default 1)");
  cmd->add_option("--settle", c.settle, "time budget to return to baseline after the load (default 10s)");
  cmd->add_option("--tolerance", c.tolerance, "goroutines above the baseline that still pass (default 5)");
  cmd->add_option("--threshold", c.thresholds,
                  "limit on the load phase, k6-style: 'p99 < 50ms', 'errors < 1%', 'rate > 95%' (repeatable; exit 4)");
  cmd->add_option("--pprof", c.pprof, "net/http/pprof base, relative to URL or absolute (default /debug/pprof)");
  AddRunFlags(*cmd, args->flags);
  cmd->footer(kCheckExamples);
  return {cmd, [args] {
            auto s = CheckScenario(args->check);
            if (!s.ok()) return Fail("check", s.status().message(), reports::kExitBadInput);
            return RunWithConsole(*s, args->flags);
          }};
}

}  // namespace leakgate::cli
