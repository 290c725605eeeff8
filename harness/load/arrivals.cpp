#include "harness/load/arrivals.h"

#include <cmath>

namespace leakgate::load {

ArrivalSchedule ArrivalSchedule::Constant(double rate, Duration duration) {
  ArrivalSchedule s;
  s.kind_ = Kind::kConstant;
  s.from_ = s.to_ = rate;
  s.duration_ = duration;
  return s;
}

ArrivalSchedule ArrivalSchedule::Ramp(double from, double to, Duration duration) {
  ArrivalSchedule s;
  s.kind_ = Kind::kRamp;
  s.from_ = from;
  s.to_ = to;
  s.duration_ = duration;
  return s;
}

ArrivalSchedule ArrivalSchedule::Recorded(std::vector<Duration> offsets, double speed, Duration duration) {
  ArrivalSchedule s;
  s.kind_ = Kind::kRecorded;
  s.offsets_ = std::move(offsets);
  s.speed_ = speed > 0 ? speed : 1;
  s.duration_ = duration;
  return s;
}

std::optional<ArrivalSchedule::Duration> ArrivalSchedule::Due(int64_t j) const {
  if (j < 0) return std::nullopt;
  double seconds = 0;
  switch (kind_) {
    case Kind::kConstant:
      if (from_ <= 0) return std::nullopt;
      seconds = static_cast<double>(j) / from_;
      break;
    case Kind::kRamp: {
      // N(t) = from·t + a·t²/2 with a = (to - from) / T. Solving N(t) = j in the form
      // t = 2j / (from + sqrt(from² + 2aj)) is stable for a ≥ 0, a < 0 and a = 0.
      const double total = std::chrono::duration<double>(duration_).count();
      const double a = (to_ - from_) / total;
      const double disc = from_ * from_ + 2 * a * static_cast<double>(j);
      if (disc < 0) return std::nullopt;  // a falling ramp never reaches j
      const double denom = from_ + std::sqrt(disc);
      if (j == 0) {
        seconds = 0;
        if (from_ <= 0 && a <= 0) return std::nullopt;
      } else {
        if (denom <= 0) return std::nullopt;
        seconds = 2 * static_cast<double>(j) / denom;
      }
      break;
    }
    case Kind::kRecorded: {
      if (static_cast<size_t>(j) >= offsets_.size()) return std::nullopt;
      const auto d = Duration(static_cast<int64_t>(static_cast<double>(offsets_[static_cast<size_t>(j)].count()) / speed_));
      if (d >= duration_) return std::nullopt;
      return d;
    }
  }
  const auto d = Duration(static_cast<int64_t>(seconds * 1e9));
  if (d >= duration_) return std::nullopt;
  return d;
}

int64_t ArrivalSchedule::Count() const {
  const double total = std::chrono::duration<double>(duration_).count();
  switch (kind_) {
    case Kind::kConstant: {
      if (from_ <= 0) return 0;
      // Due(j) < duration ⇔ j < rate·T; search around it for exactness at the boundary.
      int64_t n = static_cast<int64_t>(std::ceil(from_ * total));
      while (n > 0 && !Due(n - 1)) --n;
      while (Due(n)) ++n;
      return n;
    }
    case Kind::kRamp: {
      int64_t n = static_cast<int64_t>(std::ceil((from_ + to_) / 2 * total));
      while (n > 0 && !Due(n - 1)) --n;
      while (Due(n)) ++n;
      return n;
    }
    case Kind::kRecorded: {
      int64_t n = 0;
      while (Due(n)) ++n;
      return n;
    }
  }
  return 0;
}

int64_t ArrivalSchedule::FirstAtOrAfter(Duration offset) const {
  // An upper bound: Due(hi) is nullopt (Count() walks the recording; its size will do).
  int64_t lo = 0, hi = kind_ == Kind::kRecorded ? static_cast<int64_t>(offsets_.size()) : Count();
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    const auto due = Due(mid);
    if (due && *due < offset) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

double ArrivalSchedule::MeanRate() const {
  const double total = std::chrono::duration<double>(duration_).count();
  if (total <= 0) return 0;
  if (kind_ == Kind::kRecorded) return static_cast<double>(Count()) / total;
  return (from_ + to_) / 2;
}

}  // namespace leakgate::load
