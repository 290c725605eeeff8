// TargetSession: the target's lifecycle within one run — started from target.command (in
// its own process group, output to target.log, registered with the interrupt handler so
// a second SIGINT kills it) or reached at target.url; ready once its readiness URL
// (readiness.h: target.ready, or by default the probe endpoint) answers 200;
// checked between steps for an early exit (with the last lines of its output); stopped
// (SIGTERM, then SIGKILL after target.stop_timeout) when the run ends.
//
// Errors are values (Status kUnavailable: the target failed, exit 3; kCancelled: the run
// was interrupted while waiting). Thread-safety: the runner's thread only.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "harness/base/status.h"
#include "harness/runner/target_process.h"
#include "harness/scenario/scenario.h"

namespace leakgate::runner {

class TargetSession {
 public:
  // `ready_url`: the absolute URL WaitReady polls (ReadinessUrl).
  TargetSession(const scenario::Target& target, std::string ready_url)
      : target_(target), ready_url_(std::move(ready_url)) {}
  TargetSession(const TargetSession&) = delete;
  TargetSession& operator=(const TargetSession&) = delete;
  ~TargetSession();

  // Starts target.command, if any, with its output appended to `log_path`.
  Status Start(const std::string& log_path);
  // Polls the readiness URL until it answers 200, the target exits, `stop` is raised or
  // target.ready_timeout passes. `progress` (may be empty) gets one line when ready.
  Status WaitReady(const std::atomic<bool>* stop, const std::function<void(const std::string&)>& progress);
  // kUnavailable ("target exited with status 2 <when>; last lines: ...") once it exited.
  Status CheckAlive(const std::string& when);
  // Stops a started target, with at most `grace` (default target.stop_timeout) between
  // SIGTERM and SIGKILL; returns how it ended ("" when leakgate did not start it).
  std::string Stop(std::optional<std::chrono::nanoseconds> grace = std::nullopt);
  // The Go panic or fatal error the target's output ends with ("panic: ..." or
  // "fatal error: ..." to the end, at most 200 lines), "" when there is none.
  std::string PanicText() const;

  bool started() const { return process_.has_value(); }
  std::optional<pid_t> pid() const { return process_ ? std::optional<pid_t>(process_->pid()) : std::nullopt; }

 private:
  const scenario::Target& target_;
  const std::string ready_url_;
  std::optional<TargetProcess> process_;
  std::string exit_status_;
  std::string log_path_;
};

}  // namespace leakgate::runner
