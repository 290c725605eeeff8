// The safety: section of a scenario file (FORMAT.md, "safety"): hosts besides loopback that
// leakgate may talk to, as `safety.allow_hosts`.
//
// Contract: ReadSafety validates the section (a list of non-empty host names or IP
// literals, each one the address policy can read: harness/net/address_policy.h) or throws
// ScenarioError at the offending value; the loader stores it in Scenario::safety (the
// dependencies' upstreams are checked against it). SafetyAllowHosts reads the list back
// from a scenario's YAML text (one the loader accepted), for the commands that take the
// file's text (leakgate coordinate, run --shard).
// No I/O. Thread-safety: none; one load, one thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/scenario.h"
#include "harness/scenario/yaml_reader.h"

namespace leakgate::scenario {

Safety ReadSafety(const Reader& r);

// safety.allow_hosts of a scenario's YAML (empty when it has none or does not parse).
std::vector<std::string> SafetyAllowHosts(std::string_view yaml);

}  // namespace leakgate::scenario
