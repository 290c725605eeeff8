// Runs the real leakgate binary (or another command) as a child process for integration
// tests, from the repository root, as the README does.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "tests/support/subprocess.h"

namespace leakgate::testing {

// Runs LEAKGATE_BIN with `args`, killing it after `timeout`. If `interrupt_after` is
// positive, SIGINT is sent after that long.
ProcessOutcome RunLeakgate(const std::vector<std::string>& args, std::chrono::seconds timeout,
                           std::chrono::milliseconds interrupt_after = std::chrono::milliseconds(0));

// The same with a wrapper command in front: {"ip", "netns", "exec", NAME} runs leakgate in
// a network namespace.
ProcessOutcome RunLeakgateUnder(const std::vector<std::string>& wrapper, const std::vector<std::string>& args,
                                std::chrono::seconds timeout);

// Any command (argv[0] looked up on PATH), the same way.
ProcessOutcome RunCommand(const std::vector<std::string>& argv, std::chrono::seconds timeout,
                          std::chrono::milliseconds interrupt_after = std::chrono::milliseconds(0));

}  // namespace leakgate::testing
