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

// Goroutine groups (function, creator, state[, labels]) present at the end beyond
// baseline; evidence kGrew.
std::vector<reports::GoroutineLeak> GrownGoroutines(const GoroutineDump& baseline, const GoroutineDump& final,
                                                    const std::vector<IgnoreRule>& ignore, const Grouping& grouping);

// The goroutines the runtime's goroutineleak profile (a debug=2 dump whose proven leaks
// are marked "(leaked)") proved leaked at the end and not yet at baseline (by goroutine
// id: Go never reuses one), grouped as GrownGoroutines groups; evidence kProven.
std::vector<reports::GoroutineLeak> ProvenLeaks(const GoroutineDump& baseline_profile, const GoroutineDump& final_profile,
                                                const std::vector<IgnoreRule>& ignore, const Grouping& grouping);

// One list of leak groups from both kinds of evidence: a group named by both is kBoth
// (its count the larger of the two), the others keep theirs. Largest first.
std::vector<reports::GoroutineLeak> MergeEvidence(std::vector<reports::GoroutineLeak> grown,
                                                  const std::vector<reports::GoroutineLeak>& proven);

// Allocation sites whose in-use bytes grew, at most `top_n`.
std::vector<reports::HeapSite> HeapGrowthSites(const HeapProfile& baseline, const HeapProfile& final, size_t top_n);

// Open file descriptors that grew, by what they point at.
std::vector<reports::FdLeak> GrownFds(const FdSnapshot& baseline, const FdSnapshot& final);

}  // namespace leakgate::probes
