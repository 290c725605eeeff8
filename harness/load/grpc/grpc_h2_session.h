// The gRPC Session of the HTTP/2 data plane (session.h), the default gRPC client: calls
// are streams on leakgate's own HTTP/2 connections (h2::H2Connection, nghttp2 driven from
// the worker's io_context), framed per grpc/doc/PROTOCOL-HTTP2.md (grpc_wire.h): no
// grpc++ threads, no hop between threads per call.
//
// Channels are as with grpc++ (grpc_session.h): the phase's grpc.connections (default one
// per worker) split over the workers, each one HTTP/2 connection opened by its first call
// and used round robin; with grpc.channel_churn a connection that carried that many calls
// is replaced (its calls in flight finish on it, then it is closed); one that broke or
// received GOAWAY is replaced by the next call that picks it.
//
// A call: HEADERS (with grpc-timeout for its deadline and the entry's metadata), its
// request messages as DATA (a stream's paced by `interval`, END_STREAM after the last),
// response messages counted, the status from the trailers. The client-side faults act on
// it: cancel after a delay and grpc_cancel send RST_STREAM(CANCEL); a short deadline ends
// it by our timer (RST_STREAM, DEADLINE_EXCEEDED) or the server's; grpc_abandon never
// half-closes nor reads (its window is never granted back: the server's sends block once
// 64 KiB are out) and resets the stream after its hold. A run-wide stop resets every
// stream in flight.
// Thread-safety: as every Session, one worker's thread only.
#pragma once

#include <memory>

#include "harness/load/session.h"

namespace leakgate::load::grpc_load {

class GrpcProtocol;

std::unique_ptr<Session> NewGrpcH2Session(const GrpcProtocol& protocol, const SessionContext& context);

}  // namespace leakgate::load::grpc_load
