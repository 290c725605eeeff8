// The phases: section of a scenario file (FORMAT.md, "phases"): duration, the arrival
// model (rate or a ramp, concurrency with think time, or a replay's recorded pace), warm-up,
// bounds, connection policy, gRPC shaping and the phase's faults (faults_section.h).
//
// Contract: returns at least one phase, names unique, warm-ups first and at least one
// measured phase, every value validated against `traffic` (a rate needs traffic, replay:
// names an HTTP replay entry), or throws ScenarioError at the offending YAML value. No I/O.
// Thread-safety: none; one load, one thread.
#pragma once

#include <vector>

#include "harness/scenario/scenario.h"
#include "harness/scenario/yaml_reader.h"

namespace leakgate::scenario {

std::vector<Phase> ReadPhases(const Reader& r, const std::vector<Traffic>& traffic);

}  // namespace leakgate::scenario
