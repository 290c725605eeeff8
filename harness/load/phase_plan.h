// PhasePlan: what every worker of one phase shares, read-only: which traffic entries the
// phase draws from and by which weight, its arrival streams, its fault decisions, the
// protocol of each entry, the clock origin and the run-wide stop flag.
//
// Arrival streams: the open model is one stream (constant or ramping rate) whose arrivals
// pick an entry by weight; every entry replayed at its recorded pace adds a stream of its
// own (arrival j is record j, at its offset ÷ speed). The closed model replaces the rate
// stream by `concurrency` users. A phase with `replay: NAME` draws only from that entry,
// at its recorded pace.
// Thread-safety: immutable while the workers run.
#pragma once

#include <atomic>
#include <optional>
#include <vector>

#include "harness/faults/fault_plan.h"
#include "harness/load/arrivals.h"
#include "harness/load/session.h"
#include "harness/scenario/scenario.h"
#include "harness/stats/timeline.h"

namespace leakgate::load {

struct ArrivalStream {
  ArrivalSchedule schedule;
  std::optional<size_t> entry;  // set: every arrival is this entry (recorded pace); else drawn by weight
};

struct PhasePlan {
  const scenario::Phase& phase;
  const std::vector<const Protocol*>& protocol_of;  // by entry: the entry's protocol
  const faults::FaultPlan& faults;
  std::vector<double> weights;         // by entry: drawn by the rate stream / users (0: never)
  bool any_weighted = false;           // some entry has a weight > 0
  std::vector<ArrivalStream> streams;  // open model and recorded-pace entries
  bool closed_model = false;           // phase.concurrency users draw by weight
  const std::atomic<bool>& stop;
  stats::TimelineCollector* timeline = nullptr;
  Clock::time_point start;             // every worker's clock origin
  Clock::time_point end;               // start + phase.duration
  int worker_count = 1;
};

}  // namespace leakgate::load
