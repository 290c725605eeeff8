#include "harness/faults/proxy/proxy_stats.h"


#include "harness/faults/proxy/fault_names.h"

namespace leakgate::faults::proxy {

namespace {

int64_t Load(const std::atomic<int64_t>& counter) { return counter.load(std::memory_order_relaxed); }

FaultStats Read(const FaultCounters& c) {
  FaultStats s;
  s.fault = std::string(FaultKindName(c.kind));
  s.index = c.index;
  s.connections = Load(c.connections);
  s.requests = Load(c.requests);
  s.bytes_delayed = Load(c.bytes_delayed);
  s.bytes_held = Load(c.bytes_held);
  s.bytes_dropped = Load(c.bytes_dropped);
  s.connections_refused = Load(c.connections_refused);
  s.connections_closed = Load(c.connections_closed);
  s.connections_reset = Load(c.connections_reset);
  return s;
}

}  // namespace

CounterRegistry::CounterRegistry(std::vector<std::string> dependency_names) : names_(std::move(dependency_names)) {}

CounterRegistry::PhaseCounters& CounterRegistry::Phase(const std::string& phase) {
  auto [it, inserted] = phases_.try_emplace(phase);
  if (inserted) {
    order_.push_back(phase);
    for (size_t i = 0; i < names_.size(); ++i) it->second.dependencies.push_back(std::make_unique<DependencyCounters>());
  }
  return it->second;
}

DependencyCounters* CounterRegistry::ForDependency(const std::string& phase, int dependency) {
  std::lock_guard lock(mu_);
  return Phase(phase).dependencies.at(static_cast<size_t>(dependency)).get();
}

FaultCounters* CounterRegistry::ForFault(const std::string& phase, int dependency, int index,
                                         scenario::DependencyFault::Kind kind) {
  std::lock_guard lock(mu_);
  auto& slot = Phase(phase).faults[{dependency, index}];
  if (!slot) {
    slot = std::make_unique<FaultCounters>();
    slot->kind = kind;
    slot->index = index;
  }
  return slot.get();
}

std::vector<PhaseStats> CounterRegistry::Snapshot() const {
  std::lock_guard lock(mu_);
  std::vector<PhaseStats> out;
  for (const std::string& name : order_) {
    const PhaseCounters& p = phases_.at(name);
    PhaseStats ps;
    ps.phase = name;
    bool any = false;
    for (size_t d = 0; d < names_.size(); ++d) {
      const DependencyCounters& c = *p.dependencies[d];
      DependencyStats ds;
      ds.dependency = names_[d];
      ds.connections = Load(c.connections);
      ds.bytes_upstream = Load(c.bytes_upstream);
      ds.bytes_downstream = Load(c.bytes_downstream);
      ds.requests = Load(c.requests);
      any = any || ds.connections > 0 || ds.bytes_upstream > 0 || ds.bytes_downstream > 0;
      for (const auto& [key, fc] : p.faults) {
        if (std::get<0>(key) == static_cast<int>(d)) ds.faults.push_back(Read(*fc));
      }
      ps.dependencies.push_back(std::move(ds));
    }
    if (name.empty() && !any) continue;
    out.push_back(std::move(ps));
  }
  return out;
}

}  // namespace leakgate::faults::proxy
