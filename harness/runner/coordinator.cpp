#include "harness/runner/coordinator.h"

#include <fmt/format.h>

#include "harness/runner/control_server.h"
#include "harness/runner/shard_board.h"
#include "harness/runner/shard_merge.h"
#include "harness/scenario/shard_split.h"
#include "reports/report_writer.h"

namespace leakgate::runner {

reports::RunResult Coordinate(const scenario::Scenario& s, const CoordinateOptions& options) {
  const auto steps = scenario::PhaseSequence(s);
  ShardBoard board({options.shards, options.shard_target_url.empty() ? s.target.url : options.shard_target_url,
                    steps.size(), options.lost_after, options.result_grace});
  auto server = ControlServer::Start(options.listen, [&board](const ControlRequest& r) { return board.Handle(r); });
  if (!server.ok()) throw RunError(Status::InvalidArgument(fmt::format("--listen: {}", server.status().message())));
  if (options.on_listening) options.on_listening((*server)->port());

  std::vector<std::string> labels;
  for (int i = 0; i < options.shards; ++i) labels.push_back(fmt::format("shard {} of {}", i, options.shards));
  RunOptions run = options.run;
  const auto progress = [&run](const std::string& line) {
    if (run.progress) run.progress(line);
  };
  run.remote_load = [&](size_t step, const scenario::Phase& phase) -> StatusOr<reports::PhaseResult> {
    if (step == 0) {
      progress(fmt::format("waiting for {} shards to register", options.shards));
      if (auto registered = board.WaitRegistered(std::chrono::steady_clock::now() + options.register_timeout, run.stop);
          !registered.ok()) {
        board.Stop(registered.message());
        return registered;
      }
    }
    const auto start = WallClock::now() + std::chrono::duration_cast<WallClock::duration>(options.start_lead);
    board.Announce(step, start);
    auto results = board.WaitResults(step, phase.name, start + std::chrono::duration_cast<WallClock::duration>(phase.duration),
                                     run.stop);
    if (!results.ok()) {
      board.Stop(results.status().message());
      return results.status();
    }
    std::vector<const reports::PhaseResult*> phases;
    for (const auto& r : *results) phases.push_back(&r);
    auto merged = MergePhaseResults(phases, labels);
    if (!merged.ok()) {
      board.Stop(merged.status().message());
      return Status::Internal(merged.status().message());
    }
    merged->cycle = steps[step].cycle;
    return merged;
  };

  auto result = Run(s, run);
  board.Stop(result.message.empty() ? "the run is over" : fmt::format("the run is over: {}", result.message));
  board.WaitStopsDelivered(std::chrono::steady_clock::now() + kStopDeliveryWait);
  result.merged_shards = options.shards;
  if (!run.out_dir.empty()) {
    if (auto written = reports::WriteReports(run.out_dir, result); !written.ok()) {
      result.verdict = reports::Verdict::kError;
      result.exit_code = reports::kExitInternal;
      result.message = written.message();
    }
  }
  return result;
}

}  // namespace leakgate::runner
