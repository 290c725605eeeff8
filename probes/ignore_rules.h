// The ignore rules of leak attribution: the shipped defaults (scenarios/FORMAT.md,
// "Ignore rules") and the scenario's own, as probes::IgnoreRule values. Pure functions.
#pragma once

#include <vector>

#include "harness/scenario/scenario.h"
#include "probes/goroutine_attribution.h"

namespace leakgate::probes {

// Goroutines that come and go with connections and with leakgate's own scrapes, never a
// leak by themselves: the probe's dump writer, idle net/http server connections (only
// when no user code is on the stack), gRPC transport goroutines.
std::vector<IgnoreRule> DefaultIgnoreRules();

// The defaults (unless assert.default_ignores is false) followed by assert.ignore.
std::vector<IgnoreRule> IgnoreRulesOf(const scenario::Assert& assert);

}  // namespace leakgate::probes
