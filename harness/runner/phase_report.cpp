#include "harness/runner/phase_report.h"

#include <algorithm>
#include <cmath>

#include "harness/load/grpc/grpc_protocol.h"

namespace leakgate::runner {

reports::LatencySummary Summarize(const stats::LatencyHistogram& h, bool keep_histogram) {
  auto ms = [](int64_t ns) { return static_cast<double>(ns) / 1e6; };
  reports::LatencySummary s;
  s.count = h.count();
  s.p50_ms = ms(h.QuantileNanos(0.50));
  s.p90_ms = ms(h.QuantileNanos(0.90));
  s.p95_ms = ms(h.QuantileNanos(0.95));
  s.p99_ms = ms(h.QuantileNanos(0.99));
  s.p999_ms = ms(h.QuantileNanos(0.999));
  s.p9999_ms = ms(h.QuantileNanos(0.9999));
  s.max_ms = ms(h.max_nanos());
  s.mean_ms = h.mean_nanos() / 1e6;
  // HDR-style percentile points: five per halving of the distance to 100 %, up to
  // 99.999 % or to the last recorded value, whichever comes first.
  for (int i = 0; s.count > 0; ++i) {
    const double percentile = std::min(99.999, 100.0 * (1.0 - std::pow(0.5, i / 5.0)));
    s.curve.emplace_back(percentile, ms(h.QuantileNanos(percentile / 100.0)));
    const bool beyond_last = (1.0 - percentile / 100.0) * static_cast<double>(s.count) < 1.0;
    if (percentile >= 99.999 || beyond_last) break;
  }
  if (keep_histogram) s.histogram = reports::HistogramData{h.min_nanos(), h.max_nanos(), h.sum_nanos(), h.NonEmptyBuckets()};
  return s;
}

reports::PhaseResult ToPhaseResult(const scenario::Phase& phase, const load::PhaseLoadResult& load,
                                   const load::LoadEngine& engine, bool keep_histograms) {
  const auto& st = load.stats;
  reports::PhaseResult p;
  p.name = phase.name;
  p.warmup = phase.warmup;
  p.duration_s = std::chrono::duration<double>(load.elapsed).count();
  p.target_rate = phase.rate_to >= 0 ? (phase.rate + phase.rate_to) / 2 : phase.rate;  // a ramp: its mean rate
  const double scheduled_s = std::chrono::duration<double>(phase.duration).count();
  p.achieved_rate = scheduled_s > 0 ? static_cast<double>(st.sent) / scheduled_s : 0;
  p.workers = load.workers;
  p.scheduled = st.scheduled;
  p.requests = st.sent;
  p.ok = st.ok;
  p.errors = st.errors();
  p.cancelled = st.cancelled;
  p.dropped = st.dropped;
  p.aborted = st.aborted;
  p.connections_opened = st.connections_opened;
  p.tls_handshakes = st.tls_handshakes;
  p.tls_resumed = st.tls_resumed;
  p.tls_handshake_failures = st.tls_handshake_failures;
  p.tls_handshake_time = Summarize(st.tls_handshake_time);
  for (size_t i = 0; i < st.errors_by_kind.size(); ++i) {
    if (st.errors_by_kind[i] > 0) {
      p.errors_by_kind[std::string(stats::ErrorKindName(static_cast<stats::ErrorKind>(i)))] = st.errors_by_kind[i];
    }
  }
  p.latency = Summarize(st.corrected, keep_histograms);
  p.latency_uncorrected = Summarize(st.uncorrected, keep_histograms);
  p.late = st.late;
  for (size_t k = 0; k < st.faulted.size(); ++k) {
    if (st.faulted[k] > 0) p.faulted[std::string(scenario::FaultKindName(static_cast<scenario::Fault::Kind>(k)))] = st.faulted[k];
  }
  for (const auto& t : load.timeline) {
    p.timeline.push_back({t.second, t.completed, t.ok, t.errors, static_cast<double>(t.p99_nanos) / 1e6});
  }
  for (size_t code = 0; code < st.grpc_status.size(); ++code) {
    if (st.grpc_status[code] > 0) p.grpc_status[load::grpc_load::StatusCodeName(static_cast<int>(code))] = st.grpc_status[code];
  }
  p.grpc_messages_sent = st.messages_sent;
  p.grpc_messages_received = st.messages_received;
  for (size_t t = 0; t < load.by_entry.size(); ++t) {
    if (!load.entry_used[t]) continue;
    const auto& e = load.by_entry[t];
    p.by_traffic.push_back({engine.traffic()[t].name, std::string(engine.ProtocolOf(t)), e.requests, e.ok, e.errors,
                            e.cancelled, Summarize(e.latency, keep_histograms)});
  }
  return p;
}

}  // namespace leakgate::runner
