// Runner: one leakgate run of a scenario, start to verdict.
//
//   start target (or reach its URL) → wait until ready → warm-up phases → baseline
//   (median of `probe.samples` samples, GC forced) → load phases (sampled in the
//   background) → settle (poll until every asserted resource is back within tolerance
//   or the budget is spent) → final dumps and attribution → verdict → stop target.
//
// The runner is the only module that knows both the load engine and the probes.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "harness/scenario/scenario.h"
#include "reports/run_result.h"

namespace leakgate::runner {

struct RunOptions {
  // Where result.json, target.log and the raw goroutine dumps go; created if missing.
  // Empty: nothing is kept (the target log lives in a temporary directory).
  std::string out_dir;
  // Live progress lines (phase starts, samples, settle progress). May be empty.
  std::function<void(const std::string&)> progress;
  // Run-wide cancellation: when raised, the current phase ends, the run skips to the
  // verdict with what it has and the result is marked interrupted.
  const std::atomic<bool>* stop = nullptr;
};

// Never throws for problems of the target or the network: they become the verdict
// (exit code 3) with a message. Throws std::runtime_error only for local failures
// (e.g. out_dir not writable).
reports::RunResult Run(const scenario::Scenario& scenario, const RunOptions& options);

}  // namespace leakgate::runner
