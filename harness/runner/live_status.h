// LiveStatus: what a live view shows of a run in progress, as one plain value.
//
// The runner fills it from three sources — its own thread (the stage, the samples it
// takes at baseline and while settling), the load engine's per-second timeline (the last
// complete second's throughput, errors and p99) and the sampler's background timeline
// (resource samples during load phases) — and hands a copy to RunOptions::live a few
// times a second (see live_feed.h). Every field is a snapshot; nothing refers back into
// the run. Thread-safety: a plain value.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "harness/stats/request_stats.h"
#include "probes/settle.h"

namespace leakgate::runner {

struct LiveStatus {
  enum class Stage {
    kStarting,  // the target is being started or waited for
    kPhase,     // a phase of the scenario (warm-up or load) is running
    kBaseline,  // baseline samples are being taken
    kSettle,    // waiting for the asserted resources to come back within tolerance
  };
  Stage stage = Stage::kStarting;
  std::string phase;          // the phase's name (kPhase); "baseline", "settle", "starting" otherwise
  bool warmup = false;        // kPhase: a warm-up phase (before the baseline)
  int phase_index = 0;        // kPhase: 1-based position in the scenario's phases; 0 otherwise
  int phase_count = 0;        // the scenario's number of phases
  int cycle = 0;              // load cycle, 1-based (0 during warm-ups and before)
  int cycles = 1;             // assert.cycles
  double elapsed_s = 0;       // since this stage began
  double duration_s = 0;      // its planned length: the phase's duration, the settle budget; 0 unknown
  double rate = 0;            // kPhase: the asked rate in req/s (open model; the ramp's start), 0 otherwise
  int concurrency = 0;        // kPhase: closed-model users, 0 otherwise
  // The most recent complete second of the current phase (kPhase with traffic only).
  std::optional<stats::TimelineSecond> last_second;
  // Cumulative over the current phase, from the completed seconds.
  int64_t phase_completed = 0;
  int64_t phase_errors = 0;
  // The most recent resource sample ("goroutines", "heap_inuse_bytes", "fds", ...); empty
  // before the first one.
  probes::ResourceSample latest;
  // Median baseline per resource and the leak limits (baseline + tolerance) of the
  // asserted ones; empty until the baseline is taken.
  probes::ResourceSample baseline;
  std::map<std::string, double> limits;
};

}  // namespace leakgate::runner
