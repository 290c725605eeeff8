// Readiness: which URL says that the target is ready for a run.
//
//   target.ready given     that path (relative to target.url) or absolute URL; "" is
//                          target.url itself
//   no `ready:` (default)  the probe endpoint, i.e. the first thing a sample reads:
//                          <pprof>/goroutine?debug=1, or the expvar URL when pprof is off,
//                          or the /metrics URL, or target.url when nothing is probed
//
// The default holds for started and for running (url:) targets alike: a service is ready
// for leakgate once leakgate can probe it, whether or not it has a /healthz (caddy and
// prometheus have none). A service whose traffic listener comes up after its probe
// listener (pprof on a side port) says `ready:`. Pure functions; thread-safe.
#pragma once

#include <string>

#include "harness/scenario/scenario.h"

namespace leakgate::runner {

// The absolute URL polled with GET until it answers 200.
std::string ReadinessUrl(const scenario::Target& target, const scenario::Probe& probe);

}  // namespace leakgate::runner
