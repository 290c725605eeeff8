// The gRPC parts of a scenario file (FORMAT.md, "gRPC"): the top-level grpc: section, a
// traffic entry's grpc: call (or gRPC replay), a phase's grpc: shaping, the grpc_cancel /
// grpc_abandon faults, and the checks that tie them to the rest of the scenario.
//
// Contract: each Read* returns complete, validated values or throws ScenarioError at the
// offending YAML value (yaml_reader.h). Reading a replay file is the only I/O.
// Thread-safety: none; used by one load on one thread.
#pragma once

#include <optional>
#include <vector>

#include "harness/scenario/scenario.h"
#include "harness/scenario/yaml_reader.h"

namespace leakgate::scenario {

// Scenario-level grpc: mapping (protos, import_paths, reflection).
GrpcConfig ReadGrpcConfig(const Reader& r);

// A traffic entry whose mapping `m` has grpc:: fills t.grpc; the HTTP-only keys (method,
// path, headers, body, replay, csv) are errors. Does nothing when grpc: is absent.
void ReadGrpcTraffic(const MapReader& m, Traffic& t);

// A phase's grpc: mapping (connections, channel_churn).
void ReadGrpcPhase(const Reader& r, GrpcPhase& out);

// A faults: item's grpc_cancel: or grpc_abandon: value; its traffic: names must be gRPC
// entries of `traffic`. Without traffic: in a scenario that also has HTTP entries, the
// fault's traffic list is filled with the gRPC entries' names (it applies to those only).
GrpcFault ReadGrpcFault(const Reader& r, GrpcFault::Kind kind, const std::vector<Traffic>& traffic);

// After traffic: and grpc: are read: gRPC traffic needs the scenario's grpc: (where its
// message types come from); an error at `root` otherwise. HTTP entries may be beside it.
void CheckGrpcTraffic(const Reader& root, const Scenario& s);

// In a scenario whose traffic is all gRPC, HTTP-only faults (reset, slow_send, ...) have
// no meaning: an error at the phase. (With HTTP entries beside the gRPC ones they apply to
// the HTTP entries, see faults_section.h.)
void CheckGrpcFaults(const Scenario& s);

}  // namespace leakgate::scenario
