// Human-readable summary of a RunResult for the terminal (stdout).
#pragma once

#include <cstdio>
#include <string>

#include "reports/run_result.h"

namespace leakgate::reports {

// The summary text: phases table, assertions, leaked goroutine groups (goleak style) and
// fd growth, then the verdict line. `max_stack_frames` bounds each printed stack.
std::string FormatSummary(const RunResult& result, int max_stack_frames = 8);

}  // namespace leakgate::reports
