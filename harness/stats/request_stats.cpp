#include "harness/stats/request_stats.h"

namespace leakgate::stats {

std::string_view ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kConnect: return "connect";
    case ErrorKind::kWrite: return "write";
    case ErrorKind::kRead: return "read";
    case ErrorKind::kTimeout: return "timeout";
    case ErrorKind::kStatus4xx: return "status_4xx";
    case ErrorKind::kStatus5xx: return "status_5xx";
    case ErrorKind::kTls: return "tls";
    case ErrorKind::kCount: break;
  }
  return "unknown";
}

int64_t RequestStats::errors() const {
  int64_t total = 0;
  for (auto n : errors_by_kind) total += n;
  return total;
}

void RequestStats::Merge(const RequestStats& other) {
  scheduled += other.scheduled;
  sent += other.sent;
  ok += other.ok;
  cancelled += other.cancelled;
  dropped += other.dropped;
  aborted += other.aborted;
  for (size_t i = 0; i < errors_by_kind.size(); ++i) errors_by_kind[i] += other.errors_by_kind[i];
  connections_opened += other.connections_opened;
  tls_handshakes += other.tls_handshakes;
  tls_resumed += other.tls_resumed;
  tls_handshake_failures += other.tls_handshake_failures;
  tls_handshake_time.Merge(other.tls_handshake_time);
  late += other.late;
  for (size_t i = 0; i < faulted.size(); ++i) faulted[i] += other.faulted[i];
  corrected.Merge(other.corrected);
  uncorrected.Merge(other.uncorrected);
  for (size_t i = 0; i < grpc_status.size(); ++i) grpc_status[i] += other.grpc_status[i];
  messages_sent += other.messages_sent;
  messages_received += other.messages_received;
}

void TrafficStats::Merge(const TrafficStats& other) {
  requests += other.requests;
  ok += other.ok;
  errors += other.errors;
  cancelled += other.cancelled;
  latency.Merge(other.latency);
}

}  // namespace leakgate::stats
