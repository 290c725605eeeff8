// The thresholds: list of a phase (FORMAT.md, "thresholds"): k6-style expressions parsed
// by threshold.h, checked against the phase they belong to.
//
// Contract: returns one Threshold per list item, or throws ScenarioError placed at the
// offending character ("demo.yaml:14:24: phases[1].thresholds[0]: unknown metric 'p98'");
// a phase that sends nothing cannot carry thresholds, and `rate` needs an asked rate (an
// open-model phase). No I/O. Thread-safety: none; one load, one thread.
#pragma once

#include <vector>

#include "harness/scenario/scenario.h"
#include "harness/scenario/yaml_reader.h"

namespace leakgate::scenario {

// `phase`: the phase read so far (its arrival model decides what may be asserted).
std::vector<Threshold> ReadThresholds(const Reader& r, const Phase& phase);

}  // namespace leakgate::scenario
