// `leakgate load URL`: a pure load run (no target process, no probes, no assertions), for
// benchmarking leakgate against other load generators and for quick checks by hand.
//
//   leakgate load http://127.0.0.1:8080/hello --concurrency 64 --threads 2 --duration 10s
//   leakgate load http://127.0.0.1:8080/hello --rate 20000 --connections 64 --duration 10s --json
//
// --concurrency N: closed model (N users, each one request at a time on its own keep-alive
// connection: what wrk -c N does); --rate R: open model at R requests/s. Prints a summary
// (or one JSON object with --json) and exits 0, or 2 on bad flags.
//
// The URL must pass the address policy (harness/net/address_policy.h) before anything is
// sent or resolved: loopback, or a host named by --allow-host HOST (repeatable). A refused
// or malformed URL exits 2 with the reason; an allowed name is resolved once (bounded by
// --timeout; exit 3 when that fails) and the load goes to the address it resolved to.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace leakgate::cli {

// Adds the `load` subcommand to `app`; the returned function runs it (after parsing) and
// returns the exit code.
std::function<int()> AddLoadCommand(CLI::App& app, CLI::App** subcommand);

}  // namespace leakgate::cli
