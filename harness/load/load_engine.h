// LoadEngine: drives the traffic of a scenario's phases at the target, one engine for
// every protocol.
//
// The engine owns what is common to all protocols (h2load's split): the arrival
// scheduler — open model (constant `rate`, or a linear ramp; arrival j is due at a pure
// function of j, see arrivals.h), closed model (`concurrency` virtual users with
// `think_time`), recorded pace for replays —, the client fault decisions
// (faults::FaultPlan), the accounting (stats, per-entry stats, a fixed-memory per-second
// timeline) and the stop path. Protocols plug in as Sessions (session.h): HTTP/1.1
// (load/http) and gRPC (load/grpc); one phase may mix entries of both.
//
// Workers: one thread per core, each with its own io_context(1), sessions, random engine
// and stats (worker.h); merged when the phase ends. Latency is measured from the intended
// send time (no coordinated omission) and, uncorrected, from the actual start.
//
// Contract of RunPhase: returns once the phase's duration has elapsed and every request it
// started has completed, failed or hit its deadline; every connection it opened is closed
// before it returns, so the target's per-connection goroutines can go away before the
// next probe sample. A raised `stop` flag ends arrivals and aborts in-flight requests
// within ~20 ms. Thread-safety: one RunPhase at a time; the engine is immutable otherwise.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harness/load/session.h"
#include "harness/load/target_address.h"
#include "harness/scenario/scenario.h"
#include "harness/stats/request_stats.h"
#include "harness/stats/timeline.h"

namespace leakgate::load {

struct PhaseLoadResult {
  stats::RequestStats stats;
  std::vector<stats::TrafficStats> by_entry;  // parallel to LoadEngine::traffic()
  std::vector<bool> entry_used;               // by entry: the phase drew from it
  std::chrono::nanoseconds elapsed{0};        // wall time of the phase including the drain
  int workers = 0;
  std::vector<stats::TimelineSecond> timeline;  // one entry per second of the phase (by completion time)
};

class LoadEngine {
 public:
  // Prepares every traffic entry of `s`: HTTP requests (their URLs resolved once: the
  // target's, or an entry's absolute URL) and gRPC calls (message types from
  // grpc.protos, or the server's reflection, which needs the target running). Throws
  // scenario::ScenarioError for entries that cannot be prepared (file:line:column),
  // std::invalid_argument for URLs that are not http:// or do not resolve,
  // std::runtime_error when protos or reflection fail.
  explicit LoadEngine(const scenario::Scenario& s);
  // HTTP traffic alone (leakgate load): every entry goes to `target_url`.
  LoadEngine(std::vector<scenario::Traffic> traffic, const std::string& target_url);
  ~LoadEngine();
  LoadEngine(const LoadEngine&) = delete;
  LoadEngine& operator=(const LoadEngine&) = delete;

  // Runs one phase (see the contract above). `on_second`, when set, receives each second
  // of the phase's timeline as soon as every worker has reported it, from a worker thread
  // (stats::TimelineCollector's live hook: quick, never concurrent with itself).
  PhaseLoadResult RunPhase(const scenario::Phase& phase, const std::atomic<bool>& stop,
                           const stats::SecondCallback& on_second = {}) const;

  const std::vector<scenario::Traffic>& traffic() const { return traffic_; }
  // "http" or "grpc".
  std::string_view ProtocolOf(size_t entry) const { return protocol_of_[entry]->name(); }

  // True when preparing `s` needs the target running (gRPC reflection).
  static bool NeedsRunningTarget(const scenario::Scenario& s);

 private:
  std::vector<scenario::Traffic> traffic_;
  std::vector<std::unique_ptr<Protocol>> protocols_;
  std::vector<const Protocol*> protocol_of_;  // by entry
};

}  // namespace leakgate::load
