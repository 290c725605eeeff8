// The gRPC Session (session.h): one worker's channels and calls.
//
// Channels: the phase's grpc.connections (default one per worker) split over the workers,
// each channel its own TCP connection; calls go round robin over a worker's channels, and
// with grpc.channel_churn a channel that carried that many calls is replaced. A call is a
// grpc++ generic call (unary, or a bidi stream for every streaming kind) on the worker's
// io_context; the client-side faults act on it: cancel after a delay, a short deadline,
// cancel after N stream messages (grpc_cancel), abandon a stream (grpc_abandon).
// Thread-safety: as every Session, one worker's thread only.
#pragma once

#include <memory>

#include "harness/load/session.h"

namespace leakgate::load::grpc_load {

class GrpcProtocol;

std::unique_ptr<Session> NewGrpcSession(const GrpcProtocol& protocol, const SessionContext& context);

}  // namespace leakgate::load::grpc_load
