// DependencySession: the chaos proxy within one run — started before the target (so that
// ${dep.NAME} answers when the target first calls it), switched per phase (a phase's
// dependency faults are on from its start to its end, and off between phases and during
// settle), stopped after the target. What the proxy did in each phase becomes
// PhaseResult::dependencies and one console line; the fault log (which fault did what to
// which connection, when) is saved as faults.jsonl beside the report.
//
// A scenario without dependencies: every method is a no-op (Start OK, no lines, no log).
// Upstream hosts are resolved once, here, through the address policy (harness/net), and
// the proxy connects to the addresses found, never looking the name up again.
// Errors are values: Start is kUnavailable when a port cannot be bound or an upstream not
// resolved, kPermissionDenied when the policy refuses a host. Thread-safety: the runner's
// thread only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "harness/base/status.h"
#include "harness/faults/proxy/chaos_proxy.h"
#include "harness/scenario/scenario.h"
#include "reports/run_result.h"

namespace leakgate::runner {

class DependencySession {
 public:
  explicit DependencySession(const scenario::Scenario& s) : s_(s) {}
  DependencySession(const DependencySession&) = delete;
  DependencySession& operator=(const DependencySession&) = delete;
  ~DependencySession() { Stop(); }

  Status Start();
  // Turns on the faults `phase` lists (cycle: 0 warm-up, 1.. load cycles).
  Status BeginPhase(const scenario::Phase& phase, int cycle);
  // Turns them off; returns what the proxy did during the phase, per dependency.
  StatusOr<std::vector<reports::DependencyPhaseResult>> EndPhase();
  // One console line per dependency of a finished phase.
  static std::vector<std::string> ConsoleLines(const std::string& phase,
                                               const std::vector<reports::DependencyPhaseResult>& results);
  // Writes the fault log as JSON lines to `path` (atomically). OK and nothing written
  // when the scenario has no dependencies.
  Status WriteFaultLog(const std::string& path) const;
  bool active() const { return proxy_ != nullptr; }
  void Stop();

 private:
  const scenario::Scenario& s_;
  std::unique_ptr<faults::proxy::ChaosProxy> proxy_;
  std::string current_;  // the proxy's key for the phase that is on
};

}  // namespace leakgate::runner
