// Attribution in the reports' terms: goroutine groups that grew, goroutines the runtime
// proved leaked, heap growth by allocation site, fd growth by target, each turned into the
// reports:: values the verdict hands out. Pure functions over parsed dumps; deterministic
// order (largest first, ties by name).
#pragma once

#include <string>
#include <vector>

#include "probes/goroutine_attribution.h"
#include "probes/goroutine_dump.h"
#include "probes/heap_profile.h"
#include "probes/proc_reader.h"
#include "reports/run_result.h"

namespace leakgate::probes {

// A stack as the reports print it: "function file:line", innermost first.
std::vector<std::string> FormatStack(const std::vector<Frame>& frames);

// Goroutine groups (function, creator, state) present at the end beyond baseline.
std::vector<reports::GoroutineLeak> GrownGoroutines(const GoroutineDump& baseline, const GoroutineDump& final,
                                                    const std::vector<IgnoreRule>& ignore);

// Goroutines the goroutineleak profile (debug=1) reports at the end beyond those it
// reported at baseline, grouped by their top user function; state "leaked" (the runtime
// proved them unreachable), evidence kProven.
std::vector<reports::GoroutineLeak> ProvenLeaks(const GroupedGoroutines& baseline, const GroupedGoroutines& final,
                                                const std::vector<IgnoreRule>& ignore);

// Allocation sites whose in-use bytes grew, at most `top_n`.
std::vector<reports::HeapSite> HeapGrowthSites(const HeapProfile& baseline, const HeapProfile& final, size_t top_n);

// Open file descriptors that grew, by what they point at.
std::vector<reports::FdLeak> GrownFds(const FdSnapshot& baseline, const FdSnapshot& final);

}  // namespace leakgate::probes
