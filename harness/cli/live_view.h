// The live view of `leakgate run` on a terminal, as a pure function: a LiveStatus in,
// the lines to draw out (plain ASCII, no escape sequences, no newlines), e.g.
//
//   phase 2/2 load (cycle 1/1)  [##########..........]  52%  2.4s left
//     298 req/s  0 errors  p99 31.2ms  |  1490 done, 0 errors this phase
//     goroutines 612 (baseline 11, +601, limit 16 EXCEEDED)  heap in-use 5.1 MiB (baseline 4.0 MiB, +1.1 MiB)
//
// Each line is cut to `width` columns; the resource figures wrap over several lines when
// they do not fit. Drawing them in place is live_console.h's job. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "harness/runner/live_status.h"

namespace leakgate::cli {

std::vector<std::string> RenderLiveView(const runner::LiveStatus& status, int width);

// "[#####.....]" of `cells` cells for `fraction` in [0, 1] (clamped).
std::string ProgressBar(double fraction, int cells);

}  // namespace leakgate::cli
