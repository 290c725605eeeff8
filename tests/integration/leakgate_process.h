// Runs the real leakgate binary as a child process for integration tests.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "tests/support/subprocess.h"

namespace leakgate::testing {

// Runs LEAKGATE_BIN with `args` from the repository root (as the README does), killing it
// after `timeout`. If `interrupt_after` is positive, SIGINT is sent after that long.
ProcessOutcome RunLeakgate(const std::vector<std::string>& args, std::chrono::seconds timeout,
                           std::chrono::milliseconds interrupt_after = std::chrono::milliseconds(0));

}  // namespace leakgate::testing
