// `leakgate validate SCENARIO [--var NAME=VALUE]...`: everything that can be checked
// without running anything — the YAML (keys, values, variables, durations, faults,
// assertions), the request templates, CSV and replay files (read and parsed by the
// loader), the target's readiness URL, and, unless the message types come from the
// server's reflection, the gRPC .proto files and every gRPC request (templates and
// replayed calls) against its method's message type. Prints what the scenario resolves
// to and exits 0, or prints the first error with file:line:column and exits 2.
#pragma once

#include <CLI/CLI.hpp>

#include "harness/cli/cli_common.h"

namespace leakgate::cli {

Command AddValidateCommand(CLI::App& app);

}  // namespace leakgate::cli
