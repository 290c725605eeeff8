#include "tests/reports/sample_results.h"

#include <string>

namespace leakgate::testing {

using namespace reports;

namespace {

LatencySummary Latency(double scale, bool with_curve) {
  LatencySummary l;
  l.count = 2400;
  l.p50_ms = 1.2 * scale, l.p90_ms = 3 * scale, l.p99_ms = 9.8 * scale, l.p999_ms = 20 * scale;
  l.p9999_ms = 31 * scale, l.max_ms = 33 * scale, l.mean_ms = 2 * scale;
  if (with_curve) l.curve = {{0, 0.4 * scale}, {50, l.p50_ms}, {90, l.p90_ms}, {99, l.p99_ms}, {99.9, l.p999_ms},
                             {99.99, l.p9999_ms}, {99.999, l.max_ms}};
  return l;
}

PhaseResult Phase(const std::string& name, bool warmup, int cycle) {
  PhaseResult p;
  p.name = name;
  p.warmup = warmup;
  p.cycle = cycle;
  p.duration_s = 3;
  p.target_rate = p.achieved_rate = 200;
  p.workers = 2;
  p.scheduled = p.requests = 600;
  p.ok = 590;
  p.errors = 10;
  p.cancelled = 300;
  p.errors_by_kind = {{"timeout", 10}};
  p.faulted = {{"cancel", 300}};
  for (int s = 0; s < 3; ++s) p.timeline.push_back({s, 200, 196 + s, 4 - s, 9.5 + s});
  p.latency = Latency(1, true);
  p.latency_uncorrected = Latency(0.8, true);
  return p;
}

// A result of scenarios/leak-01-blocked-send.yaml with its verdict and nothing else.
RunResult Ended(Verdict verdict, int exit_code, double duration_s, const std::string& message) {
  RunResult r;
  r.scenario_name = "blocked-send";
  r.scenario_file = "scenarios/leak-01-blocked-send.yaml";
  r.started_at = "2025-01-31T12:00:00Z";
  r.duration_s = duration_s;
  r.verdict = verdict;
  r.exit_code = exit_code;
  r.message = message;
  return r;
}

}  // namespace

RunResult FullResult() {
  RunResult r = Ended(Verdict::kFail, kExitLeak, 14.5,
                      "leak: goroutines 4 → 304 (limit 9); top: 300 × main.blockedSend.func1 [chan send]");
  r.target = {"http://127.0.0.1:41234", {"build/examples/go-targets/leaky", "-mode", "leaky"}, 4242, "killed by SIGTERM",
              "target.log", ""};
  r.phases.push_back(Phase("warmup", true, 0));
  auto load = Phase("load", false, 1);
  load.by_traffic = {{"blocked-send", "http", 400, 395, 5, 200, Latency(1, false)},
                     {"healthz", "http", 200, 195, 5, 100, Latency(0.5, false)}};
  load.dependencies = {{"db", 12, 4096, 8192, 31, {{"latency", {{"connections", 12}}}, {"http_error", {{"requests_answered", 31}}}}}};
  load.grpc_status = {{"OK", 590}, {"CANCELLED", 10}};
  load.grpc_messages_sent = 600;
  load.grpc_messages_received = 590;
  r.phases.push_back(load);
  r.baseline = {{"goroutines", 4}, {"heap_inuse_bytes", 2 << 20}, {"fds", 8}};
  r.final = {{"goroutines", 304}, {"heap_inuse_bytes", 6 << 20}, {"fds", 20}};
  r.settled = false;
  r.settle_s = 4;
  AssertionResult g{"goroutines", false, AssertionKind::kLeak, "", 4, 304, 9, "", std::nullopt, std::nullopt, false, 0.5, ""};
  AssertionResult fds{"fds", false, AssertionKind::kLeak, "", 8, 20, 11, "", 0.4, 0.1, true, 1, ""};
  AssertionResult heap{"heap_inuse_bytes", true, AssertionKind::kLeak, "", 2 << 20, 6 << 20, 8 << 20, "", {}, {}, false, 0, ""};
  AssertionResult p99{"p99 < 5ms", false, AssertionKind::kThreshold, "load", 0, 9.8, 5, "p99 9.80ms", {}, {}, false, 0, "ms"};
  r.assertions = {g, fds, heap, p99};
  GoroutineLeak leak;
  leak.count = 300;
  leak.evidence = LeakEvidence::kBoth;
  leak.labels = {{"route", "/leak/blocked-send"}, {"tenant", "7"}};
  leak.function = "main.blockedSend.func1";
  leak.created_by = "main.blockedSend";
  leak.created_by_location = "/src/leaky/class01_blocked_send.go:40";
  leak.state = "chan send";
  leak.stack = {"runtime.gopark /usr/lib/go/src/runtime/proc.go:435", "runtime.chansend /usr/lib/go/src/runtime/chan.go:259",
                "main.blockedSend.func1 /src/leaky/class01_blocked_send.go:43"};
  r.leaks.push_back(leak);
  GoroutineLeak second = leak;
  second.count = 3;
  second.evidence = LeakEvidence::kGrew;
  second.labels.clear();
  second.function = "main.tickerWorker";
  second.state = "select";
  r.leaks.push_back(second);
  r.leak_profile_available = true;
  GoroutineLeak proven = leak;
  proven.evidence = LeakEvidence::kProven;
  proven.state = "leaked";
  proven.created_by.clear();
  proven.created_by_location.clear();
  r.proven_leaks.push_back(proven);
  r.heap_growth.push_back({"main.unboundedCache", "/src/leaky/class10_cache.go:21", 4 << 20, 1000,
                           {"main.unboundedCache /src/leaky/class10_cache.go:21"}});
  r.cycles = {{1, false, true, 2, {{"fds", 15}}}, {2, false, false, 2, {{"fds", 20}}}};
  r.fd_leaks = {{10, "socket"}, {2, "/tmp/leaky-file"}};
  r.fds_closed_by_gc = {{3, "/tmp/finalized"}};
  r.gctrace = {{1, 0.5, 1, 4, 2, 2, 4, 0.05, false}, {2, 1.5, 1.2, 5, 3, 3, 6, 0.08, true},
               {3, 2.5, 1.3, 6, 4, 4, 8, 0.11, true}};
  const char* steps[] = {"warmup", "warmup", "baseline", "baseline", "load", "load", "load", "load",
                         "settle", "settle", "settle", "settle"};
  for (int i = 0; i < 12; ++i) {
    TimelinePoint p{0.25 * i, steps[i], {{"goroutines", 4.0 + (i >= 4 ? 25 * (i - 3) : 0)},
                                         {"heap_inuse_bytes", static_cast<double>((2 << 20) + i * 300000)}}};
    if (i % 2 == 0) p.values["fds"] = 8 + i;  // a resource missing from some samples
    p.values["rss_bytes"] = 20e6 + i * 1e5;
    r.timeline.push_back(p);
  }
  r.artifacts = {"target.log", "goroutines.baseline.txt", "goroutines.final.txt"};
  r.warnings = {"assert.sockets: not measurable for this target (skipped)"};
  return r;
}

RunResult HostileResult() {
  RunResult r = FullResult();
  const std::string evil = std::string(kHostileMarker) + " \"quoted\" & 'single' ]]> --> \x01\x1b[31m \xff\xfe bad";
  r.scenario_name = evil;
  r.scenario_file = evil;
  r.message = evil;
  r.target.url = evil;
  r.target.command = {evil};
  for (auto* list : {&r.leaks, &r.proven_leaks}) {
    for (auto& l : *list) {
      l.function = evil;
      l.created_by = evil;
      l.created_by_location = evil;
      l.state = evil;
      l.labels = {{evil, evil}};
      l.stack = {evil, "```", evil};
    }
  }
  r.heap_growth[0].function = evil;
  r.heap_growth[0].location = evil;
  r.fd_leaks[0].target = evil;
  r.fds_closed_by_gc[0].target = evil;
  r.assertions[3].name = evil;
  r.assertions[3].phase = evil;
  r.assertions[3].detail = evil;
  r.phases[1].name = evil;
  r.phases[1].by_traffic[0].name = evil;
  r.phases[1].dependencies[0].name = evil;
  r.phases[1].errors_by_kind = {{evil, 1}};
  r.timeline[5].phase = evil;
  r.timeline[5].values[evil] = 1;
  r.artifacts = {evil, "javascript:alert(1)"};
  r.warnings = {evil};
  return r;
}

RunResult InterruptedResult() {
  RunResult r = Ended(Verdict::kInterrupted, kExitInterrupted, 1.2, "interrupted; the result is partial");
  PhaseResult warmup;
  warmup.name = "warmup";
  warmup.warmup = true;
  r.phases.push_back(warmup);
  r.timeline = {{0.1, "warmup", {{"goroutines", 4}}}, {0.3, "warmup", {{"goroutines", 6}}}};
  return r;
}

RunResult TargetFailedResult() {
  return Ended(Verdict::kError, kExitTargetFailed, 10.1,
               "target not ready within 10.0s: GET http://127.0.0.1:1/healthz: connection refused");
}

}  // namespace leakgate::testing
