// Runs the real leakgate binary as a child process for integration tests.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace leakgate::testing {

struct ProcessOutcome {
  int exit_code = -1;      // -1: killed or timed out
  std::string out;         // stdout
  std::string err;         // stderr
  bool timed_out = false;
};

// Runs LEAKGATE_BIN with `args` from the repository root (as the README does), killing it
// after `timeout`. If `interrupt_after` is positive, SIGINT is sent after that long.
ProcessOutcome RunLeakgate(const std::vector<std::string>& args, std::chrono::seconds timeout,
                           std::chrono::milliseconds interrupt_after = std::chrono::milliseconds(0));

// The same with a wrapper command in front: {"ip", "netns", "exec", NAME} runs leakgate in
// a network namespace.
ProcessOutcome RunLeakgateUnder(const std::vector<std::string>& wrapper, const std::vector<std::string>& args,
                                std::chrono::seconds timeout);

// Any command (argv[0] looked up on PATH), the same way.
ProcessOutcome RunCommand(const std::vector<std::string>& argv, std::chrono::seconds timeout,
                          std::chrono::milliseconds interrupt_after = std::chrono::milliseconds(0));

// A fresh empty directory under the system temp dir, unique per call.
std::string MakeTempDir(const std::string& prefix);

std::string ReadFile(const std::string& path);

}  // namespace leakgate::testing
