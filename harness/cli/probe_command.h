// `leakgate probe URL [--pprof PATH] [--pid PID] [--top N] [--json]`: one snapshot of a
// running Go service — goroutine count and the biggest groups (function, state, created
// by, count: goroutine?debug=2 grouped by probes::GroupGoroutines), heap figures
// (heap?debug=1 MemStats), and, when the service is local, fds, sockets, TCP states, RSS
// and threads from /proc (--pid, or the process found listening on the URL's port).
// Loopback URLs only. Exits 0, 2 on bad flags or a non-loopback host, 3 when the
// service cannot be probed.
#pragma once

#include <CLI/CLI.hpp>

#include "harness/cli/cli_common.h"

namespace leakgate::cli {

Command AddProbeCommand(CLI::App& app);

}  // namespace leakgate::cli
