// RunShard: one shard of a sharded run (leakgate run SCENARIO --shard I/N).
//
// A shard runs only its share of the load (scenario::ShardScenario) against a target that
// someone else started and probes: it never starts the target, samples nothing and judges
// nothing. It runs every step of scenario::PhaseSequence, each from the wall-clock time its
// PhaseClock gives (so that N shards start each phase together), hands each step's result
// (with its histograms) to the clock, and returns a shard result: RunResult with `shard`
// set, the phases with their histograms, and a verdict about its own health only —
//   pass (0)         every step ran, or the clock said stop (another shard was lost)
//   error (3)        the clock failed (the coordinator unreachable, a deadline passed)
//   error (2)        the traffic could not be prepared (bad URL, protos)
//   interrupted (130), error (70) as for leakgate run.
// With out_dir, result.json is written there (atomically). Never throws once begun.
//
// Thread-safety: RunShard is one call on one thread; it calls the clock from that thread
// and ShouldStop() from one watcher thread of its own.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "harness/base/status.h"
#include "harness/scenario/scenario.h"
#include "harness/scenario/shard_split.h"
#include "reports/run_result.h"

namespace leakgate::runner {

using WallClock = std::chrono::system_clock;

// When each step starts, and where its result goes.
class PhaseClock {
 public:
  virtual ~PhaseClock() = default;
  // Blocks until the start time of step `step` is known and returns it (it may lie in the
  // past: the shard then starts at once). kCancelled with the reason when the shard is to stop.
  virtual StatusOr<WallClock::time_point> StartOf(size_t step) = 0;
  // Takes the result of step `step` once it ended.
  virtual Status Report(size_t step, const reports::PhaseResult& result) = 0;
  // True (with the reason in `why`) once the shard is to stop at once, mid-phase; polled.
  virtual bool ShouldStop(std::string& why) = 0;
};

// Offline shards (--start-at): step k starts at `start` + the durations of the steps
// before it, so shards that agree on `start` agree on every phase. Reports go nowhere.
class FixedPhaseClock final : public PhaseClock {
 public:
  FixedPhaseClock(const scenario::Scenario& s, WallClock::time_point start);
  StatusOr<WallClock::time_point> StartOf(size_t step) override;
  Status Report(size_t, const reports::PhaseResult&) override { return Status::Ok(); }
  bool ShouldStop(std::string&) override { return false; }

 private:
  std::vector<WallClock::time_point> starts_;
};

// "2026-12-02T03:30:00Z" (UTC, optional fraction of a second), "@UNIX_SECONDS[.frac]", or
// "+DURATION" (from now, e.g. "+5s"); kInvalidArgument naming --start-at otherwise.
StatusOr<WallClock::time_point> ParseStartAt(std::string_view text);

struct ShardRunOptions {
  scenario::ShardSpec shard;
  PhaseClock* clock = nullptr;  // required
  std::string out_dir;          // "" = write nothing
  // Base URL of the target when the scenario's own (target.url) is not where the shards
  // reach it ("" = the scenario's; the coordinator tells its shards).
  std::string target_url;
  std::function<void(const std::string&)> progress;
  const std::atomic<bool>* stop = nullptr;  // run-wide cancellation (SIGINT)
};

reports::RunResult RunShard(const scenario::Scenario& s, const ShardRunOptions& options);

}  // namespace leakgate::runner
