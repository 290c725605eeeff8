// ShardBoard: what a coordinator knows of its shards, and the HTTP routes they use.
//
// Protocol (plain HTTP/1.1, JSON bodies; I is the shard index, K the step of
// scenario::PhaseSequence):
//   POST /shards/I/register          → {"count": N, "target_url": URL, "steps": S}
//   POST /shards/I/heartbeat         → {"stop": null | "why"}          (every kHeartbeatPeriod)
//   GET  /shards/I/steps/K           → {"start_unix_ns": T} once announced, {"wait": true}
//                                      before, {"stop": "why"} when the run is over for shards
//   POST /shards/I/steps/K/result    body: one phase (reports::PhaseToJson, with histograms) → {}
// Unknown paths 404, a bad index or body 400 (with {"error": "..."}).
//
// The coordinator's side: WaitRegistered, Announce, WaitResults (which names a shard that
// stopped talking: "shard 2 of 3 lost during phase load"), Stop. A shard is lost once no
// request of it arrived for `lost_after` while the coordinator waits for it, or once its
// result is missing `result_grace` after the phase's scheduled end.
// Thread-safety: every method may be called from any thread (one mutex; waits poll it).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "harness/base/status.h"
#include "harness/runner/control_server.h"
#include "harness/runner/shard_runner.h"
#include "reports/run_result.h"

namespace leakgate::runner {

inline constexpr auto kHeartbeatPeriod = std::chrono::milliseconds(250);

struct ShardBoardOptions {
  int count = 1;
  std::string target_url;   // where shards send their load
  size_t steps = 0;         // scenario::PhaseSequence(s).size()
  std::chrono::nanoseconds lost_after{std::chrono::seconds(3)};
  std::chrono::nanoseconds result_grace{std::chrono::seconds(5)};
};

class ShardBoard {
 public:
  using SteadyClock = std::chrono::steady_clock;
  explicit ShardBoard(ShardBoardOptions options);
  ShardBoard(const ShardBoard&) = delete;
  ShardBoard& operator=(const ShardBoard&) = delete;

  // The route table above; hand it to ControlServer.
  ControlResponse Handle(const ControlRequest& request);

  // Until every shard registered, or kUnavailable naming the missing ones at `deadline`,
  // or kCancelled when `stop` rises.
  Status WaitRegistered(SteadyClock::time_point deadline, const std::atomic<bool>* stop);
  void Announce(size_t step, WallClock::time_point start);
  // Until every shard posted step `step`'s result; kUnavailable "shard I of N lost during
  // phase NAME (...)" for the first shard lost (see above); kCancelled on `stop`.
  // `phase_end` is the step's scheduled end.
  StatusOr<std::vector<reports::PhaseResult>> WaitResults(size_t step, const std::string& phase_name,
                                                          WallClock::time_point phase_end, const std::atomic<bool>* stop);
  // From now on every shard is told to stop, with `why`.
  void Stop(const std::string& why);
  // Until every shard that is not lost was told to stop or had posted its last step, or `deadline`.
  void WaitStopsDelivered(SteadyClock::time_point deadline);

 private:
  struct Shard {
    bool registered = false;
    bool lost = false;
    bool told_stop = false;
    SteadyClock::time_point last_seen{};
    std::map<size_t, reports::PhaseResult> results;
  };
  ControlResponse HandleLocked(const std::string& method, int index, const std::vector<std::string>& rest,
                               const std::string& body);
  std::string Label(int index) const;

  const ShardBoardOptions options_;
  std::mutex mu_;
  std::vector<Shard> shards_;
  std::map<size_t, WallClock::time_point> starts_;
  std::optional<std::string> stop_;
};

}  // namespace leakgate::runner
