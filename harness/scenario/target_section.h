// The target: and probe: sections of a scenario file (FORMAT.md, "target", "probe").
//
// Contract: each Read* returns a complete, validated value or throws ScenarioError at the
// offending YAML value. ReadTarget allocates ${port} (Context::Port) for the default
// target.url when only command: is given. No I/O. Thread-safety: none; one load, one thread.
#pragma once

#include "harness/scenario/scenario.h"
#include "harness/scenario/yaml_reader.h"

namespace leakgate::scenario {

Target ReadTarget(const Reader& r);
Probe ReadProbe(const Reader& r);

}  // namespace leakgate::scenario
