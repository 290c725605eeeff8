// FaultPlan: decides, per request, which client-side faults it gets.
//
// Built once per phase from the phase's `faults:` list; Decide() is called per request
// with the worker's own random engine, so a FaultPlan is shared read-only by workers.
#pragma once

#include <optional>
#include <random>
#include <vector>

#include "harness/scenario/scenario.h"

namespace leakgate::faults {

// The faults one request carries.
struct RequestFaults {
  // Abort the request (close the connection) this long after it started, unless the
  // response is complete by then. Several cancel faults: the earliest that fires wins.
  std::optional<scenario::Duration> cancel_after;
};

class FaultPlan {
 public:
  FaultPlan(const std::vector<scenario::CancelFault>& cancels,
            const std::vector<scenario::Traffic>& traffic);

  // Thread-safe (const); `rng` is the caller's.
  RequestFaults Decide(size_t traffic_index, std::mt19937_64& rng) const;

 private:
  struct Cancel {
    scenario::Duration after;
    double probability;
    std::vector<bool> applies_to;  // by traffic index
  };
  std::vector<Cancel> cancels_;
};

}  // namespace leakgate::faults
