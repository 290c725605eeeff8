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

}  // namespace leakgate::runner
