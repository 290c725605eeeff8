// FaultSet: the dependency faults of the current phase, as the proxy's workers see them;
// ConnectionFaults: which of them one connection carries.
//
// ChaosProxy::SetPhase() builds one immutable FaultSet per call and hands a shared_ptr to
// every worker. A connection re-draws its coins (probability per connection) when its
// worker's FaultSet changes; a fault equal (same kind and parameters) to one of the
// previous set keeps the connection's coin and progress (bytes counted for limit_data,
// a pending reset), so a fault listed in two consecutive phases acts without a seam.
//
// Thread-safety: a FaultSet is immutable once built and shared read-only. A
// ConnectionFaults belongs to one connection, on its worker's thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "harness/base/status.h"
#include "harness/faults/proxy/byte_queue.h"
#include "harness/faults/proxy/proxy_stats.h"
#include "harness/scenario/scenario.h"

namespace leakgate::faults::proxy {

// The two directions of a proxied connection. kUpstream: target → dependency.
enum class Leg { kUpstream = 0, kDownstream = 1 };
inline size_t LegIndex(Leg leg) { return static_cast<size_t>(leg); }

struct ActiveFault {
  scenario::DependencyFault spec;
  int index = 0;                    // in the phase's dependency_faults list
  FaultCounters* counters = nullptr;
};

struct FaultSet {
  std::string phase;
  uint64_t generation = 0;                                 // 1 + number of earlier SetPhase() calls
  std::vector<std::vector<ActiveFault>> by_dependency;     // indexed like the proxy's dependencies
  std::vector<DependencyCounters*> dependency_counters;    // this phase's, per dependency

  // The `down` fault of dependency `d`, or nullptr.
  const ActiveFault* Down(int d) const;
};

// Checks `faults` against the dependencies (a known name; http_* only for an HTTP relay;
// parameters in range) and builds the set. InvalidArgument names the fault and its index.
StatusOr<std::shared_ptr<const FaultSet>> BuildFaultSet(const std::string& phase, uint64_t generation,
                                                        const std::vector<scenario::DependencyFault>& faults,
                                                        const std::vector<scenario::Dependency>& dependencies,
                                                        CounterRegistry& registry);

// One fault as one connection carries it.
struct CarriedFault {
  const ActiveFault* active = nullptr;
  bool carried = false;                                    // this connection's coin (always true for http_*)
  bool counted = false;                                    // counted in active->counters->connections
  std::array<int64_t, 2> passed{};                         // bytes passed per leg since it took effect
  std::array<std::optional<Clock::time_point>, 2> reset_at{};  // reset: when the held data is reset

  bool Acts(Leg leg) const;                                // carried, and its direction covers `leg`
  // Counts the connection once per phase; true the first time (the caller logs then).
  bool CountConnection();
};

class ConnectionFaults {
 public:
  // Adopts `set` if it is not the one in use: draws a coin per new fault, keeps coin and
  // progress of faults equal to previous ones. True when the set changed.
  bool Refresh(const std::shared_ptr<const FaultSet>& set, int dependency, std::mt19937_64& rng);

  // The first carried fault of `kind` acting on `leg`, or nullptr.
  CarriedFault* Find(scenario::DependencyFault::Kind kind, Leg leg);
  // The first carried fault of `kind` whatever its direction, or nullptr.
  CarriedFault* Find(scenario::DependencyFault::Kind kind);
  std::vector<CarriedFault>& all() { return faults_; }
  // True when the current set still has a fault equal to `spec` for this dependency.
  bool StillOn(const scenario::DependencyFault& spec) const;

  const FaultSet* set() const { return set_.get(); }
  const std::shared_ptr<const FaultSet>& shared_set() const { return set_; }

 private:
  std::shared_ptr<const FaultSet> set_;
  std::vector<CarriedFault> faults_;
};

// HTTP fault eligibility: `method` exact ("" = any), `glob` over the path without its
// query ('*' any run, '?' one character; "" = any).
bool MatchesRequest(const scenario::DependencyFault& fault, std::string_view method, std::string_view target);
bool GlobMatch(std::string_view glob, std::string_view text);

}  // namespace leakgate::faults::proxy
