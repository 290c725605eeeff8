// A phase's faults: list (FORMAT.md, "faults"): the client-side faults cancel, reset,
// slow_send, slow_read, abandon_body, half_close, truncate_body, malformed, deadline, and
// (through grpc_section.h) grpc_cancel and grpc_abandon; items that name a dependency go
// to dependencies_section.h (Phase::dependency_faults).
//
// Contract: fills the phase's cancel, faults and grpc.faults lists in the order written,
// each fault validated (probabilities in [0, 1], traffic: names that exist, ...), or throws
// ScenarioError at the offending YAML value. In a scenario that mixes HTTP and gRPC
// entries, the HTTP-only faults (reset, slow_send, slow_read, abandon_body, half_close,
// truncate_body, malformed) apply to the HTTP entries and grpc_cancel / grpc_abandon to
// the gRPC ones: a traffic: name of the other protocol is an error at the name, and a
// fault without traffic: gets the names of its protocol's entries. cancel and deadline
// apply to both. No I/O. Thread-safety: none; one load, one thread.
#pragma once

#include <vector>

#include "harness/scenario/scenario.h"
#include "harness/scenario/yaml_reader.h"

namespace leakgate::scenario {

// `faults`: the phase's faults: list; `traffic`: the scenario's entries, for traffic: names.
void ReadFaults(const Reader& faults, const std::vector<Traffic>& traffic, Phase& p);

}  // namespace leakgate::scenario
