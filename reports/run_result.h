// RunResult: everything one leakgate run produced, as plain data for the report writers.
//
// Filled in by the runner as the run goes (and by the verdict, probes/verdict.h), so that
// an interrupted or failed run still has a coherent (partial) result to write. Units are
// in the field names: _ms, _s, _bytes. Plain data with no dependency but the standard
// library: every module may include it (it sits at the bottom beside scenario/ and
// stats/). Thread-safety: none; one thread fills it, then the writers read it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leakgate::reports {

// Process exit codes; the contract with CI scripts.
enum ExitCode : int {
  kExitPass = 0,           // every assertion held
  kExitLeak = 1,           // a leak assertion failed
  kExitBadInput = 2,       // scenario or flags invalid
  kExitTargetFailed = 3,   // target did not start, was not ready, crashed or was unreachable
  kExitThreshold = 4,      // a non-leak threshold (e.g. error rate) failed
  kExitInternal = 70,      // leakgate's own bug (sysexits' EX_SOFTWARE); the report is still written
  kExitInterrupted = 130,  // SIGINT/SIGTERM
};

// The outcome of a run. kFail covers leaks (exit 1) and thresholds (exit 4); kError a
// target that failed (exit 3) or leakgate's own failure (exit 70).
enum class Verdict { kPass, kFail, kError, kInterrupted };
// "pass", "fail", "error", "interrupted" (the result.json spelling).
std::string_view VerdictName(Verdict verdict);

// Schema version of result.json (reports/result.schema.json); bumped on incompatible change.
inline constexpr int kResultSchemaVersion = 2;

// A latency histogram carried whole (stats::LatencyHistogram's buckets), so that shard
// results merge exactly: (bucket index, count) of the non-empty buckets, in index order.
struct HistogramData {
  int64_t min_ns = 0, max_ns = 0, sum_ns = 0;
  std::vector<std::pair<int, int64_t>> buckets;
};

struct LatencySummary {
  int64_t count = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, p999_ms = 0, p9999_ms = 0, max_ms = 0, mean_ms = 0;
  std::vector<std::pair<double, double>> curve;  // (percentile 0..100, ms) at HDR-style points
  double p95_ms = 0;                               // for the p95 threshold (thresholds: in a phase)
  std::optional<HistogramData> histogram;        // shard results only: what the figures came from
};

// One second of a phase (by completion time): throughput, errors and p99 latency.
struct PhaseSecond {
  int64_t second = 0;
  int64_t completed = 0, ok = 0, errors = 0;
  double p99_ms = 0;
};

// One traffic entry's share of a phase (phases[].by_traffic.NAME in result.json).
struct TrafficResult {
  std::string name;
  std::string protocol;       // "http" or "grpc"
  int64_t requests = 0, ok = 0, errors = 0, cancelled = 0;
  LatencySummary latency;     // corrected, from the intended send time
};

// What the chaos proxy did to one dependency during one phase (phases[].dependencies.NAME).
struct DependencyPhaseResult {
  std::string name;
  int64_t connections = 0;                  // connections accepted while the phase ran
  int64_t bytes_upstream = 0;               // service → dependency, forwarded
  int64_t bytes_downstream = 0;             // dependency → service, forwarded
  int64_t requests = 0;                     // HTTP requests seen (HTTP-mode dependencies and stubs)
  // Per fault kind ("latency", "blackhole", "http_error", ...): counter name → value, e.g.
  // {"connections": 12, "bytes_dropped": 4096, "requests_answered": 31}.
  std::map<std::string, std::map<std::string, int64_t>> faults;
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
  // https:// phases only (tls_handshakes + tls_handshake_failures > 0): TLS handshakes
  // completed (tls_resumed of them resumed a session) and failed, and how long the
  // completed ones took.
  int64_t tls_handshakes = 0, tls_resumed = 0, tls_handshake_failures = 0;
  LatencySummary tls_handshake_time;
  std::vector<TrafficResult> by_traffic;            // one per traffic entry used, in scenario order
  std::vector<DependencyPhaseResult> dependencies;  // one per dependency, when the scenario has any
};

// What an assertion is about: a resource returning to baseline (exit 1 when it fails) or
// a threshold on the load (exit 4 when it fails and no leak did).
enum class AssertionKind { kLeak, kThreshold };

struct AssertionResult {
  std::string name;        // "goroutines", "fds", "fds_closed_by_gc", "proven_leaks", "error_rate", "p99 < 50ms"
  bool passed = false;
  AssertionKind kind = AssertionKind::kLeak;
  std::string phase;       // thresholds: the phase they apply to ("" = the whole run)
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
  // Thresholds: the unit of final and limit ("ms", "%", " req/s"); "" = the unit the name
  // implies (reports/report_text.h FormatResourceValue).
  std::string unit;
};

// Which evidence named a leaked goroutine group.
enum class LeakEvidence {
  kGrew,    // the group grew from the baseline dump to the final dump
  kProven,  // the runtime's goroutineleak profile proved these goroutines leaked
  kBoth,    // both of the above
};
// "grew", "proven", "both".
std::string_view LeakEvidenceName(LeakEvidence evidence);

// A group of goroutines present at the end and not at baseline.
struct GoroutineLeak {
  int64_t count = 0;
  LeakEvidence evidence = LeakEvidence::kGrew;
  // pprof labels the group's goroutines carried (Go ≥ 1.27 dumps, or the leak profile),
  // e.g. {{"route", "/v2/nil"}}; with assert.group_by: [label:K] groups differ by K.
  std::vector<std::pair<std::string, std::string>> labels;
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

// One garbage collection of the target, from its GODEBUG=gctrace=1 output (probe.gctrace).
struct GcTracePoint {
  int64_t gc = 0;              // the runtime's GC number
  double t_s = 0;              // since the target started (the runtime's @t)
  double cpu_percent = 0;      // GC's share of CPU since start
  double heap_before_mb = 0, heap_after_mb = 0, heap_live_mb = 0, goal_mb = 0;
  double pause_ms = 0;         // the two stop-the-world phases together (wall clock)
  bool forced = false;         // runtime.GC() (e.g. leakgate's heap?gc=1), not the pacer
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
  std::string panic;         // its panic / fatal error text, when it crashed with one
};

// Which share of a sharded run's load a result is (leakgate run --shard I/N): index I in
// [0, count), as in --shard and Kubernetes' JOB_COMPLETION_INDEX.
struct ShardInfo {
  int index = 0;
  int count = 1;
};

struct RunResult {
  std::string scenario_name;
  std::string scenario_file;
  std::string started_at;    // UTC, ISO 8601
  double duration_s = 0;
  Verdict verdict = Verdict::kError;
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
  // Descriptors open just before a forced GC and closed by it (class 14: closed only by a
  // finalizer), grouped by what they pointed at; from the settle of the last cycle.
  std::vector<FdLeak> fds_closed_by_gc;
  std::vector<GcTracePoint> gctrace;       // probe.gctrace: every GC the target logged
  std::vector<TimelinePoint> timeline;
  std::vector<std::string> artifacts;      // files written beside the report (relative to it)
  std::vector<std::string> warnings;
  // Sharded runs: set on a shard's own result (its load only: no probes, no verdict but its
  // own health); `merged_shards` > 0 on a result combined from that many shards.
  std::optional<ShardInfo> shard;
  int merged_shards = 0;
};

}  // namespace leakgate::reports
