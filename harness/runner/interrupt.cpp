#include "harness/runner/interrupt.h"

#include <csignal>
#include <unistd.h>

namespace leakgate::runner {

namespace {
// Signal handlers can only reach process-wide state; these two are the only such state
// in leakgate and are touched with async-signal-safe operations only.
std::atomic<bool> g_stop{false};
std::atomic<pid_t> g_target_pgid{0};
struct sigaction g_old_int, g_old_term;

void OnSignal(int) {
  if (g_stop.exchange(true)) {
    const pid_t pgid = g_target_pgid.load();
    if (pgid > 0) ::kill(-pgid, SIGKILL);
    ::_exit(130);
  }
  constexpr char kMsg[] = "\nleakgate: interrupted; finishing the phase bookkeeping (interrupt again to stop now)\n";
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, kMsg, sizeof kMsg - 1);
}
}  // namespace

InterruptHandler::InterruptHandler() {
  g_stop = false;
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &sa, &g_old_int);
  ::sigaction(SIGTERM, &sa, &g_old_term);
}

InterruptHandler::~InterruptHandler() {
  ::sigaction(SIGINT, &g_old_int, nullptr);
  ::sigaction(SIGTERM, &g_old_term, nullptr);
  g_target_pgid = 0;
}

const std::atomic<bool>& InterruptHandler::StopFlag() { return g_stop; }

void InterruptHandler::SetTargetProcessGroup(pid_t pgid) { g_target_pgid = pgid; }

}  // namespace leakgate::runner
