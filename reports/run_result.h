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
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, p999_ms = 0, p9999_ms = 0, max_ms = 0, mean_ms = 0;
};

// One second of a phase (by completion time): throughput, errors and p99 latency.
struct PhaseSecond {
  int64_t second = 0;
  int64_t completed = 0, ok = 0, errors = 0;
  double p99_ms = 0;
};

struct PhaseResult {
  std::string name;
  bool warmup = false;
  int cycle = 0;              // 1-based load cycle (assert.cycles); 0 for warm-up phases
  double duration_s = 0;      // wall time including the drain of in-flight requests
  double target_rate = 0;     // requests per second asked for
  double achieved_rate = 0;   // sent / scheduled duration
  int workers = 0;
  int64_t scheduled = 0, requests = 0, ok = 0, errors = 0, cancelled = 0, dropped = 0, aborted = 0;
  int64_t connections_opened = 0;
  int64_t late = 0;                    // sent ≥ 1 ms after their intended time (open model)
  std::map<std::string, int64_t> faulted;         // requests per client-side fault kind (only kinds used)
  std::vector<PhaseSecond> timeline;   // per second of the phase
  std::map<std::string, int64_t> errors_by_kind;  // only kinds that occurred
  LatencySummary latency;              // from the intended send time (corrected)
  LatencySummary latency_uncorrected;  // from the actual send time
  // gRPC phases only: calls per final status code ("OK", "CANCELLED", ...; only codes
  // that occurred) and stream messages written / read.
  std::map<std::string, int64_t> grpc_status;
  int64_t grpc_messages_sent = 0, grpc_messages_received = 0;
};

struct AssertionResult {
  std::string name;        // "goroutines", "fds", "error_rate"
  bool passed = false;
  bool leak = true;        // a leak assertion (exit 1) rather than a threshold (exit 4)
  double baseline = 0;
  double final = 0;
  double limit = 0;
  std::string detail;
  // With cycles ≥ 2: growth per cycle of the settled values (least squares), its standard
  // error from the baseline noise, and whether it is significant (> 3 standard errors).
  std::optional<double> slope_per_cycle;
  std::optional<double> slope_standard_error;
  bool growth_significant = false;
  double noise = 0;        // robust σ of the baseline samples
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

// An allocation site whose in-use heap grew from the baseline to the final heap profile.
struct HeapSite {
  std::string function;             // the first non-runtime frame of the allocation stack
  std::string location;             // its file:line
  int64_t bytes = 0;                // growth of estimated in-use bytes
  int64_t objects = 0;              // growth of estimated in-use objects
  std::vector<std::string> stack;   // "function file:line", innermost first
};

// Settled values after one load cycle (assert.cycles).
struct CycleResult {
  int cycle = 0;                    // 1-based
  bool settled = false;             // back within tolerance of the baseline
  bool plateaued = false;           // stopped falling (settling ended early)
  double settle_s = 0;
  std::map<std::string, double> values;
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
  // Goroutines Go's goroutineleak profile proved leaked (unreachable, blocked for good),
  // beyond those it reported at baseline. Independent of counts and tolerances.
  bool leak_profile_available = false;
  std::vector<GoroutineLeak> proven_leaks;
  std::vector<HeapSite> heap_growth;
  std::vector<CycleResult> cycles;
  std::vector<FdLeak> fd_leaks;
  std::vector<TimelinePoint> timeline;
  std::vector<std::string> artifacts;      // files written beside the report (relative to it)
  std::vector<std::string> warnings;
};

}  // namespace leakgate::reports
