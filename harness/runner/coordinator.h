// Coordinate: a sharded run's verdict (leakgate coordinate SCENARIO --shards N).
//
// The coordinator does what `leakgate run` does — starts (or reaches) the target, warms up,
// takes the baseline, samples through the phases, settles, dumps and judges (runner.h) —
// except that the load of each phase comes from N shards (leakgate run --shard I/N
// --coordinator ADDR, shard_runner.h): it serves the shard protocol (shard_board.h) on
// `listen`, waits until all N registered (register_timeout) before the first phase,
// announces each phase's start a little ahead (start_lead), waits for every shard's result,
// and merges them (shard_merge.h) into the phase the verdict reads. A shard that stops
// talking for lost_after, or whose result is missing result_grace after the phase's end,
// ends the run with exit 3: "shard 2 of 3 lost during phase load (...)"; the other shards
// are told to stop. When the run ends every shard still listening is told so (for up to
// kStopDeliveryWait). The result has merged_shards = N.
//
// Thread-safety: one call at a time per process (it takes the options' stop flag).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <string>

#include "harness/runner/runner.h"
#include "harness/scenario/scenario.h"
#include "reports/run_result.h"

namespace leakgate::runner {

struct CoordinateOptions {
  int shards = 1;
  boost::asio::ip::tcp::endpoint listen;  // port 0: any free port (see on_listening)
  std::string shard_target_url;           // "" = the scenario's target.url
  std::chrono::nanoseconds register_timeout{std::chrono::seconds(60)};
  std::chrono::nanoseconds lost_after{std::chrono::seconds(3)};
  std::chrono::nanoseconds result_grace{std::chrono::seconds(5)};
  std::chrono::nanoseconds start_lead{std::chrono::milliseconds(300)};
  std::function<void(unsigned short port)> on_listening;  // once the endpoint is bound
  RunOptions run;                                         // as for Run(); remote_load is set here
};

inline constexpr auto kStopDeliveryWait = std::chrono::seconds(2);

// As Run(): never throws once begun; RunError when out_dir or `listen` cannot be used.
reports::RunResult Coordinate(const scenario::Scenario& s, const CoordinateOptions& options);

}  // namespace leakgate::runner
