// Run-wide cancellation by SIGINT/SIGTERM.
//
// The first signal raises StopRequested(): loops finish their bookkeeping, the partial
// report is written and leakgate exits 130. A second signal stops now: the registered
// target process group is killed and the process _exit()s with 130.
#pragma once

#include <atomic>
#include <sys/types.h>

namespace leakgate::runner {

class InterruptHandler {
 public:
  // Installs the handlers for the lifetime of the object (one at a time per process).
  InterruptHandler();
  ~InterruptHandler();
  InterruptHandler(const InterruptHandler&) = delete;
  InterruptHandler& operator=(const InterruptHandler&) = delete;

  // The flag loops poll; raised by the first signal.
  static const std::atomic<bool>& StopFlag();
  static bool StopRequested() { return StopFlag().load(); }
  // Process group killed on a second signal (0: none).
  static void SetTargetProcessGroup(pid_t pgid);
};

}  // namespace leakgate::runner
