// LiveFeed: gathers a run's live figures (live_status.h) and hands them to
// RunOptions::live every `period` from a thread of its own, so that a live view keeps
// moving while the runner's thread is blocked in a load phase.
//
//   runner thread      BeginStage / SetBaseline / SetSample (samples it took itself)
//   engine workers     the SecondHook() callback (stats::TimelineCollector's live hook)
//   feed thread        pulls the sampler's newest background sample (the `background`
//                      source of BeginStage) and calls `live`
//
// `live` is only ever called from the feed's thread, never concurrently with itself, and
// never after the destructor returned. Thread-safety: every method may be called from any
// thread; the state is guarded by one mutex, held only to copy values.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "harness/runner/live_status.h"
#include "harness/stats/timeline.h"
#include "probes/sampler.h"

namespace leakgate::runner {

class LiveFeed {
 public:
  using Callback = std::function<void(const LiveStatus&)>;
  // The newest sample of the sampler's background timeline, if any.
  using BackgroundSource = std::function<std::optional<probes::TimelinePoint>()>;

  LiveFeed(Callback live, std::chrono::milliseconds period);
  ~LiveFeed();
  LiveFeed(const LiveFeed&) = delete;
  LiveFeed& operator=(const LiveFeed&) = delete;

  // A new stage begins now: `stage` carries its kind, name, position, planned length and
  // rate (elapsed_s, last_second and the resource fields are ignored: they are the feed's).
  // `background`, when set, is polled for resource samples until the next stage.
  void BeginStage(const LiveStatus& stage, BackgroundSource background = {});
  void SetBaseline(const probes::ResourceSample& baseline, const std::map<std::string, double>& limits);
  void SetSample(const probes::ResourceSample& sample);
  // For LoadEngine::RunPhase: records each completed second of the current phase.
  stats::SecondCallback SecondHook();

 private:
  void Loop(std::stop_token stop);
  LiveStatus Snapshot();

  const Callback live_;
  const std::chrono::milliseconds period_;
  std::mutex mu_;
  LiveStatus status_;                                  // guarded by mu_
  std::chrono::steady_clock::time_point stage_start_;  // guarded by mu_
  BackgroundSource background_;                        // guarded by mu_
  double background_t_ = -1;                           // t_seconds of the last background sample taken
  std::jthread thread_;                                // last: starts after the state above exists
};

}  // namespace leakgate::runner
