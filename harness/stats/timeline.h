// TimelineCollector: merges the workers' per-second stats into one per-second timeline.
//
// Each worker accumulates one second at a time (SecondAccumulator, its own) and hands it
// over once the second is over (Add, once per worker per second, so the lock is taken
// about workers × seconds times per phase: never on a per-request path). A second is
// summarized (p99 computed, histogram freed) as soon as every worker has handed it over
// (or has retired before it: a worker whose share of the phase ended early), so at most a
// couple of histograms are pending whatever the phase length: memory is fixed but for
// the 40-byte summary per second. Thread-safety: Add() and Retire() from any thread;
// Finish() once, after every worker has stopped.
//
// Live hook: an optional `on_second` callback receives each second's summary as soon as
// it is complete (for a live view), on the thread of the worker whose report completed
// it, with the collector's lock held: calls never overlap and come in completion order
// (ascending but for a straggler), so the callback must be quick (copy the value, wake
// someone) and must not call back into the collector. Seconds only Finish() summarizes
// (the phase's last, partial ones) are not passed to it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "harness/stats/histogram.h"
#include "harness/stats/request_stats.h"

namespace leakgate::stats {

// One worker's current second. Not thread-safe.
struct SecondAccumulator {
  int64_t completed = 0, ok = 0, errors = 0;
  LatencyHistogram latency;  // corrected latency of the responses of this second
  void Reset() {
    completed = ok = errors = 0;
    latency.Reset();
  }
};

// Receives each completed second (see "Live hook" above).
using SecondCallback = std::function<void(const TimelineSecond&)>;

class TimelineCollector {
 public:
  explicit TimelineCollector(int contributors, SecondCallback on_second = {})
      : contributors_(contributors), on_second_(std::move(on_second)) {}

  void Add(int64_t second, const SecondAccumulator& acc);
  // The calling worker reported its last second, `last_second`: seconds after it no
  // longer wait for its report. Once per worker.
  void Retire(int64_t last_second);

  // The timeline, one entry per second from 0 to the last second anyone reported.
  std::vector<TimelineSecond> Finish();

 private:
  struct Pending {
    SecondAccumulator acc;
    int reports = 0;
  };
  static TimelineSecond Summarize(int64_t second, const SecondAccumulator& acc);
  // Summarizes `second` when every contributor reported it or retired before it. Locked.
  void CompleteIfDone(int64_t second);

  const int contributors_;
  const SecondCallback on_second_;
  std::vector<int64_t> retired_;  // last seconds of retired workers
  std::mutex mu_;
  std::map<int64_t, std::unique_ptr<Pending>> pending_;
  std::map<int64_t, TimelineSecond> done_;
};

}  // namespace leakgate::stats
