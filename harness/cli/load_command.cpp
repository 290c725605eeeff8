#include "harness/cli/load_command.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <strings.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "harness/base/status.h"
#include "harness/load/load_engine.h"
#include "harness/net/address_policy.h"
#include "harness/net/http_url.h"
#include "harness/runner/interrupt.h"
#include "harness/scenario/duration.h"
#include "harness/scenario/scenario.h"

namespace leakgate::cli {

namespace {

struct LoadArgs {
  std::string url;
  double rate = 0;
  int concurrency = 0;
  int threads = 0;
  int connections = 0;
  std::string duration = "10s";
  std::string timeout = "10s";
  std::string method = "GET";
  std::vector<std::string> headers;
  std::string body;
  std::vector<std::string> allow_hosts;
  bool json = false;
};

// The URL's target after the address policy, or why there is none: kInvalidArgument for a
// malformed URL, kPermissionDenied for a host not allowed (nothing sent, nothing
// resolved), kUnavailable / kDeadlineExceeded for an allowed name that does not resolve.
struct CheckedTarget {
  std::string base_url;     // "http://ADDRESS:PORT" of the checked endpoint: the engine looks nothing up
  std::string path;         // path and query: "/hello?x=1"
  std::string host_header;  // the URL's authority, when it is not base_url's ("localhost:8080")
};

StatusOr<CheckedTarget> CheckTarget(const LoadArgs& a, scenario::Duration timeout) {
  auto url = net::ParseHttpUrl(a.url);
  if (!url.ok()) return url.status();
  if (url->scheme != "http") {
    return Status::InvalidArgument(fmt::format("URL \"{}\": only http:// is supported", a.url));
  }
  auto allow = net::AllowList::Parse(a.allow_hosts, "--allow-host");
  if (!allow.ok()) return allow.status();
  auto where = net::CheckAndResolve(*url, fmt::format("URL \"{}\"", a.url), *allow,
                                    std::chrono::steady_clock::now() + timeout);
  if (!where.ok()) return where.status();
  const auto& ep = where->endpoints.front();
  const std::string address = ep.address().to_string();
  const std::string endpoint =
      ep.address().is_v6() ? fmt::format("[{}]:{}", address, ep.port()) : fmt::format("{}:{}", address, ep.port());
  CheckedTarget out;
  out.base_url = "http://" + endpoint;
  out.path = url->target;
  if (url->authority != endpoint) out.host_header = url->authority;
  return out;
}

int RunLoad(const LoadArgs& a) {
  if ((a.rate > 0) == (a.concurrency > 0)) {
    fmt::print(stderr, "leakgate load: give exactly one of --rate or --concurrency\n");
    return 2;
  }
  const auto duration = scenario::ParseDuration(a.duration);
  const auto timeout = scenario::ParseDuration(a.timeout);
  if (!duration || *duration <= scenario::Duration::zero() || !timeout || *timeout <= scenario::Duration::zero()) {
    fmt::print(stderr, "leakgate load: invalid --duration or --timeout\n");
    return 2;
  }
  const auto target = CheckTarget(a, *timeout);
  if (!target.ok()) {
    fmt::print(stderr, "leakgate load: {}\n", target.status().message());
    const auto code = target.status().code();
    return code == StatusCode::kInvalidArgument || code == StatusCode::kPermissionDenied ? 2 : 3;
  }

  scenario::Traffic t;
  t.name = "load";
  t.method = a.method;
  t.path = target->path;
  t.body = a.body;
  for (const auto& h : a.headers) {
    const size_t colon = h.find(':');
    if (colon == std::string::npos || colon == 0) {
      fmt::print(stderr, "leakgate load: --header expects \"Name: value\", got \"{}\"\n", h);
      return 2;
    }
    std::string value = h.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(value.begin());
    t.headers.emplace_back(h.substr(0, colon), value);
  }
  const bool host_given = std::any_of(t.headers.begin(), t.headers.end(), [](const auto& h) {
    return h.first.size() == 4 && strncasecmp(h.first.c_str(), "host", 4) == 0;
  });
  if (!target->host_header.empty() && !host_given) t.headers.emplace_back("Host", target->host_header);
  scenario::Phase p;
  p.name = "load";
  p.duration = *duration;
  p.timeout = *timeout;
  p.rate = a.rate;
  p.concurrency = a.concurrency;
  p.workers = a.threads;
  p.max_in_flight = 1 << 30;
  p.connections.max = a.connections;

  const load::LoadEngine engine({t}, target->base_url);
  runner::InterruptHandler interrupts;
  const auto r = engine.RunPhase(p, runner::InterruptHandler::StopFlag());
  const auto& st = r.stats;
  const double seconds = std::chrono::duration<double>(p.duration).count();
  const double rps = static_cast<double>(st.ok + st.errors() + st.cancelled) / seconds;
  const auto ms = [](int64_t ns) { return static_cast<double>(ns) / 1e6; };
  const auto& h = st.corrected;
  if (a.json) {
    nlohmann::json j = {{"requests", st.sent},      {"ok", st.ok},           {"errors", st.errors()},
                        {"dropped", st.dropped},    {"late", st.late},       {"scheduled", st.scheduled},
                        {"connections", st.connections_opened},              {"workers", r.workers},
                        {"duration_s", seconds},    {"rps", rps},
                        {"achieved_rate", static_cast<double>(st.sent) / seconds},
                        {"latency_ms", {{"p50", ms(h.QuantileNanos(0.5))}, {"p90", ms(h.QuantileNanos(0.9))},
                                        {"p99", ms(h.QuantileNanos(0.99))}, {"p999", ms(h.QuantileNanos(0.999))},
                                        {"p9999", ms(h.QuantileNanos(0.9999))}, {"max", ms(h.max_nanos())}}}};
    fmt::print("{}\n", j.dump());
  } else {
    fmt::print("{} requests in {:.2f}s: {:.0f} req/s, {} ok, {} errors, {} dropped, {} late, {} connections, {} workers\n",
               st.sent, seconds, rps, st.ok, st.errors(), st.dropped, st.late, st.connections_opened, r.workers);
    fmt::print("latency ms (from intended time): p50 {:.3f}  p90 {:.3f}  p99 {:.3f}  p99.9 {:.3f}  p99.99 {:.3f}  max {:.3f}\n",
               ms(h.QuantileNanos(0.5)), ms(h.QuantileNanos(0.9)), ms(h.QuantileNanos(0.99)), ms(h.QuantileNanos(0.999)),
               ms(h.QuantileNanos(0.9999)), ms(h.max_nanos()));
  }
  return 0;
}

}  // namespace

std::function<int()> AddLoadCommand(CLI::App& app, CLI::App** subcommand) {
  auto args = std::make_shared<LoadArgs>();
  auto* cmd = app.add_subcommand("load", "pure load at a URL: no target process, no probes, no assertions");
  cmd->add_option("url", args->url, "http:// URL to send requests to")->required();
  cmd->add_option("--rate", args->rate, "open model: requests per second");
  cmd->add_option("--concurrency,-c", args->concurrency, "closed model: users, each one request at a time");
  cmd->add_option("--threads,-t", args->threads, "worker threads (default: one per core)");
  cmd->add_option("--connections", args->connections, "bound on open connections (default: none)");
  cmd->add_option("--duration,-d", args->duration, "how long to send (default 10s)");
  cmd->add_option("--timeout", args->timeout, "per-request deadline (default 10s)");
  cmd->add_option("--method,-X", args->method, "HTTP method (default GET)");
  cmd->add_option("--header,-H", args->headers, "request header \"Name: value\" (repeatable)");
  cmd->add_option("--body", args->body, "request body");
  cmd->add_option("--allow-host", args->allow_hosts,
                  "a host (name or IP) leakgate may connect to besides loopback (repeatable)");
  cmd->add_flag("--json", args->json, "print one JSON object instead of text");
  cmd->footer(R"(
Examples:
  leakgate load http://127.0.0.1:8080/hello --concurrency 64 --threads 2 --duration 10s
  leakgate load http://127.0.0.1:8080/hello --rate 20000 --connections 64 --duration 10s --json
  leakgate load http://127.0.0.1:8080/orders -X POST -H 'Content-Type: application/json' --body '{}' --rate 100
  leakgate load http://staging.internal:8080/hello --allow-host staging.internal --rate 50

Give exactly one of --rate (open model; latency from the intended send time) or
--concurrency (closed model, like wrk -c). No target process, probes or assertions.
Loopback only unless --allow-host names the host. Exit 0, 2 on bad flags or a refused
host, 3 when an allowed name does not resolve.)");
  *subcommand = cmd;
  return [args] { return RunLoad(*args); };
}

}  // namespace leakgate::cli
