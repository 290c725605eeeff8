// RunResult: everything one leakgate run produced, as plain data for the report writers.
//
// Filled in by the runner as the run goes, so that an interrupted or failed run still has
// a coherent (partial) result to write. Units are in the field names: _ms, _s, _bytes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace leakgate::reports {

// Process exit codes; the contract with CI scripts.
enum ExitCode : int {
  kExitPass = 0,           // every assertion held
  kExitLeak = 1,           // a leak assertion failed
  kExitBadInput = 2,       // scenario or flags invalid
  kExitTargetFailed = 3,   // target did not start, was not ready, crashed or was unreachable
  kExitThreshold = 4,      // a non-leak threshold (e.g. error rate) failed
  kExitInterrupted = 130,  // SIGINT/SIGTERM
};

struct LatencySummary {
  int64_t count = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0, mean_ms = 0;
};

struct PhaseResult {
  std::string name;
  bool warmup = false;
  double duration_s = 0;      // wall time including the drain of in-flight requests
  double target_rate = 0;     // requests per second asked for
  double achieved_rate = 0;   // sent / scheduled duration
  int workers = 0;
  int64_t scheduled = 0, requests = 0, ok = 0, errors = 0, cancelled = 0, dropped = 0, aborted = 0;
  int64_t connections_opened = 0;
  std::map<std::string, int64_t> errors_by_kind;  // only kinds that occurred
  LatencySummary latency;              // from the intended send time (corrected)
  LatencySummary latency_uncorrected;  // from the actual send time
};

struct AssertionResult {
  std::string name;        // "goroutines", "fds", "error_rate"
  bool passed = false;
  bool leak = true;        // a leak assertion (exit 1) rather than a threshold (exit 4)
  double baseline = 0;
  double final = 0;
  double limit = 0;
  std::string detail;
};

// A group of goroutines present at the end and not at baseline.
struct GoroutineLeak {
  int64_t count = 0;
  std::string function;             // top user function, e.g. "main.blockedSend.func1"
  std::string created_by;           // e.g. "main.blockedSend"
  std::string created_by_location;  // file:line of the go statement
  std::string state;                // e.g. "chan send"
  std::vector<std::string> stack;   // representative stack, "function file:line" innermost first
};

// Open file descriptors that grew, grouped by what they point at.
struct FdLeak {
  int64_t count = 0;
  std::string target;  // "socket", "pipe", or a file path
};

struct TimelinePoint {
  double t_s = 0;
  std::string phase;
  std::map<std::string, double> values;
};

struct TargetInfo {
  std::string url;
  std::vector<std::string> command;
  int pid = 0;
  std::string exit_status;   // how it ended, when it ended on its own
  std::string log_path;
};

struct RunResult {
  std::string scenario_name;
  std::string scenario_file;
  std::string started_at;    // UTC, ISO 8601
  double duration_s = 0;
  std::string verdict = "error";  // "pass", "fail", "error", "interrupted"
  int exit_code = kExitTargetFailed;
  std::string message;       // one line: why the verdict is what it is
  TargetInfo target;
  std::vector<PhaseResult> phases;
  std::map<std::string, double> baseline;  // median per resource
  std::map<std::string, double> final;     // median per resource after settling
  bool settled = false;
  double settle_s = 0;       // time spent settling
  std::vector<AssertionResult> assertions;
  std::vector<GoroutineLeak> leaks;
  std::vector<FdLeak> fd_leaks;
  std::vector<TimelinePoint> timeline;
  std::vector<std::string> artifacts;      // files written beside the report (relative to it)
  std::vector<std::string> warnings;
};

}  // namespace leakgate::reports
