#include "harness/faults/fault_plan.h"

#include <algorithm>

namespace leakgate::faults {

FaultPlan::FaultPlan(const std::vector<scenario::CancelFault>& cancels,
                     const std::vector<scenario::Traffic>& traffic) {
  for (const auto& c : cancels) {
    Cancel plan{c.after, c.probability, std::vector<bool>(traffic.size(), c.traffic.empty())};
    for (const auto& name : c.traffic) {
      for (size_t i = 0; i < traffic.size(); ++i) {
        if (traffic[i].name == name) plan.applies_to[i] = true;
      }
    }
    cancels_.push_back(std::move(plan));
  }
}

RequestFaults FaultPlan::Decide(size_t traffic_index, std::mt19937_64& rng) const {
  RequestFaults faults;
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  for (const auto& c : cancels_) {
    if (traffic_index >= c.applies_to.size() || !c.applies_to[traffic_index]) continue;
    if (coin(rng) >= c.probability) continue;
    faults.cancel_after = faults.cancel_after ? std::min(*faults.cancel_after, c.after) : c.after;
  }
  return faults;
}

}  // namespace leakgate::faults
