// The traffic: section of a scenario file (FORMAT.md, "traffic"): HTTP request templates
// (method, path, headers, body with {{...}} variables, a CSV file feeding them), HTTP
// replays (JSON lines or HAR), and gRPC entries (read by grpc_section.h).
//
// Contract: returns every entry complete and validated — names unique, templates parsed,
// CSV and recordings read (the only I/O) — or throws ScenarioError at the offending YAML
// value; errors inside a named file read "file:line: ..." after the YAML position.
// Thread-safety: none; one load, one thread.
#pragma once

#include <string>
#include <vector>

#include "harness/scenario/scenario.h"
#include "harness/scenario/yaml_reader.h"

namespace leakgate::scenario {

std::vector<Traffic> ReadTraffic(const Reader& r);

// The protocol of an entry: gRPC (grpc:) or HTTP (a template or an HTTP replay).
inline bool IsGrpcTraffic(const Traffic& t) { return t.grpc.has_value(); }
inline bool IsHttpTraffic(const Traffic& t) { return !t.grpc.has_value(); }

// Whether `traffic` has entries of both protocols.
bool IsMixed(const std::vector<Traffic>& traffic);

// The names of the entries for which `pred` holds, in order.
std::vector<std::string> NamesOf(const std::vector<Traffic>& traffic, bool (*pred)(const Traffic&));

}  // namespace leakgate::scenario
