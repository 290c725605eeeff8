// How a gRPC call's end counts in the engine (session.h's RequestResult), the same for
// every gRPC client (grpc++ and the HTTP/2 data plane): the final status code, whether a
// planned client fault ended it, and the messages each side sent.
//
// A planned fault's ending is not an error: a cancel fault (cancel, grpc_cancel,
// grpc_abandon with a hold) ends CANCELLED; a short deadline ends DEADLINE_EXCEEDED (our
// timer) or CANCELLED (the server's RST_STREAM when its copy of the deadline fired first);
// an abandoned stream held until the deadline ends DEADLINE_EXCEEDED.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>

#include "harness/faults/fault_plan.h"
#include "harness/load/session.h"
#include "harness/stats/request_stats.h"

namespace leakgate::load::grpc_load {

// gRPC status codes used by the clients (grpc/status.h numbering).
enum GrpcCode : int {
  kGrpcOk = 0,
  kGrpcCancelled = 1,
  kGrpcUnknown = 2,
  kGrpcDeadlineExceeded = 4,
  kGrpcPermissionDenied = 7,
  kGrpcResourceExhausted = 8,
  kGrpcUnimplemented = 12,
  kGrpcInternal = 13,
  kGrpcUnavailable = 14,
  kGrpcUnauthenticated = 16,
};

// What happened on a call besides its status.
struct CallTally {
  bool cancelled_by_fault = false;  // we cancelled it on purpose (cancel, grpc_cancel, grpc_abandon)
  int64_t sent = 0;                 // request messages written
  int64_t received = 0;             // response messages read
};

// A gRPC status the way the HTTP taxonomy counts it (grpc-gateway's HTTP mapping).
stats::ErrorKind ErrorKindOf(int code);

// The engine's view of a call that ended with `code`.
RequestResult ClassifyCall(int code, const faults::RequestFaults& faults, const CallTally& tally);

}  // namespace leakgate::load::grpc_load
