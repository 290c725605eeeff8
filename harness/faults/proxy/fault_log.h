// FaultLog: which fault did what, when, to which connection (Toxiproxy #414), saved as
// JSON lines beside the report.
//
// One event per discrete action: a phase taking effect, the first time a fault acts on a
// connection ("holding data", "dropping data"), and every action that ends something (a
// reset, a close, a refused connection, an answered / dropped / delayed request). Chunk-
// level repetitions are counted in the stats, not logged. The log is bounded: past
// `max_events` further events are counted as dropped (written as a last line).
//
// Thread-safety: Add() and the readers may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "harness/base/status.h"

namespace leakgate::faults::proxy {

struct FaultEvent {
  std::chrono::nanoseconds at{0};  // since the proxy started
  std::string phase;               // the phase current when it happened
  std::string dependency;          // "" for proxy-wide events (a phase change)
  std::string fault;               // kind name ("reset"); "phase" for a phase change; "" for proxy events (idle close)
  int fault_index = -1;            // position among the phase's dependency faults; -1 if none
  uint64_t connection = 0;         // the proxy's connection id (1, 2, ...); 0 if none
  std::string what;                // "reset after 120 bytes", "answered 503 to GET /v1/x"
};

class FaultLog {
 public:
  explicit FaultLog(size_t max_events) : max_events_(max_events) {}
  FaultLog(const FaultLog&) = delete;
  FaultLog& operator=(const FaultLog&) = delete;

  void Add(FaultEvent event);
  std::vector<FaultEvent> Events() const;
  int64_t dropped() const;

  // Writes one JSON object per line ({"t_ms":12.5,"phase":...,"connection":3,"what":...})
  // to `path` + ".tmp", then renames it over `path`, so a reader never sees half a log.
  Status WriteJsonLines(const std::string& path) const;

 private:
  const size_t max_events_;
  mutable std::mutex mu_;
  std::vector<FaultEvent> events_;
  int64_t dropped_ = 0;
};

}  // namespace leakgate::faults::proxy
