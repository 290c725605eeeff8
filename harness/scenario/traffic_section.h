// The traffic: section of a scenario file (FORMAT.md, "traffic"): HTTP request templates
// (method, path, headers, body with {{...}} variables, a CSV file feeding them), HTTP
// replays (JSON lines or HAR), and gRPC entries (read by grpc_section.h).
//
// Contract: returns every entry complete and validated — names unique, templates parsed,
// CSV and recordings read (the only I/O) — or throws ScenarioError at the offending YAML
// value; errors inside a named file read "file:line: ..." after the YAML position.
// Thread-safety: none; one load, one thread.
#pragma once

#include <vector>

#include "harness/scenario/scenario.h"
#include "harness/scenario/yaml_reader.h"

namespace leakgate::scenario {

std::vector<Traffic> ReadTraffic(const Reader& r);

}  // namespace leakgate::scenario
