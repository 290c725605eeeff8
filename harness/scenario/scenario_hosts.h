// Every host a loaded scenario names, against the address policy (harness/net/
// address_policy.h), before anything is sent or resolved: target.url, an absolute
// target.ready, absolute probe sources (probe.pprof, probe.expvar, probe.metrics) and
// absolute traffic URLs (traffic[i].path). Loopback passes; another host passes when the
// scenario's safety.allow_hosts or `extra` (--allow-host) names it.
//
// Contract: no lookup and no I/O — a name that is not allowed is refused without a DNS
// query. Returns OK, or the first refusal: kPermissionDenied (exit 2) naming the key, the
// URL and the host, kInvalidArgument for a URL or host that is none. The dependencies'
// upstreams are checked by the loader itself (dependencies_section.h).
// Thread-safety: a pure function.
#pragma once

#include "harness/base/status.h"
#include "harness/net/address_policy.h"
#include "harness/scenario/scenario.h"

namespace leakgate::scenario {

Status CheckScenarioHosts(const Scenario& s, const net::AllowList& extra);

}  // namespace leakgate::scenario
