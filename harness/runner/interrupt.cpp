#include "harness/runner/interrupt.h"

#include <pthread.h>
#include <unistd.h>

#include <csignal>
#include <mutex>

#include "reports/json_report.h"

namespace leakgate::runner {

namespace {

// Process-wide by nature (signals are): the stop flag, the target's process group and the
// partial report a second signal writes.
struct InterruptState {
  std::atomic<bool> stop{false};
  std::atomic<pid_t> target_pgid{0};
  std::mutex mu;
  std::string partial_path;     // guarded by mu
  std::string partial_content;  // guarded by mu
};

InterruptState& State() {
  static InterruptState state;
  return state;
}

sigset_t StopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

void Say(const char* text, size_t n) { [[maybe_unused]] auto w = ::write(STDERR_FILENO, text, n); }

// The second signal: kill the target, write what we have, exit now.
[[noreturn]] void StopNow() {
  auto& s = State();
  if (const pid_t pgid = s.target_pgid.load(); pgid > 0) ::kill(-pgid, SIGKILL);
  {
    std::unique_lock lock(s.mu, std::try_to_lock);  // never wait on a runner stuck holding it
    if (lock.owns_lock() && !s.partial_path.empty()) {
      try {
        reports::WriteFileAtomically(s.partial_path, s.partial_content);
      } catch (...) {
      }
    }
  }
  constexpr char kMsg[] = "leakgate: interrupted twice; stopped now (partial report written)\n";
  Say(kMsg, sizeof kMsg - 1);
  ::_exit(130);
}

}  // namespace

InterruptHandler::InterruptHandler() {
  State().stop = false;
  const sigset_t set = StopSignals();
  ::pthread_sigmask(SIG_BLOCK, &set, &previous_mask_);
  watcher_ = std::jthread([set](std::stop_token token) {
    int signals = 0;
    while (!token.stop_requested()) {
      int sig = 0;
      if (::sigwait(&set, &sig) != 0) continue;
      if (token.stop_requested()) return;  // the destructor's wake-up
      if (++signals >= 2) StopNow();
      State().stop = true;
      constexpr char kMsg[] = "\nleakgate: interrupted; finishing the phase bookkeeping (interrupt again to stop now)\n";
      Say(kMsg, sizeof kMsg - 1);
    }
  });
}

InterruptHandler::~InterruptHandler() {
  watcher_.request_stop();
  ::pthread_kill(watcher_.native_handle(), SIGTERM);  // wakes sigwait; the token says why
  watcher_.join();
  ::pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
  State().target_pgid = 0;
  std::lock_guard lock(State().mu);
  State().partial_path.clear();
  State().partial_content.clear();
}

const std::atomic<bool>& InterruptHandler::StopFlag() { return State().stop; }

void InterruptHandler::SetTargetProcessGroup(pid_t pgid) { State().target_pgid = pgid; }

void InterruptHandler::PublishPartialReport(const std::string& path, std::string content) {
  std::lock_guard lock(State().mu);
  State().partial_path = path;
  State().partial_content = std::move(content);
}

}  // namespace leakgate::runner
