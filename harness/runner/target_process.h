// TargetProcess: the service under test, started by leakgate in its own process group.
//
// The child gets stdin from /dev/null, stdout and stderr appended to a log file, and
// PR_SET_PDEATHSIG so it dies with leakgate. Stop() (and the destructor) ends the whole
// process group: SIGTERM, then SIGKILL after the grace period. Not thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace leakgate::runner {

// The target could not be started (exec failed, fork failed, log not writable).
class TargetStartError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

class TargetProcess {
 public:
  // Starts argv[0] (looked up like execvp) with leakgate's environment plus `env`.
  // Throws TargetStartError naming the command and the errno text when exec fails.
  static TargetProcess Start(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                             const std::string& log_path);

  TargetProcess(TargetProcess&& other) noexcept;
  TargetProcess& operator=(TargetProcess&&) = delete;
  TargetProcess(const TargetProcess&) = delete;
  ~TargetProcess();

  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }

  // Reaps the child if it has exited; returns a description of how it ended ("exited with
  // status 2", "killed by signal 11 (Segmentation fault)"), nullopt while it runs.
  std::optional<std::string> ExitStatus();

  // Ends the process group (SIGTERM, then SIGKILL after `grace`) and reaps the child.
  // Returns how it ended. Idempotent.
  std::string Stop(std::chrono::nanoseconds grace);

  // The last `max_lines` lines of the log, for crash reports.
  std::string LogTail(int max_lines) const;

 private:
  TargetProcess(pid_t pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}

  pid_t pid_ = -1;
  std::string log_path_;
  std::optional<std::string> exit_status_;
};

}  // namespace leakgate::runner
