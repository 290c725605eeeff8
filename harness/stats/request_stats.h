// RequestStats: what one worker (or, after merging, one phase) observed of its requests.
//
// Invariant after a phase: sent == ok + errors() + cancelled + aborted; dropped requests
// were never sent. Thread-safety: none; one instance per worker, merged after the phase.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string_view>

#include "harness/stats/histogram.h"

namespace leakgate::stats {

// Why a request did not end in a 2xx/3xx response. Counted like wrk's `errors` struct.
enum class ErrorKind : int {
  kConnect = 0,   // connect failed or timed out
  kWrite,         // writing the request failed
  kRead,          // reading the response failed (reset, EOF, parse error)
  kTimeout,       // the per-request deadline expired (not a planned fault)
  kStatus4xx,     // response with status 400..499
  kStatus5xx,     // response with status 500..599
  kTls,           // the TLS handshake failed (certificate verification, refused client certificate)
  kCount
};
std::string_view ErrorKindName(ErrorKind kind);

inline constexpr int kFaultKinds = 15;    // scenario::Fault::Kind values (static_assert in faults/)
inline constexpr int kGrpcStatusCodes = 17;  // gRPC status codes OK (0) .. UNAUTHENTICATED (16)
inline constexpr std::chrono::milliseconds kLateAfter{1};

// One second of a phase, for the per-second timeline (throughput, errors, p99).
struct TimelineSecond {
  int64_t second = 0;       // since the phase's start; covers [second, second + 1)
  int64_t completed = 0;    // requests that ended in this second (ok + errors + cancelled)
  int64_t ok = 0;
  int64_t errors = 0;
  int64_t p99_nanos = 0;    // of the corrected latency of responses completed in this second
};

struct RequestStats {
  int64_t scheduled = 0;   // arrivals the open model asked for
  int64_t sent = 0;        // requests that started (got a connection and began writing)
  int64_t ok = 0;          // responses with status < 400
  int64_t cancelled = 0;   // ended by a client-side fault that breaks the exchange (cancel, reset,
                           // deadline, abandon_body, truncate_body, malformed), whatever the server did
  int64_t dropped = 0;     // arrivals not sent because max_in_flight requests were already running
  int64_t aborted = 0;     // cut short by a run-wide stop (SIGINT)
  std::array<int64_t, static_cast<size_t>(ErrorKind::kCount)> errors_by_kind{};
  int64_t connections_opened = 0;
  // TLS (https:// targets): handshakes completed and failed on the connections opened, and
  // the time each completed one took (from ClientHello to Finished; TCP connect excluded).
  // handshakes <= connections_opened; tls_resumed <= handshakes (those that resumed a
  // session: scenario tls.resume_sessions).
  int64_t tls_handshakes = 0;
  int64_t tls_resumed = 0;
  int64_t tls_handshake_failures = 0;
  LatencyHistogram tls_handshake_time;
  int64_t late = 0;        // sent (began writing) ≥ kLateAfter after the intended time; ⊆ sent
  // Requests that carried each client-side fault (index: scenario::Fault::Kind); a request
  // may carry several. Counted whether or not the fault got to act.
  std::array<int64_t, kFaultKinds> faulted{};

  // Latency of completed requests (ok and status errors). `corrected` is measured from
  // the intended send time of the open model (no coordinated omission); `uncorrected`
  // from the moment the request actually started.
  LatencyHistogram corrected;
  LatencyHistogram uncorrected;

  // gRPC calls only: calls per final status code (every call that ended, aborted ones
  // too), and stream messages written / read.
  std::array<int64_t, kGrpcStatusCodes> grpc_status{};
  int64_t messages_sent = 0;
  int64_t messages_received = 0;

  int64_t errors() const;
  void AddError(ErrorKind kind) { ++errors_by_kind[static_cast<size_t>(kind)]; }
  void Merge(const RequestStats& other);
};

// One traffic entry's share of a phase: the per-entry breakdown of RequestStats.
// Invariant: requests == ok + errors + cancelled + aborted of that entry.
struct TrafficStats {
  int64_t requests = 0;    // sent
  int64_t ok = 0;
  int64_t errors = 0;
  int64_t cancelled = 0;   // ended by a planned client fault
  LatencyHistogram latency;  // corrected, of the responses (as RequestStats::corrected)

  void Merge(const TrafficStats& other);
};

}  // namespace leakgate::stats
