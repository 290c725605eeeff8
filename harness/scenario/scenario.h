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
  // Path (relative to url) polled with GET until it answers 200. Empty: ready once connectable.
  std::string ready = "/healthz";
  Duration ready_timeout = std::chrono::seconds(15);
  // Grace period between SIGTERM and SIGKILL when stopping the process group.
  Duration stop_timeout = std::chrono::seconds(5);
};

struct Probe {
  // Base of net/http/pprof, relative to target.url or absolute ("/debug/pprof").
  std::string pprof = "/debug/pprof";
  // Period of sampling during phases and of polling while settling.
  Duration interval = std::chrono::milliseconds(200);
  // Number of samples whose median is the baseline (and the final value).
  int samples = 5;
  // Force a GC (heap?gc=1) before each baseline/settle sample, so finalizers run and
  // fds/heap held only by garbage are not counted as leaks.
  bool force_gc = true;
  // Per-scrape deadline.
  Duration timeout = std::chrono::seconds(5);
};

// One request template; requests are drawn from the templates by weight.
struct Traffic {
  std::string name;
  std::string method = "GET";
  std::string path = "/";                           // absolute path + query, relative to target.url
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  double weight = 1.0;
  SourceMark mark;
};

// Client-side fault: abort the request (close the connection) `after` its start,
// for a `probability` share of the requests (optionally only for named traffic).
struct CancelFault {
  Duration after = std::chrono::milliseconds(10);
  double probability = 1.0;
  std::vector<std::string> traffic;  // empty: every traffic entry
};

struct Phase {
  std::string name;
  Duration duration = std::chrono::seconds(1);
  double rate = 0;                   // requests per second, open model; 0 = no traffic (idle phase)
  bool warmup = false;               // runs before the baseline is taken (default: name "warmup" or "warm-up")
  int max_in_flight = 1000;          // bound on concurrent requests; arrivals beyond it are counted as dropped
  Duration timeout = std::chrono::seconds(10);  // per-request deadline
  int workers = 0;                   // 0 = one per hardware thread
  std::vector<CancelFault> cancel;
  SourceMark mark;
};

// Tolerance of one asserted resource: final ≤ baseline + max(absolute, relative × baseline).
struct Tolerance {
  std::optional<double> absolute;
  std::optional<double> relative;    // fraction: 0.1 = 10 %
  double limit(double baseline) const;
};

struct Assert {
  Duration settle = std::chrono::seconds(15);   // time budget to return to baseline
  std::optional<Tolerance> goroutines;
  std::optional<Tolerance> fds;                 // /proc/<pid>/fd, only for started targets
  // Non-leak thresholds (exit code 4 when violated).
  std::optional<double> max_error_rate;         // errors / requests over the non-warm-up phases
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
  std::vector<Phase> phases;
  Assert assertions;
};

}  // namespace leakgate::scenario
