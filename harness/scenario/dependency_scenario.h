// The dependency parts of a Scenario (see scenarios/FORMAT.md, "dependencies"): the
// services the target calls, which leakgate's chaos proxy (harness/faults/proxy) sits in
// front of, and the faults a phase puts on them. Plain structs filled in by the scenario
// loader, consumed read-only by the runner and the proxy. Included by scenario.h; not
// meant to be included on its own.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/net/tls_settings.h"

namespace leakgate::scenario {

// `stub: {status: 200, body: "42", headers: {...}, latency: 2ms}`: leakgate answers every
// HTTP/1.1 request itself (keep-alive), whatever its method and path.
struct HttpStub {
  int status = 200;                                          // 100..599
  std::string body;                                          // sent as is; Content-Length is added
  std::vector<std::pair<std::string, std::string>> headers;  // in order, besides Content-Length
  std::chrono::nanoseconds latency{0};                       // before each response is written
};

// `stub: {grpc: {status: UNAVAILABLE, message: "...", latency: 5ms}}`: leakgate answers
// every gRPC method (any service) with this status. With code 0 (OK) a unary caller gets
// one empty message, which decodes as the default value of any protobuf message.
struct GrpcStub {
  int code = 0;                          // grpc::StatusCode, 0 (OK) .. 16 (UNAUTHENTICATED); names mapped by the loader
  std::string message;                   // the status message
  std::chrono::nanoseconds latency{0};   // before each call is finished
};

// One `dependencies:` entry: a service the target reaches through `${dep.NAME}`, which is
// the proxy's "127.0.0.1:listen_port". Exactly one of upstream_host, http_stub and
// grpc_stub is set.
struct Dependency {
  std::string name;                      // [A-Za-z0-9_-]+, unique within the scenario
  // `upstream: "HOST:PORT"`: a real server the proxy forwards to. The host is an IP
  // address or a name already allowed by the loopback rule (the loader checks it).
  std::string upstream_host;
  std::string upstream_name;             // the host as written (the runner resolves upstream_host): TLS's peer name
  int upstream_port = 0;                 // 1..65535 when upstream_host is set
  std::optional<HttpStub> http_stub;     // `stub:` with status/body/headers/latency
  std::optional<GrpcStub> grpc_stub;     // `stub: {grpc: ...}`
  // `tls:` with `upstream:` only: the proxy speaks TLS to the upstream (the target still
  // speaks plain text to ${dep.NAME}); `ca`/`server_name`/`insecure_skip_verify` check the
  // upstream's certificate, `cert`/`key` are the proxy's client certificate (mutual TLS).
  std::optional<net::TlsSettings> tls;
  std::vector<std::string> tls_alpn;     // `tls: {alpn: [...]}`: offered in the handshake, e.g. h2 for gRPC
  // Relay as HTTP/1.1 (parse every request and response, so that http_* faults can act
  // per request) for the whole run. The loader sets it when any phase lists an http_*
  // fault naming this dependency; otherwise bytes are relayed as TCP. Never set for a
  // gRPC stub. Default false.
  bool http = false;
  // The proxy's loopback port, allocated by the loader (${dep.NAME} must be known before
  // the target starts). 0: the proxy binds an ephemeral port (tests).
  int listen_port = 0;
  int line = 0, column = 0;              // of the entry in the YAML, for messages
};

// One dependency fault of a phase's `faults:` (an item whose value names a
// `dependency:`). It is on only while its phase is current. Fields a kind does not list
// are ignored for it.
struct DependencyFault {
  enum Kind {
    // TCP faults: `direction`, and `probability` per connection.
    kLatency,      // delay, jitter
    kBandwidth,    // rate
    kBlackhole,    // read and drop; a connection blackholed stays so for its lifetime
    kStall,        // hold the data while on, deliver it when the fault ends (Toxiproxy's timeout: 0)
    kReset,        // RST: `after` the first data, or once `after_bytes` have passed
    kSlowClose,    // hold a close (FIN) for `delay`
    kSlicer,       // split into segments of size ± size_variation bytes, `delay` apart
    kLimitData,    // close the connection once `bytes` have passed in a direction
    kDown,         // refuse new connections, close existing ones (`probability`: see below)
    // HTTP faults (Dependency::http): `probability` per request, `path`, `method`.
    kHttpError,    // answer instead of the upstream: status, body, headers
    kHttpDelay,    // hold the response head (or, with before: body, only the body) for `delay`
    kHttpDrop,     // read the request, close the connection without answering
    kHttpSlowBody, // trickle the response body: slow_bytes per slow_interval
  };
  // Which bytes a TCP fault acts on: upstream = target → dependency (requests),
  // downstream = dependency → target (responses).
  enum class Direction { kBoth, kUpstream, kDownstream };
  // Where http_delay holds the response.
  enum class DelayPoint { kHead, kBody };

  Kind kind = kLatency;
  std::string dependency;                   // a Dependency::name
  Direction direction = Direction::kBoth;   // TCP faults; default both
  // TCP faults: share of the connections that carry the fault, drawn once per connection
  // when the fault takes effect. HTTP faults: share of the matching requests. For `down`:
  // 1 (the default) closes the listener (connects are refused) and every existing
  // connection; below 1, that share of new connections is accepted and reset at once and
  // that share of the existing ones closed. In [0, 1]; default 1.
  double probability = 1.0;
  // latency: added per chunk; slow_close: how long a close is held; slicer: pause
  // between two segments; http_delay: how long the head (or body) is held. Default 0.
  std::chrono::nanoseconds delay{0};
  std::chrono::nanoseconds jitter{0};       // latency: the delay is drawn from delay ± jitter per chunk; default 0
  int64_t rate = 0;                         // bandwidth: bytes per second, > 0 (required)
  std::chrono::nanoseconds after{0};        // reset: how long the first data is held before the RST; default 0
  int64_t after_bytes = 0;                  // reset: > 0: let this many bytes pass, then RST (instead of `after`); default 0
  int64_t bytes = 0;                        // limit_data: bytes per direction before the close, > 0 (required)
  int64_t size = 64;                        // slicer: average segment, bytes (YAML `average_size`); default 64
  int64_t size_variation = 0;               // slicer: ± bytes, < size; default 0
  // HTTP faults: which requests are eligible. `path` is a glob over the request path
  // without its query ('*' any run of characters, '?' one character); "" = every path.
  // `method` is exact ("GET"); "" = every method.
  std::string path;
  std::string method;
  int status = 503;                         // http_error: status, 100..599; default 503
  std::string body;                         // http_error: response body; default ""
  std::vector<std::pair<std::string, std::string>> headers;  // http_error: besides Content-Length
  DelayPoint before = DelayPoint::kHead;    // http_delay: `before: head` (default) or `before: body`
  int64_t slow_bytes = 1;                   // http_slow_body: body bytes per slow_interval (YAML `bytes`); default 1
  std::chrono::nanoseconds slow_interval = std::chrono::milliseconds(10);  // http_slow_body (YAML `interval`); default 10ms

  bool operator==(const DependencyFault&) const = default;
};

// True for the http_* kinds, which need Dependency::http.
inline bool IsHttpFault(DependencyFault::Kind kind) {
  return kind == DependencyFault::kHttpError || kind == DependencyFault::kHttpDelay ||
         kind == DependencyFault::kHttpDrop || kind == DependencyFault::kHttpSlowBody;
}

}  // namespace leakgate::scenario
