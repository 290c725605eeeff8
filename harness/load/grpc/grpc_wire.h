// gRPC over HTTP/2 on the wire (grpc/doc/PROTOCOL-HTTP2.md), for the HTTP/2 data plane:
// message framing, the grpc-timeout header, metadata encoding, and the status of a call
// that ended without grpc-status (HTTP status, RST_STREAM code, a broken connection).
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leakgate::load::grpc_load {

// One serialized message as a length-prefixed message: flag 0 (uncompressed), 4-byte
// big-endian length, the bytes.
std::string FrameMessage(std::string_view message);

// `timeout` as a grpc-timeout value: at most 8 digits and the finest unit that holds them
// (n, u, m, S, M, H), rounded up so the server never sees a shorter deadline; at least 1n.
std::string GrpcTimeoutValue(std::chrono::nanoseconds timeout);

// The request header fields of a call to `path` ("/pkg.Service/Method") on `authority`,
// pseudo-headers first, then `metadata` (a "-bin" key's value base64-encoded, as the
// protocol wants). grpc-timeout is not among them: it is per call.
std::vector<std::pair<std::string, std::string>> RequestHeaderFields(
    std::string_view path, std::string_view authority, bool tls,
    const std::vector<std::pair<std::string, std::string>>& metadata);

// Standard base64 with padding (grpc accepts padded and unpadded).
std::string Base64(std::string_view bytes);

// The status of a response without grpc-status, from its HTTP status
// (grpc's http-grpc-status-mapping.md): 400 INTERNAL, 401 UNAUTHENTICATED, 403
// PERMISSION_DENIED, 404 UNIMPLEMENTED, 429/502/503/504 UNAVAILABLE, else UNKNOWN.
int StatusFromHttp(unsigned http_status);

// The status of a stream the server reset with HTTP/2 error `code` (PROTOCOL-HTTP2.md,
// "Errors"): CANCEL → CANCELLED, REFUSED_STREAM → UNAVAILABLE, ENHANCE_YOUR_CALM →
// RESOURCE_EXHAUSTED, INADEQUATE_SECURITY → PERMISSION_DENIED, others INTERNAL.
int StatusFromReset(uint32_t code);

}  // namespace leakgate::load::grpc_load
