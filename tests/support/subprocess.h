// Runs a child process for tests: argv[0] is a path or a name on PATH, stdin is /dev/null,
// stdout and stderr are captured (through files, so a chatty child never blocks), and
// the child is killed (SIGKILL) when it outlives its timeout. Every wait is bounded.
// Thread-safety: none needed; each call is independent.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace leakgate::testing {

struct ProcessOutcome {
  int exit_code = -1;      // -1: killed by a signal or timed out
  std::string out;         // stdout
  std::string err;         // stderr
  bool timed_out = false;
};

struct SubprocessOptions {
  std::string cwd;                                      // "" = the test's own
  std::chrono::milliseconds timeout{60'000};
  std::chrono::milliseconds interrupt_after{0};         // > 0: send SIGINT after that long
};

// Throws std::runtime_error when the child cannot be started (e.g. argv[0] missing).
ProcessOutcome RunSubprocess(const std::vector<std::string>& argv, const SubprocessOptions& options);


// A fresh empty directory under the system temp dir, unique per call.
std::string MakeTempDir(const std::string& prefix);

// The whole file, or "" when it cannot be read.
std::string ReadFile(const std::string& path);

// A child running while the test goes on (several leakgate processes at once): started
// as RunSubprocess starts one; Wait() bounds the wait and kills it at the bound. The
// destructor kills (SIGKILL) and reaps a child still running.
class BackgroundProcess {
 public:
  // Throws std::runtime_error when the child cannot be started.
  explicit BackgroundProcess(const std::vector<std::string>& argv, const std::string& cwd = "");
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  // What it wrote to stderr so far.
  std::string StderrSoFar() const { return ReadFile(dir_ + "/stderr"); }
  void Signal(int signal) const;
  // Until it exits, or `timeout` (then SIGKILL, timed_out). `interrupt_after` > 0 sends
  // SIGINT after that long. Once only.
  ProcessOutcome Wait(std::chrono::milliseconds timeout,
                      std::chrono::milliseconds interrupt_after = std::chrono::milliseconds(0));

 private:
  int pid_ = 0;  // 0 once reaped
  std::string dir_;
};

}  // namespace leakgate::testing
