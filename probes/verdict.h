// The verdict: samples, parsed dumps and the scenario's `assert:` in; assertions,
// attribution and the run's outcome out. Pure functions over values — nothing here
// fetches, sleeps or includes the runner — so every rule is unit-tested without a target.
//
//   Leak assertions  each asserted resource's final value (median of the settled
//                    samples) against its limit (baseline + tolerance); with cycles ≥ 2,
//                    a significant growth slope from cycle to cycle beyond the tolerance
//                    over cycle 1 (probes/settle.h FitGrowth).
//   Proven leaks     goroutines the runtime's goroutineleak profile proved leaked beyond
//                    baseline fail the run even within tolerance (assert.proven_leaks_fail).
//   Closed by GC     descriptors a forced GC closed at settle (fd count just before minus
//                    just after, class 14: closed only by a finalizer) beyond the baseline's
//                    drop plus assert.fds_closed_by_gc (default: the fds tolerance) fail as
//                    `fds_closed_by_gc`, a leak, naming what they pointed at.
//   Evidence         every leak group says which evidence named it: grew since baseline,
//                    proven by the runtime, or both (assert.group_by splits by labels).
//   Thresholds       assert.max_error_rate over the non-warm-up phases, and each phase's
//                    thresholds: (probes/thresholds.h); a failure exits 4 when no leak failed.
//   Attribution      goroutine groups that grew (function, creator, state), heap growth by
//                    allocation site, open fds by target — reported only for the resources
//                    that failed.
//
// Thread-safety: pure functions; inputs are read-only.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/scenario/scenario.h"
#include "probes/goroutine_dump.h"
#include "probes/heap_profile.h"
#include "probes/proc_reader.h"
#include "reports/run_result.h"

namespace leakgate::probes {

// The limit of every asserted resource that was measurable at baseline, and a warning
// for each one that was not (it is then skipped, not failed).
struct LeakLimits {
  std::map<std::string, double> limits;
  std::vector<std::string> warnings;
};
LeakLimits ComputeLeakLimits(const scenario::Assert& assert, const std::map<std::string, double>& baseline);

// What one forced GC closed: the fds just before it minus just after (each read once the
// count stopped moving), by what they pointed at.
struct FdsClosedByGc {
  int64_t count = 0;
  std::vector<FdGrowth> closed;  // largest first
};

// What the probes captured for attribution; every part optional (a source the target
// does not serve is simply absent).
struct Evidence {
  std::optional<GoroutineDump> baseline_dump, final_dump;                     // goroutine?debug=2
  // goroutineleak?debug=2: a full dump whose proven leaks are marked "(leaked)"; read
  // once at baseline and once at the end (each fetch runs a leak-detecting GC cycle).
  std::optional<GoroutineDump> baseline_leak_profile, final_leak_profile;
  std::optional<HeapProfile> baseline_heap, final_heap;                        // heap?debug=1
  std::optional<FdSnapshot> baseline_fds, final_fds;                           // /proc/<pid>/fd
  // At baseline and the largest over the cycles' settles (a started target, force_gc,
  // fds asserted or assert.fds_closed_by_gc set).
  std::optional<FdsClosedByGc> baseline_closed_by_gc, final_closed_by_gc;
};

struct VerdictInput {
  const scenario::Assert& assert;
  const std::map<std::string, double>& baseline;   // median per resource
  const std::map<std::string, double>& final;      // median per resource after the last settle
  const std::map<std::string, double>& limits;     // ComputeLeakLimits().limits
  const std::map<std::string, double>& noise;      // per limited resource (NoiseOf the baseline)
  const std::vector<reports::CycleResult>& cycles; // settled values, one per load cycle
  const std::vector<reports::PhaseResult>& phases; // for the thresholds
  const Evidence& evidence;
  const std::vector<scenario::Phase>& phase_specs;  // the scenario's phases, for their thresholds:
};

struct VerdictOutput {
  reports::Verdict verdict = reports::Verdict::kPass;
  int exit_code = reports::kExitPass;
  std::string message;
  std::vector<reports::AssertionResult> assertions;
  // Groups that grew since baseline, proven by the runtime, or both (LeakEvidence), when
  // the goroutines or proven_leaks assertion failed.
  std::vector<reports::GoroutineLeak> leaks;
  std::vector<reports::GoroutineLeak> proven_leaks;  // proven by the goroutineleak profile alone
  std::vector<reports::HeapSite> heap_growth;        // failed heap assertions only
  std::vector<reports::FdLeak> fd_leaks;             // failed fd/socket assertions only
  std::vector<reports::FdLeak> fds_closed_by_gc;     // failed fds_closed_by_gc assertion only
};

VerdictOutput Judge(const VerdictInput& input);

}  // namespace leakgate::probes
