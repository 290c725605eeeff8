#include "harness/load/grpc/grpc_outcome.h"

namespace leakgate::load::grpc_load {

stats::ErrorKind ErrorKindOf(int code) {
  switch (code) {
    case 4: return stats::ErrorKind::kTimeout;   // DEADLINE_EXCEEDED
    case 1: return stats::ErrorKind::kRead;      // CANCELLED
    case 3:                                      // INVALID_ARGUMENT
    case 5:                                      // NOT_FOUND
    case 6:                                      // ALREADY_EXISTS
    case 7:                                      // PERMISSION_DENIED
    case 8:                                      // RESOURCE_EXHAUSTED
    case 9:                                      // FAILED_PRECONDITION
    case 11:                                     // OUT_OF_RANGE
    case 16: return stats::ErrorKind::kStatus4xx;  // UNAUTHENTICATED
    default: return stats::ErrorKind::kStatus5xx;
  }
}

RequestResult ClassifyCall(int code, const faults::RequestFaults& faults, const CallTally& tally) {
  RequestResult out;
  out.grpc_status = code;
  const bool planned_deadline = faults.deadline && (code == kGrpcDeadlineExceeded || code == kGrpcCancelled);
  const bool planned_abandon = faults.abandon_hold && code == kGrpcDeadlineExceeded;
  if (code == kGrpcOk) {
    out.outcome = Outcome::kOk;
    out.responded = true;
  } else if ((tally.cancelled_by_fault && code == kGrpcCancelled) || planned_deadline || planned_abandon) {
    out.outcome = Outcome::kFaulted;
  } else {
    out.outcome = Outcome::kError;
    out.error = ErrorKindOf(code);
    out.responded = code != kGrpcDeadlineExceeded && code != kGrpcCancelled;
  }
  out.messages_sent = tally.sent;
  out.messages_received = tally.received;
  return out;
}

}  // namespace leakgate::load::grpc_load
