// RunResults for the writers' unit tests, built in code: every field the model has
// (including those the runner does not fill yet: per-traffic and dependency results,
// labels, evidence, gctrace, fds closed by GC, thresholds), a hostile one whose strings
// try to inject markup, and the partial results of interrupted and failed runs. The
// writers' output for real runs is checked by tests/reports/reports_end_to_end_test.cpp.
#pragma once

#include "reports/run_result.h"

namespace leakgate::testing {

// A failed leak run with every field populated (two phases, a timeline of 12 samples,
// two leak groups, heap sites, fds, cycles, gctrace, a failed threshold, ...).
reports::RunResult FullResult();

// FullResult with markup, quotes, control characters and invalid UTF-8 in every string
// a target or a scenario controls. kHostileMarker appears in each of them.
reports::RunResult HostileResult();
inline constexpr const char* kHostileMarker = "<script>alert('x')</script><img src=x onerror=alert(1)>";

// What an interrupted run before the baseline leaves: no assertions, one phase, a few samples.
reports::RunResult InterruptedResult();

// A target that never became ready: verdict error, exit 3, nothing measured.
reports::RunResult TargetFailedResult();

}  // namespace leakgate::testing
