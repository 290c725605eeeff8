#include "harness/cli/load_command.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <strings.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/base/status.h"
#include "harness/load/load_engine.h"
#include "harness/net/address_policy.h"
#include "harness/net/http_url.h"
#include "harness/net/tls_settings.h"
#include "harness/runner/interrupt.h"
#include "harness/scenario/duration.h"
#include "harness/scenario/limits.h"
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
  bool per_request = false;   // a new connection per request (TLS: a handshake per request)
  std::string protocol = "http/1.1";  // http/1.1, h2c or h2
  int streams = 100;          // HTTP/2: streams per connection
  net::TlsSettings tls;       // https:// URLs
};

// The URL's target after the address policy, or why there is none: kInvalidArgument for a
// malformed URL, kPermissionDenied for a host not allowed (nothing sent, nothing
// resolved), kUnavailable / kDeadlineExceeded for an allowed name that does not resolve.
struct CheckedTarget {
  std::string base_url;     // "http(s)://ADDRESS:PORT" of the checked endpoint: the engine looks nothing up
  std::string host;         // the URL's host: TLS server name unless --tls-server-name
  std::string path;         // path and query: "/hello?x=1"
  std::string host_header;  // the URL's authority, when it is not base_url's ("localhost:8080")
};

StatusOr<CheckedTarget> CheckTarget(const LoadArgs& a, scenario::Duration timeout) {
  auto url = net::ParseHttpUrl(a.url);
  if (!url.ok()) return url.status();
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
  out.base_url = url->scheme + "://" + endpoint;
  out.host = url->host;
  out.path = url->target;
  if (url->authority != endpoint) out.host_header = url->authority;
  return out;
}

// The numeric flags against their range and leakgate's ceilings (harness/scenario/limits.h,
// the same as a scenario's): the first one out of range, by its flag.
Status CheckFlagRanges(const LoadArgs& a, scenario::Duration duration, scenario::Duration timeout) {
  namespace limits = scenario::limits;
  const auto bad = [](std::string_view flag, auto min, auto max, auto got) {
    return Status::InvalidArgument(fmt::format("{}: must be in [{}, {}], got {}", flag, min, max, got));
  };
  if (a.rate > limits::kRate) return bad("--rate", 0, static_cast<int64_t>(limits::kRate), a.rate);
  if (a.concurrency < 0 || a.concurrency > limits::kConcurrency) {
    return bad("--concurrency", 0, limits::kConcurrency, a.concurrency);
  }
  if (a.threads < 0 || a.threads > limits::kWorkers) return bad("--threads", 0, limits::kWorkers, a.threads);
  if (a.connections < 0 || a.connections > limits::kConnections) {
    return bad("--connections", 0, limits::kConnections, a.connections);
  }
  if (a.streams < 1 || a.streams > limits::kStreamsPerConnection) {
    return bad("--streams", 1, limits::kStreamsPerConnection, a.streams);
  }
  if (duration > limits::kPhaseDuration) {
    return Status::InvalidArgument(fmt::format("--duration: must be at most {} (leakgate's ceiling), got {}",
                                               scenario::FormatDuration(limits::kPhaseDuration),
                                               scenario::FormatDuration(duration)));
  }
  if (timeout > limits::kRequestTimeout) {
    return Status::InvalidArgument(fmt::format("--timeout: must be at most {} (leakgate's ceiling), got {}",
                                               scenario::FormatDuration(limits::kRequestTimeout),
                                               scenario::FormatDuration(timeout)));
  }
  return Status::Ok();
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
  if (const auto ranges = CheckFlagRanges(a, *duration, *timeout); !ranges.ok()) {
    fmt::print(stderr, "leakgate load: {}\n", ranges.message());
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
  p.connections.per_request = a.per_request;
  p.streams_per_connection = a.streams;
  if (a.protocol == "h2c") {
    p.protocol = scenario::Phase::Wire::kH2c;
  } else if (a.protocol == "h2") {
    p.protocol = scenario::Phase::Wire::kH2;
  } else if (a.protocol != "http/1.1") {
    fmt::print(stderr, "leakgate load: --protocol expects http/1.1, h2c or h2, got \"{}\"\n", a.protocol);
    return 2;
  }

  std::optional<net::TlsSettings> tls;
  if (target->base_url.starts_with("https://")) {
    tls = a.tls;
    if (tls->server_name.empty()) tls->server_name = target->host;
  }
  const load::LoadEngine engine({t}, target->base_url, tls);
  runner::InterruptHandler interrupts;
  const auto started = std::chrono::steady_clock::now();
  const auto r = engine.RunPhase(p, runner::InterruptHandler::StopFlag());
  // Interrupted (SIGINT/SIGTERM): what was sent until then, over the time it took; exit 130.
  const bool interrupted = runner::InterruptHandler::StopRequested();
  const auto& st = r.stats;
  const double seconds = interrupted ? std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
                                     : std::chrono::duration<double>(p.duration).count();
  const double rps = static_cast<double>(st.ok + st.errors() + st.cancelled) / seconds;
  const auto ms = [](int64_t ns) { return static_cast<double>(ns) / 1e6; };
  const auto& h = st.corrected;
  if (a.json) {
    nlohmann::json j = {{"requests", st.sent},      {"ok", st.ok},           {"errors", st.errors()},
                        {"dropped", st.dropped},    {"late", st.late},       {"scheduled", st.scheduled},
                        {"connections", st.connections_opened},              {"workers", r.workers},
                        {"tls_handshakes", st.tls_handshakes},
                        {"tls_resumed", st.tls_resumed},
                        {"tls_handshake_failures", st.tls_handshake_failures},
                        {"duration_s", seconds},    {"rps", rps},              {"interrupted", interrupted},
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
    if (st.tls_handshakes + st.tls_handshake_failures > 0) {
      fmt::print("TLS handshakes: {} ({:.0f}/s), {} resumed, {} failed, p50 {:.3f} ms, p99 {:.3f} ms\n",
                 st.tls_handshakes, static_cast<double>(st.tls_handshakes) / seconds, st.tls_resumed,
                 st.tls_handshake_failures,
                 ms(st.tls_handshake_time.QuantileNanos(0.5)), ms(st.tls_handshake_time.QuantileNanos(0.99)));
    }
    if (interrupted) fmt::print("interrupted after {:.2f}s\n", seconds);
  }
  return interrupted ? 130 : 0;
}

}  // namespace

std::function<int()> AddLoadCommand(CLI::App& app, CLI::App** subcommand) {
  auto args = std::make_shared<LoadArgs>();
  auto* cmd = app.add_subcommand("load", "pure load at a URL: no target process, no probes, no assertions");
  cmd->add_option("url", args->url, "http:// or https:// URL to send requests to")->required();
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
  cmd->add_flag("--per-request", args->per_request, "a new connection (and TLS handshake) for every request");
  cmd->add_option("--protocol", args->protocol, "http/1.1 (default), h2c (HTTP/2 without TLS) or h2 (HTTP/2 over TLS)");
  cmd->add_option("--streams", args->streams, "HTTP/2: concurrent streams per connection (default 100)");
  cmd->add_option("--tls-ca", args->tls.ca, "https: PEM file of the CAs to trust (default: the system store)");
  cmd->add_option("--tls-cert", args->tls.cert, "https: PEM client certificate (mutual TLS)");
  cmd->add_option("--tls-key", args->tls.key, "https: PEM private key of --tls-cert");
  cmd->add_option("--tls-server-name", args->tls.server_name, "https: SNI and certificate name (default: the URL's host)");
  cmd->add_flag("--insecure", args->tls.insecure_skip_verify, "https: accept any server certificate");
  cmd->add_flag("--tls-resume", args->tls.resume_sessions,
                "https: new connections resume an earlier connection's TLS session (tls.resume_sessions)");
  cmd->footer(R"(
Examples:
  leakgate load http://127.0.0.1:8080/hello --concurrency 64 --threads 2 --duration 10s
  leakgate load http://127.0.0.1:8080/hello --rate 20000 --connections 64 --duration 10s --json
  leakgate load http://127.0.0.1:8080/orders -X POST -H 'Content-Type: application/json' --body '{}' --rate 100
  leakgate load http://staging.internal:8080/hello --allow-host staging.internal --rate 50
  leakgate load https://127.0.0.1:8443/hello --tls-ca ca.pem --per-request --rate 500
  leakgate load http://127.0.0.1:8081/hello --protocol h2c --connections 2 --streams 32 --concurrency 64

Give exactly one of --rate (open model; latency from the intended send time) or
--concurrency (closed model, like wrk -c). No target process, probes or assertions.
Loopback only unless --allow-host names the host. Exit 0, 2 on bad flags or a refused
host, 3 when an allowed name does not resolve.)");
  *subcommand = cmd;
  return [args] { return RunLoad(*args); };
}

}  // namespace leakgate::cli
