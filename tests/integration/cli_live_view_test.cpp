// The console of `leakgate run` / `check`: on a terminal the live view is redrawn in place
// (ANSI cursor movement, phase, progress, req/s, resources against the baseline); with
// stderr in a file (CI logs) plain "leakgate: ..." lines and no escape sequence. The
// terminal is a real pseudo-terminal (forkpty); the target is the real Go example.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <string>
#include <vector>

#include "go_target_fixture.h"
#include "leakgate_process.h"

namespace leakgate::testing {
namespace cli_live_view_test {

using namespace std::chrono_literals;

struct PtyOutcome {
  int exit_code = -1;
  std::string output;  // stdout and stderr, as the terminal received them
};

// Runs LEAKGATE_BIN `args` on a fresh pseudo-terminal of 120 columns from the repository
// root, reading until it exits or `timeout` passes (then SIGKILL).
PtyOutcome RunOnTerminal(const std::vector<std::string>& args, std::chrono::seconds timeout) {
  std::vector<std::string> argv{LEAKGATE_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  winsize ws{};
  ws.ws_col = 120;
  ws.ws_row = 40;
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, &ws);
  if (pid < 0) return {};
  if (pid == 0) {
    if (chdir(LEAKGATE_SOURCE_DIR) != 0) _exit(126);
    setenv("TERM", "xterm-256color", 1);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  PtyOutcome out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{master, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    const ssize_t n = read(master, buf, sizeof buf);
    if (n <= 0) break;  // EIO once the child (the terminal's last user) is gone
    out.output.append(buf, static_cast<size_t>(n));
  }
  int status = 0;
  if (waitpid(pid, &status, WNOHANG) == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  close(master);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

std::vector<std::string> ShortCheck(const std::string& url) {
  return {"check", url, "--hit", "/hello", "--rate", "50", "--duration", "2s", "--warmup", "0", "--settle", "2s"};
}

class CliConsole : public GoTargetTest {};

TEST_F(CliConsole, OnATerminalTheLiveViewIsRedrawnInPlace) {
  StartTarget("fixed");
  const auto r = RunOnTerminal(ShortCheck(url_), std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("phase 1/1 load  ["), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(" req/s "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("p99 "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("goroutines "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("(baseline "), std::string::npos) << "resources against the baseline: " << r.output;
  EXPECT_NE(r.output.find("F\x1b[J"), std::string::npos) << "redrawn in place (cursor up, clear): " << r.output;
  EXPECT_NE(r.output.find("PASS"), std::string::npos) << "the summary follows the view: " << r.output;
}

TEST_F(CliConsole, InALogThereArePlainLinesAndNoEscapeSequence) {
  StartTarget("fixed");
  const auto r = RunLeakgate(ShortCheck(url_), std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("leakgate: phase load"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("leakgate: settle"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
}

TEST_F(CliConsole, QuietPrintsOnlyTheSummary) {
  StartTarget("fixed");
  auto args = ShortCheck(url_);
  args.push_back("--quiet");
  const auto r = RunOnTerminal(args, std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find('\x1b'), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("leakgate: phase"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("PASS"), std::string::npos) << r.output;
}

}  // namespace cli_live_view_test
}  // namespace leakgate::testing
