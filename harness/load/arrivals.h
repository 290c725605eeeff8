// ArrivalSchedule: when each arrival of an open-model phase is due.
//
// Arrival j (0-based) of a phase is due at Due(j) after the phase's start; the schedule is a
// pure function of j, so workers share it read-only and split arrivals by j mod W without
// talking to each other. Due() is non-decreasing in j.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace leakgate::load {

class ArrivalSchedule {
 public:
  using Duration = std::chrono::nanoseconds;

  // `rate` per second for `duration`: arrival j at j / rate.
  static ArrivalSchedule Constant(double rate, Duration duration);
  // Rate rising (or falling) linearly from `from` to `to` over `duration`: arrival j at the
  // time the integral of the rate reaches j.
  static ArrivalSchedule Ramp(double from, double to, Duration duration);
  // Recorded offsets divided by `speed` (> 0), cut at `duration`.
  static ArrivalSchedule Recorded(std::vector<Duration> offsets, double speed, Duration duration);

  // Offset of arrival j from the phase start; nullopt when j is past the end of the phase.
  std::optional<Duration> Due(int64_t j) const;

  // Number of arrivals in the phase.
  int64_t Count() const;

  // The first arrival due at or after `offset` (Count() when none is): lets a scheduler
  // that fell behind skip what it would drop anyway in one step (binary search over Due).
  int64_t FirstAtOrAfter(Duration offset) const;

  // Mean arrivals per second over the phase (to size the worker count).
  double MeanRate() const;

 private:
  enum class Kind { kConstant, kRamp, kRecorded };
  Kind kind_ = Kind::kConstant;
  double from_ = 0, to_ = 0, speed_ = 1;
  Duration duration_{0};
  std::vector<Duration> offsets_;
};

}  // namespace leakgate::load
