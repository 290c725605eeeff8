#include "harness/runner/readiness.h"

#include "probes/http_fetch.h"

namespace leakgate::runner {

std::string ReadinessUrl(const scenario::Target& target, const scenario::Probe& probe) {
  if (target.ready) return probes::JoinUrl(target.url, *target.ready);
  if (!probe.pprof.empty()) return probes::JoinUrl(probes::JoinUrl(target.url, probe.pprof), "goroutine?debug=1");
  if (!probe.expvar.empty()) return probes::JoinUrl(target.url, probe.expvar);
  if (!probe.metrics.empty()) return probes::JoinUrl(target.url, probe.metrics);
  return probes::JoinUrl(target.url, "");
}

std::optional<net::TlsSettings> ProbeSourceTls(const scenario::Target& target, const scenario::Probe& probe,
                                               const std::optional<net::TlsSettings>& source_tls) {
  if (source_tls) return source_tls;
  if (probe.tls) return probe.tls;
  return target.tls;
}

std::optional<net::TlsSettings> ReadinessTls(const scenario::Target& target, const scenario::Probe& probe) {
  if (target.ready) return target.tls;
  if (!probe.pprof.empty()) return ProbeSourceTls(target, probe, probe.pprof_tls);
  if (!probe.expvar.empty()) return ProbeSourceTls(target, probe, probe.expvar_tls);
  if (!probe.metrics.empty()) return ProbeSourceTls(target, probe, probe.metrics_tls);
  return target.tls;
}

}  // namespace leakgate::runner
