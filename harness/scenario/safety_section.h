// The safety: section of a scenario file (FORMAT.md, "safety"): hosts besides loopback that
// leakgate may talk to, as `safety.allow_hosts`.
//
// Contract: ReadSafety validates the section (a list of non-empty strings: names or IP
// literals) or throws ScenarioError at the offending value; the loader calls it. What the
// entries mean is the address policy's (harness/net/address_policy.h), checked where they
// are used. SafetyAllowHosts reads the list back from a scenario's YAML text (one the
// loader accepted), for the commands that apply it (leakgate coordinate, run --shard);
// it is kept out of the Scenario struct until the runner's probes take an allow list too.
// No I/O. Thread-safety: none; one load, one thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/yaml_reader.h"

namespace leakgate::scenario {

std::vector<std::string> ReadSafety(const Reader& r);

// safety.allow_hosts of a scenario's YAML (empty when it has none or does not parse).
std::vector<std::string> SafetyAllowHosts(std::string_view yaml);

}  // namespace leakgate::scenario
