// Scenario: the plain-struct form of a scenario YAML file (see scenarios/FORMAT.md).
//
// Produced by LoadScenarioFile() / ParseScenario() (scenario_loader.h), which validate
// every value so consumers need not; consumed read-only by the runner, the load engine
// and the probes. Every field has its default here, so a default-constructed member
// means "the YAML did not say". All durations are steady-clock durations.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/net/tls_settings.h"
#include "harness/scenario/dependency_scenario.h"
#include "harness/scenario/grpc_scenario.h"
#include "harness/scenario/threshold.h"

namespace leakgate::scenario {

using Duration = std::chrono::nanoseconds;

// Where a value came from in the YAML, for messages after loading ("demo.yaml:12:5").
struct SourceMark {
  std::string file;
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based
  std::string str() const;
};

// How leakgate reaches (and possibly starts) the service under test.
struct Target {
  // argv of the process to start; empty when `url` names a target that is already running.
  // argv[0] is looked up like execvp(): a bare name on PATH, a relative path against the
  // working directory leakgate runs in.
  std::vector<std::string> command;
  // Extra environment for the started process (added to leakgate's own environment).
  std::map<std::string, std::string> env;
  // Base URL of the service. Default with `command`: "http://127.0.0.1:${port}".
  std::string url;
  // Path (relative to url) or absolute URL polled with GET until it answers 200; "" is
  // url itself. nullopt (the YAML did not say `ready:`): the probe endpoint, i.e. what the
  // first sample reads (runner/readiness.h ReadinessUrl), so that a service without
  // /healthz is ready as soon as leakgate can probe it.
  std::optional<std::string> ready;
  Duration ready_timeout = std::chrono::seconds(15);
  // Grace period between SIGTERM and SIGKILL when stopping the process group.
  Duration stop_timeout = std::chrono::seconds(5);
  // How to speak TLS to an https:// url (load and readiness; probes too unless probe.tls
  // says otherwise). nullopt: verify against the system store, no client certificate.
  std::optional<net::TlsSettings> tls;
};

struct Probe {
  // Base of net/http/pprof, relative to target.url or absolute ("/debug/pprof"). Goroutine
  // counts and dumps, heap profiles and the forced GC come from here.
  std::string pprof = "/debug/pprof";
  // Prometheus text exposition ("/metrics"), relative or absolute; "" = not scraped.
  // Supplies go_goroutines, go_memstats_*, process_open_fds, process_resident_memory_bytes.
  std::string metrics;
  // expvar JSON ("/debug/vars"), relative or absolute; "" = not scraped. Supplies memstats
  // and the published numeric variables (as "expvar.<name>").
  std::string expvar;
  // Read heap?debug=1 in every sample (heap_inuse_bytes, heap_objects) and diff the
  // baseline and final heap profiles by allocation site.
  bool heap_profile = true;
  // Go 1.26's goroutineleak profile (GOEXPERIMENT=goroutineleakprofile): goroutines the GC
  // proved unreachable. kAuto uses it when the target serves it; kOn makes its absence an
  // error (exit 3); kOff never asks.
  enum class LeakProfile { kAuto, kOn, kOff };
  LeakProfile goroutine_leak_profile = LeakProfile::kAuto;
  // Period of sampling during phases and of polling while settling.
  Duration interval = std::chrono::milliseconds(200);
  // Number of samples whose median is the baseline (and the final value).
  int samples = 5;
  // Force a GC (heap?gc=1) before each baseline/settle sample, so finalizers run and
  // fds/heap held only by garbage are not counted as leaks.
  bool force_gc = true;
  // Per-scrape deadline.
  Duration timeout = std::chrono::seconds(5);
  // Run a started target with GODEBUG=gctrace=1 and read its GC log (target.log) into a
  // series: heap growth seen without forcing a single GC.
  bool gctrace = false;
  // Profiles taken from the target's net/http/pprof: an execution trace and a CPU profile
  // in the middle of each load phase (0: not taken), mutex and block profiles at the end.
  struct Capture {
    Duration trace{0};
    Duration cpu{0};
    bool mutex = false;
    bool block = false;
    bool any() const { return trace > Duration::zero() || cpu > Duration::zero() || mutex || block; }
  };
  Capture capture;
  // TLS for https:// sources: a source's own block (`pprof: {url, tls}`), else `tls`, else
  // target.tls (the runner applies that order).
  std::optional<net::TlsSettings> tls;
  std::optional<net::TlsSettings> pprof_tls, metrics_tls, expvar_tls;
};

// One piece of a request template (see FORMAT.md, "Request templates"): literal text,
// or a per-request variable written {{...}}. Parsed by the loader; rendered per request
// by the load engine.
struct TemplatePart {
  enum Kind { kLiteral, kSeq, kRandInt, kRandStr, kUuid, kCsv };
  Kind kind = kLiteral;
  std::string text;       // kLiteral: the text
  int64_t low = 0;        // kRandInt: inclusive bounds; kRandStr: length in `low`
  int64_t high = 0;
  int column = 0;         // kCsv: column index into Traffic::csv_rows
};
using Template = std::vector<TemplatePart>;  // empty = ""

// One recorded request of a replay file (JSON lines or HAR), already resolved to a
// path relative to the target (the recording's host is dropped).
struct RecordedRequest {
  std::string method = "GET";
  std::string path = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  Duration offset{0};     // since the first recorded request (0 when the file has none)
};

// A traffic entry that replays a recording instead of one template.
struct Replay {
  std::string file;                 // as resolved (relative paths: the working directory)
  std::string format;               // "jsonl" or "har"
  double speed = 1.0;               // recorded pace multiplier (2 = twice as fast)
  std::vector<RecordedRequest> requests;  // in recorded order, offsets non-decreasing
};

// One request template; requests are drawn from the templates by weight.
struct Traffic {
  std::string name;
  std::string method = "GET";
  std::string path = "/";                           // absolute path + query, relative to target.url
  std::string base_url;  // "http://host:port" when `path` was an absolute URL; "" = target.url
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  double weight = 1.0;
  // The same three, parsed into per-request templates ({{seq}}, {{uuid}}, ...).
  Template path_template;
  std::vector<Template> header_templates;           // parallel to `headers`
  Template body_template;
  // csv: a CSV file with a header line; {{csv.COLUMN}} takes row (seq mod rows).
  std::string csv_file;
  std::vector<std::string> csv_columns;
  std::vector<std::vector<std::string>> csv_rows;
  std::optional<Replay> replay;                     // set: this entry replays a recording
  std::optional<GrpcCall> grpc;                     // set: a gRPC call instead of an HTTP request
  SourceMark mark;
};

// A duration drawn uniformly from [min, max] per request (min == max: fixed).
struct DurationRange {
  Duration min{0};
  Duration max{0};
};

// Common to every client-side fault: which share of which requests carries it.
struct FaultScope {
  double probability = 1.0;
  // empty: every traffic entry. In a scenario mixing HTTP and gRPC entries the loader
  // fills in the HTTP entries' names for the HTTP-only kinds (all but cancel, deadline).
  std::vector<std::string> traffic;
};

// Client-side fault: abort the request (close the connection) `after` its start,
// for a `probability` share of the requests (optionally only for named traffic).
struct CancelFault {
  Duration after = std::chrono::milliseconds(10);
  double probability = 1.0;
  std::vector<std::string> traffic;  // empty: every traffic entry
  Duration after_max{0};             // > after: the delay is drawn from [after, after_max]
};

// Every client-side fault a phase may list (see FORMAT.md, "faults"). One item = one kind.
// kCancel and kDeadline act on every protocol; kGrpcCancel and kGrpcAbandon on gRPC calls
// only; the others on HTTP requests only (faults::FaultPlan applies each where it fits):
// kReset … kMalformed on HTTP/1.1 phases, the kH2* kinds on HTTP/2 (h2c, h2) phases.
struct Fault {
  enum Kind {
    kCancel, kReset, kSlowSend, kSlowRead, kAbandonBody, kHalfClose, kTruncateBody, kMalformed, kDeadline,
    kGrpcCancel, kGrpcAbandon, kH2RstStream, kH2Stall, kH2Abandon, kH2Goaway
  };
  static constexpr int kKinds = kH2Goaway + 1;
  Kind kind = kCancel;
  FaultScope scope;
  DurationRange after{std::chrono::milliseconds(10), std::chrono::milliseconds(10)};  // cancel, reset; deadline: timeout
  int64_t bytes = 1;                                   // slow_send / slow_read: bytes per interval
  Duration interval = std::chrono::milliseconds(10);   // slow_send / slow_read
  double keep = 0.5;                                   // truncate_body: share of the body sent
  bool then_wait = false;                              // truncate_body: hold the connection `wait`, then close
  Duration wait = std::chrono::seconds(1);
  std::string malformed = "request_line";              // malformed: request_line | header | version
  int after_messages = 1;                              // grpc_cancel: messages received (sent, for client streams)
  Duration hold{0};                                    // grpc_abandon, h2_stall: how long; 0 = until the deadline
  int64_t after_bytes = -1;                            // h2_rst_stream: response body bytes first; -1 = after the headers
  bool connection_window = false;                      // h2_stall: stall the connection's window, not the stream's
};
// Whether `kind` acts only on HTTP/1.1 requests (kReset … kMalformed) / only on HTTP/2 streams.
bool IsHttp1OnlyFault(Fault::Kind kind);
bool IsH2OnlyFault(Fault::Kind kind);
std::string_view FaultKindName(Fault::Kind kind);

// How a phase reuses connections.
struct ConnectionPolicy {
  int pool = 0;              // keep-alive connections kept idle per phase; 0 = no bound
  bool per_request = false;  // a new connection for every request (closed after the response)
  int max = 0;               // bound on open connections per phase; 0 = none. Requests wait for one.
};

struct Phase {
  std::string name;
  Duration duration = std::chrono::seconds(1);
  double rate = 0;                   // requests per second, open model; 0 = no traffic (idle phase)
  double rate_to = -1;               // >= 0: the rate ramps linearly from `rate` to this over the phase
  int concurrency = 0;               // > 0: closed model with this many virtual users (rate unused)
  Duration think_time{0};            // closed model: pause between a user's requests
  std::string replay;                // non-empty: arrivals follow this replay traffic entry's recording
  bool warmup = false;               // runs before the baseline is taken (default: name "warmup" or "warm-up")
  int max_in_flight = 1000;          // bound on concurrent requests; arrivals beyond it are counted as dropped
  Duration timeout = std::chrono::seconds(10);  // per-request deadline
  int workers = 0;                   // 0 = one per hardware thread
  ConnectionPolicy connections;
  GrpcPhase grpc;                    // gRPC traffic: channels, churn, stream faults
  std::vector<CancelFault> cancel;
  std::vector<Fault> faults;         // the other faults of `faults:` (cancel ones are in `cancel`)
  // How HTTP entries travel (FORMAT.md, "protocol"): HTTP/1.1, HTTP/2 in cleartext with
  // prior knowledge (h2c), or HTTP/2 over TLS negotiated by ALPN (h2, an https:// target).
  enum class Wire { kHttp1, kH2c, kH2 };
  Wire protocol = Wire::kHttp1;
  int streams_per_connection = 100;  // HTTP/2: concurrent streams on one connection
  std::vector<DependencyFault> dependency_faults;  // items of `faults:` that name a dependency (chaos proxy)
  SourceMark mark;
  // Non-leak thresholds over this phase's load ("p99 < 50ms"; exit 4 when one fails).
  std::vector<Threshold> thresholds;

  bool has_traffic() const { return rate > 0 || rate_to > 0 || concurrency > 0 || !replay.empty(); }
};

// Tolerance of one asserted resource: final ≤ baseline + max(absolute, relative × baseline).
struct Tolerance {
  std::optional<double> absolute;
  std::optional<double> relative;    // fraction: 0.1 = 10 %
  double limit(double baseline) const;
};

// Goroutines to leave out of leak attribution (in the spirit of goleak's IgnoreTopFunction
// and IgnoreAnyFunction). `function` is exact, or a prefix when it ends with '*'.
struct IgnoreRule {
  // kLabel: `function` holds "key=value" (value exact, or a prefix ending in '*'), or "key".
  enum class Kind { kTopFunction, kAnyFunction, kCreatedBy, kLabel };
  Kind kind = Kind::kTopFunction;
  std::string function;
  SourceMark mark;
};

// The resources an `assert:` may name, in report order. Values are what the sampler
// reports under the same names (probes/sampler.h).
inline constexpr const char* kAssertableResources[] = {
    "goroutines", "heap_inuse_bytes", "heap_objects", "fds", "sockets", "threads", "rss_bytes"};

struct Assert {
  Duration settle = std::chrono::seconds(15);   // time budget to return to baseline (per cycle)
  // Leak assertions by resource name (kAssertableResources). fds, sockets, threads and
  // rss_bytes come from /proc (started targets) or /metrics; heap_* from the heap profile,
  // expvar or /metrics.
  std::map<std::string, Tolerance> resources;
  // load → settle repeated this many times (the non-warm-up phases are the load). With
  // cycles ≥ 2 a resource fails when it keeps growing from cycle to cycle (a significant
  // slope over the settled values), not when it grew once (warm caches and pools).
  int cycles = 1;
  std::vector<IgnoreRule> ignore;               // added to the defaults
  // Leak groups are split by these pprof labels too (`group_by: [label:route]` → "route").
  std::vector<std::string> group_by_labels;
  // Descriptors a forced GC closes (class 14: closed only by a finalizer) may number at
  // most this many; unset: the fds tolerance (limit − baseline) when fds are asserted.
  std::optional<Tolerance> fds_closed_by_gc;
  bool default_ignores = true;                  // shipped rules: see scenarios/FORMAT.md
  // Goroutines the goroutineleak profile proves leaked fail the goroutines assertion even
  // within tolerance (when the profile is available).
  bool proven_leaks_fail = true;
  // Non-leak thresholds (exit code 4 when violated).
  std::optional<double> max_error_rate;         // errors / requests over the non-warm-up phases

  const Tolerance* Find(const std::string& resource) const {
    auto it = resources.find(resource);
    return it == resources.end() ? nullptr : &it->second;
  }
};

// `safety:`: hosts besides loopback that the scenario may name (harness/net's address
// policy; dependencies' upstreams are checked against it by the loader).
struct Safety {
  std::vector<std::string> allow_hosts;  // host names or IP literals, as written
};

struct Scenario {
  std::string name;
  std::string description;
  std::string file;                             // path the scenario was loaded from
  std::map<std::string, std::string> vars;      // after --var overrides
  std::map<std::string, int> ports;             // "" for ${port}, NAME for ${port.NAME}
  Target target;
  Probe probe;
  std::vector<Traffic> traffic;
  std::vector<Dependency> dependencies;         // behind the chaos proxy; ${dep.NAME} = "127.0.0.1:PORT"
  std::vector<Phase> phases;
  Assert assertions;
  std::optional<GrpcConfig> grpc;               // set when the traffic is gRPC
  Safety safety;
};

}  // namespace leakgate::scenario
