// What the chaos proxy did, per phase, per dependency, per fault: the public values
// (ChaosProxy::Stats(); the runner turns them into result.json's phases[].dependencies)
// and the counters behind them.
//
// Counting happens on the proxy's worker threads into atomic counters that live as long
// as the proxy (CounterRegistry hands out stable pointers); Stats() reads them at any
// time, so a snapshot taken while traffic flows is consistent per counter, not across
// counters. A phase's row appears once ChaosProxy::SetPhase() named it; traffic before the
// first SetPhase() is counted under the phase "".
//
// Thread-safety: the value types are plain values. CounterRegistry: all methods may be
// called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>


#include "harness/scenario/scenario.h"

namespace leakgate::faults::proxy {

// One fault item of one phase. Which fields a kind fills in:
//   latency, bandwidth, slicer: bytes_delayed    stall: bytes_held
//   blackhole: bytes_dropped                     limit_data: connections_closed, bytes_dropped
//   reset: connections_reset                     slow_close: connections (closes held)
//   down: connections_refused, connections_closed
//   http_error: requests (answered)  http_drop: requests, connections_closed
//   http_delay, http_slow_body: requests (delayed / trickled)
struct FaultStats {
  std::string fault;                // kind name as in the YAML: "latency", "http_error", ...
  int index = 0;                    // position among the phase's dependency faults
  int64_t connections = 0;          // distinct connections the fault acted on
  int64_t requests = 0;             // HTTP faults: requests it acted on
  int64_t bytes_delayed = 0;        // bytes passed on later than they came
  int64_t bytes_held = 0;           // stall: bytes held until the fault ended
  int64_t bytes_dropped = 0;        // bytes never passed on
  int64_t connections_refused = 0;  // down below probability 1: connections reset at accept
                                    // (at 1 the kernel refuses them; those cannot be counted)
  int64_t connections_closed = 0;   // closed by the fault (FIN)
  int64_t connections_reset = 0;    // reset by the fault (RST)
};

struct DependencyStats {
  std::string dependency;
  int64_t connections = 0;          // accepted while the phase was current
  int64_t bytes_upstream = 0;       // written to the dependency (target → dependency)
  int64_t bytes_downstream = 0;     // written to the target (dependency → target)
  int64_t requests = 0;             // HTTP relays: requests read from the target
  std::vector<FaultStats> faults;   // this dependency's faults of the phase, in list order
};

struct PhaseStats {
  std::string phase;
  std::vector<DependencyStats> dependencies;  // in scenario order
};


// The live counters (internal to the proxy; public for its files).
struct FaultCounters {
  scenario::DependencyFault::Kind kind = scenario::DependencyFault::kLatency;
  int index = 0;
  std::atomic<int64_t> connections{0}, requests{0}, bytes_delayed{0}, bytes_held{0}, bytes_dropped{0},
      connections_refused{0}, connections_closed{0}, connections_reset{0};
};
struct DependencyCounters {
  std::atomic<int64_t> connections{0}, bytes_upstream{0}, bytes_downstream{0}, requests{0};
};
inline void Add(std::atomic<int64_t>& counter, int64_t n) { counter.fetch_add(n, std::memory_order_relaxed); }

class CounterRegistry {
 public:
  explicit CounterRegistry(std::vector<std::string> dependency_names);
  CounterRegistry(const CounterRegistry&) = delete;
  CounterRegistry& operator=(const CounterRegistry&) = delete;

  // The counters of `phase` for dependency number `dependency`, created on first use. The
  // pointer stays valid for the registry's lifetime; a phase named again (cycles) counts on.
  DependencyCounters* ForDependency(const std::string& phase, int dependency);
  FaultCounters* ForFault(const std::string& phase, int dependency, int index, scenario::DependencyFault::Kind kind);

  // Every phase named so far, in the order first named ("" only if it counted anything).
  std::vector<PhaseStats> Snapshot() const;

 private:
  struct PhaseCounters {
    std::vector<std::unique_ptr<DependencyCounters>> dependencies;
    std::map<std::tuple<int, int>, std::unique_ptr<FaultCounters>> faults;  // (dependency, index)
  };
  PhaseCounters& Phase(const std::string& phase);  // mu_ held

  const std::vector<std::string> names_;
  mutable std::mutex mu_;
  std::vector<std::string> order_;
  std::map<std::string, PhaseCounters> phases_;
};

}  // namespace leakgate::faults::proxy
