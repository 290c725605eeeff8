// Run-wide cancellation by SIGINT/SIGTERM.
//
// SIGINT and SIGTERM are blocked in every thread (the handler must be created before any
// other thread starts, so they inherit the mask) and taken by one watcher thread with
// sigwait(), so reacting to them is ordinary code, not a signal handler:
//   first signal   raises StopFlag(): loops finish their bookkeeping, the partial report
//                  is written and leakgate exits 130;
//   second signal  stops now: the registered target process group is killed, the last
//                  published partial report is written (atomically) and the process
//                  _exit()s with 130.
// Thread-safety: every static method may be called from any thread.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <atomic>
#include <string>
#include <thread>

namespace leakgate::runner {

class InterruptHandler {
 public:
  // Takes over SIGINT/SIGTERM for the lifetime of the object (one at a time per process).
  InterruptHandler();
  ~InterruptHandler();
  InterruptHandler(const InterruptHandler&) = delete;
  InterruptHandler& operator=(const InterruptHandler&) = delete;

  // The flag loops poll; raised by the first signal.
  static const std::atomic<bool>& StopFlag();
  static bool StopRequested() { return StopFlag().load(); }
  // Process group killed on a second signal (0: none).
  static void SetTargetProcessGroup(pid_t pgid);
  // What a second signal writes to `path` before exiting: the run's latest partial
  // report. Replaces the previous one; an empty path publishes nothing.
  static void PublishPartialReport(const std::string& path, std::string content);

 private:
  sigset_t previous_mask_;
  std::jthread watcher_;
};

}  // namespace leakgate::runner
