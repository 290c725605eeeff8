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

}  // namespace leakgate::testing
