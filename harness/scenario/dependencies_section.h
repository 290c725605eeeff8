// The chaos-proxy parts of a scenario (FORMAT.md, "Dependencies"): the top-level
// `dependencies:` list, `safety: {allow_hosts: [...]}`, and the items of a phase's
// `faults:` that name a dependency (latency, bandwidth, blackhole, stall, reset with
// dependency:, slow_close, slicer, limit_data, down, http_error, http_delay, http_drop,
// http_slow_body).
//
// Contract: ReadDependencies() returns the entries in order, each with exactly one of
// upstream / stub, a unique name and a fresh loopback listen port, and declares every name
// in the Context so that ${dep.NAME} expands in the sections read after it. An upstream
// host must pass the address policy (harness/net: loopback, or named in
// safety.allow_hosts). ReadDependencyFault() validates every parameter of one fault item
// and that its dependency exists (and, for http_* faults, is not a gRPC stub).
// FinishDependencies() sets Dependency::http for dependencies that any phase puts an
// http_* fault on. Every error throws ScenarioError at the offending value
// (file:line:column). No I/O: nothing is resolved or connected.
// Thread-safety: none; one load, one thread.
#pragma once

#include <string_view>
#include <vector>

#include "harness/scenario/scenario.h"
#include "harness/scenario/yaml_reader.h"

namespace leakgate::scenario {

// `dependencies:`, checked against `safety`.
std::vector<Dependency> ReadDependencies(const Reader& r, const Safety& safety);

// True when the faults: item `kind: value` is a dependency fault: a kind only the proxy
// has, or `reset` whose value names a dependency: (a bare reset is the client's).
bool IsDependencyFaultItem(std::string_view kind, const Reader& value);

// One dependency fault item; the dependencies come from the Context (ReadDependencies).
DependencyFault ReadDependencyFault(std::string_view kind, const Reader& value);

// After the phases: marks the HTTP relays (Dependency::http).
void FinishDependencies(Scenario& s);

}  // namespace leakgate::scenario
