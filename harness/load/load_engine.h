// LoadEngine: drives one phase of HTTP/1.1 traffic at the target.
//
// Models: open (constant `rate`, or a linear ramp; arrival j is due at a pure function of
// j, see arrivals.h), closed (`concurrency` virtual users with `think_time`), and replay at
// the recorded pace. One worker thread per core, each with its own io_context(1),
// connection pool, random engine and stats (no shared hot state, as in wrk's
// thread_main); arrival j belongs to worker j mod W. Stats are merged when the phase
// ends, and per second into the timeline (stats/timeline.h). Latency is measured from the
// intended send time (no coordinated omission) and, uncorrected, from the actual start.
//
// Contract of RunPhase: returns once the phase's duration has elapsed and every request it
// started has completed, failed or hit its deadline; all connections it opened are closed
// before it returns, so the target's per-connection goroutines can go away before the
// next probe sample. A raised `stop` flag ends arrivals and aborts in-flight requests
// within ~20 ms. Throws only for setup errors (std::invalid_argument).
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "harness/scenario/scenario.h"
#include "harness/stats/request_stats.h"

namespace leakgate::load {

// Where requests go, resolved once from the target's base URL.
struct TargetAddress {
  boost::asio::ip::tcp::endpoint endpoint;
  std::string host_header;  // "127.0.0.1:8080"
  std::string base_path;    // URL path prefix without trailing '/', usually ""
};

// Parses an http:// URL and resolves its host. Throws std::invalid_argument with a
// message naming the URL when it is not http://, has no host, or does not resolve.
TargetAddress ResolveTarget(const std::string& url);

struct PhaseLoadResult {
  stats::RequestStats stats;
  std::chrono::nanoseconds elapsed{0};   // wall time of the phase including the drain
  int workers = 0;
  std::vector<stats::TimelineSecond> timeline;  // one entry per second of the phase (by completion time)
};

PhaseLoadResult RunPhase(const scenario::Phase& phase, const std::vector<scenario::Traffic>& traffic,
                         const TargetAddress& target, const std::atomic<bool>& stop);

}  // namespace leakgate::load
