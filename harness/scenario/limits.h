// The ceilings on what a scenario (or leakgate load's command line) may ask of the load
// engine. Each is far beyond what one generator host sends and none is a default: they
// exist so that a typo (`rate: 1e12`, `concurrency: 10000000`) is refused by `validate`
// with exit 2 and the ceiling in the message, instead of spinning, exhausting memory or
// file descriptors mid-run. FORMAT.md, "Limits", lists them; keep the two in step.
//
// Values are for a whole phase: a sharded run's shards share them (rate / N each).
#pragma once

#include <chrono>
#include <cstdint>

#include "harness/scenario/scenario.h"

namespace leakgate::scenario {

class Reader;

namespace limits {
inline constexpr double kRate = 10'000'000;            // requests/s, constant or either end of a ramp
inline constexpr int kConcurrency = 100'000;           // closed-model users
inline constexpr int kMaxInFlight = 1'000'000;         // concurrent requests
inline constexpr int kWorkers = 256;                   // client threads
inline constexpr int kConnections = 1'000'000;         // connections.pool and connections.max
inline constexpr int kStreamsPerConnection = 100'000;  // HTTP/2 streams on one connection
inline constexpr int kGrpcConnections = 100'000;       // gRPC channels of a phase
inline constexpr Duration kPhaseDuration = std::chrono::hours(24);
inline constexpr Duration kRequestTimeout = std::chrono::hours(1);
inline constexpr Duration kThinkTime = std::chrono::hours(1);
// Files and templates, which are held in memory whole.
inline constexpr std::uintmax_t kScenarioFileBytes = std::uintmax_t{16} << 20;     // the scenario's YAML
inline constexpr std::uintmax_t kRecordingFileBytes = std::uintmax_t{256} << 20;   // CSV, JSON lines, HAR, gRPC replay
inline constexpr std::uintmax_t kRenderedTemplateBytes = std::uintmax_t{16} << 20; // a path, header value or body as sent, at its longest
}  // namespace limits

// Each returns `value`, or throws at `r` "must be at most CEILING (leakgate's ceiling), got
// VALUE" when it is beyond `ceiling`.
int AtMost(const Reader& r, int value, int ceiling);
double AtMost(const Reader& r, double value, double ceiling);
Duration AtMost(const Reader& r, Duration value, Duration ceiling);

}  // namespace leakgate::scenario
