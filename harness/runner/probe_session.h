// ProbeSession: the runner's view of the probes for one run — the Sampler configured from
// the scenario's `probe:`, the resource timeline (samples the runner takes and those the
// background sampler takes during load phases), and the evidence for the verdict captured
// at baseline and at the end (goroutine dumps, heap and goroutineleak profiles, fds),
// with the raw profiles saved beside the report.
//
// Errors are values: a source that cannot be read returns a Status naming it; deciding
// what that means for the run is the runner's job. Thread-safety: the runner's thread
// only (the Sampler's background timeline is internally synchronized), but for
// LatestBackgroundSample().
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/base/status.h"
#include "harness/runner/artifacts.h"
#include "harness/scenario/scenario.h"
#include "probes/sampler.h"
#include "probes/verdict.h"
#include "reports/run_result.h"

namespace leakgate::runner {

class ProbeSession {
 public:
  // Probe URLs are resolved against s.target.url; `pid` enables the /proc readings.
  ProbeSession(const scenario::Scenario& s, std::optional<pid_t> pid, Artifacts& artifacts);
  ProbeSession(const ProbeSession&) = delete;
  ProbeSession& operator=(const ProbeSession&) = delete;

  // One sample (GC forced when probe.force_gc), recorded in the timeline under `label`
  // even when a source failed; the Status names the first source that failed.
  StatusOr<probes::ResourceSample> Sample(const std::string& label);

  // Background sampling every probe.interval during a load phase.
  void StartTimeline(const std::string& phase);
  void StopTimeline();
  // Every sample of the run, in time order.
  std::vector<reports::TimelinePoint> Timeline();
  // The background sampler's newest sample, for a live view. May be called from any
  // thread while the session exists. (It copies the background timeline: a Sampler
  // accessor for its last point would make it O(1).)
  std::optional<probes::TimelinePoint> LatestBackgroundSample() const;

  // Baseline evidence: the debug=2 dump, the heap profile, the goroutineleak profile
  // (when served, or an error when probe.goroutine_leak_profile is on), the fds. Saves
  // the raw profiles; a failure to save one becomes a warning in `warnings`.
  Status CaptureBaseline(probes::Evidence& evidence, std::vector<std::string>& warnings);
  // The same at the end of the run (only the parts captured at baseline).
  Status CaptureFinal(probes::Evidence& evidence, std::vector<std::string>& warnings);

 private:
  bool HasPprof() const { return !s_.probe.pprof.empty(); }
  StatusOr<probes::GoroutineDump> FetchDump(const std::string& label);
  std::optional<probes::HeapProfile> FetchHeapProfile(const std::string& label);
  std::optional<probes::GroupedGoroutines> FetchLeakProfile(const std::string& label);
  void SaveProfile(const std::string& profile, const std::string& label, std::vector<std::string>& warnings);

  const scenario::Scenario& s_;
  Artifacts& artifacts_;
  std::unique_ptr<probes::Sampler> sampler_;
  std::vector<reports::TimelinePoint> samples_;  // taken by Sample()
};

}  // namespace leakgate::runner
