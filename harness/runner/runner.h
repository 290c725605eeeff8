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
#include <stdexcept>
#include <string>

#include "harness/base/status.h"
#include "harness/runner/live_status.h"
#include "harness/scenario/scenario.h"
#include "reports/run_result.h"

namespace leakgate::runner {

struct RunOptions {
  // Where result.json, target.log and the raw goroutine dumps go; created if missing.
  // Empty: nothing is kept (the target log lives in a temporary directory).
  std::string out_dir;
  // Live progress lines (phase starts, samples, settle progress). May be empty.
  std::function<void(const std::string&)> progress;
  // Live figures for a view redrawn in place (live_status.h), about 4 times a second
  // from a thread of the runner's (never concurrently with itself, possibly concurrently
  // with `progress`), never after Run() returned. May be empty: then nothing is gathered.
  std::function<void(const LiveStatus&)> live;
  // Run-wide cancellation: when raised, the current phase ends, the run skips to the
  // verdict with what it has and the result is marked interrupted.
  const std::atomic<bool>* stop = nullptr;
};

// A run that could not begin (out_dir unusable: a flag error). Nothing was started.
class RunError : public std::runtime_error {
 public:
  explicit RunError(Status status) : std::runtime_error(status.message()), status_(std::move(status)) {}
  const Status& status() const { return status_; }

 private:
  Status status_;
};

// Never throws once the run has begun: problems of the target, the network or the input
// become the verdict with a message and an exit code (3, 2), leakgate's own failures exit
// 70, and result.json is written in every case. Throws RunError only when out_dir cannot
// be created (nothing is started then).
reports::RunResult Run(const scenario::Scenario& scenario, const RunOptions& options);

}  // namespace leakgate::runner
