#include "harness/scenario/duration.h"

#include <cstdint>
#include <limits>

namespace leakgate::scenario {
namespace {

constexpr uint64_t kLimit = uint64_t{1} << 63;  // |int64 min|; the largest magnitude Go tracks

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Nanoseconds per unit; 0 for an unknown unit.
uint64_t UnitNanos(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs") return 1'000;
  if (unit == "ms") return 1'000'000;
  if (unit == "s") return 1'000'000'000;
  if (unit == "m") return 60'000'000'000;
  if (unit == "h") return 3'600'000'000'000;
  return 0;
}

// Consumes leading digits of `s` into `value`; false on overflow past kLimit.
bool LeadingInt(std::string_view& s, uint64_t& value) {
  value = 0;
  size_t i = 0;
  for (; i < s.size() && IsDigit(s[i]); ++i) {
    if (value > kLimit / 10) return false;
    value = value * 10 + static_cast<uint64_t>(s[i] - '0');
    if (value > kLimit) return false;
  }
  s.remove_prefix(i);
  return true;
}

// Consumes leading digits of `s` as a fraction: value / scale. Digits past what fits are
// ignored (they are below a nanosecond anyway).
void LeadingFraction(std::string_view& s, uint64_t& value, double& scale) {
  value = 0;
  scale = 1;
  bool overflow = false;
  size_t i = 0;
  for (; i < s.size() && IsDigit(s[i]); ++i) {
    if (overflow) continue;
    if (value > (kLimit - 1) / 10) {
      overflow = true;
      continue;
    }
    value = value * 10 + static_cast<uint64_t>(s[i] - '0');
    scale *= 10;
  }
  s.remove_prefix(i);
}

// Appends the fraction v / 10^prec as ".123" without trailing zeros (nothing when it is 0)
// to the front of `out`; returns v / 10^prec.
uint64_t PrependFraction(std::string& out, uint64_t v, int prec) {
  std::string digits;
  bool print = false;
  for (int i = 0; i < prec; ++i) {
    const auto digit = static_cast<char>('0' + v % 10);
    print = print || digit != '0';
    if (print) digits.insert(digits.begin(), digit);
    v /= 10;
  }
  if (print) out.insert(0, "." + digits);
  return v;
}

}  // namespace

std::optional<Duration> ParseDuration(std::string_view s) {
  if (s == "0") return Duration::zero();
  if (s.empty()) return std::nullopt;
  uint64_t total = 0;
  while (!s.empty()) {
    if (!(s.front() == '.' || IsDigit(s.front()))) return std::nullopt;  // also rejects signs
    uint64_t whole = 0;
    const size_t before_int = s.size();
    if (!LeadingInt(s, whole)) return std::nullopt;
    const bool pre = s.size() != before_int;
    uint64_t frac = 0;
    double scale = 1;
    bool post = false;
    if (!s.empty() && s.front() == '.') {
      s.remove_prefix(1);
      const size_t before_frac = s.size();
      LeadingFraction(s, frac, scale);
      post = s.size() != before_frac;
    }
    if (!pre && !post) return std::nullopt;  // "." or ".s"
    size_t unit_len = 0;
    while (unit_len < s.size() && s[unit_len] != '.' && !IsDigit(s[unit_len])) ++unit_len;
    const uint64_t unit = UnitNanos(s.substr(0, unit_len));
    if (unit == 0) return std::nullopt;  // missing or unknown unit
    s.remove_prefix(unit_len);
    if (whole > kLimit / unit) return std::nullopt;
    uint64_t term = whole * unit;
    if (frac > 0) {
      // double is exact enough here: frac/scale < 1, so the addend is below one hour in ns.
      term += static_cast<uint64_t>(static_cast<double>(frac) * (static_cast<double>(unit) / scale));
      if (term > kLimit) return std::nullopt;
    }
    total += term;
    if (total > kLimit) return std::nullopt;
  }
  if (total > static_cast<uint64_t>(std::numeric_limits<Duration::rep>::max())) return std::nullopt;
  return Duration(static_cast<Duration::rep>(total));
}

std::string FormatDuration(Duration d) {
  const bool negative = d.count() < 0;
  // Two's complement negation in unsigned arithmetic also covers the minimum value.
  uint64_t u = static_cast<uint64_t>(d.count());
  if (negative) u = ~u + 1;
  std::string out;
  if (u < 1'000'000'000) {
    // Below a second: the largest unit that keeps an integer part, like "1.5ms".
    if (u == 0) return "0s";
    int prec = 0;
    if (u < 1'000) {
      out = "ns";
    } else if (u < 1'000'000) {
      prec = 3;
      out = "\u00b5s";
    } else {
      prec = 6;
      out = "ms";
    }
    u = PrependFraction(out, u, prec);
    out.insert(0, std::to_string(u));
  } else {
    out = "s";
    u = PrependFraction(out, u, 9);  // u: whole seconds
    out.insert(0, std::to_string(u % 60));
    u /= 60;  // minutes
    if (u > 0) {
      out.insert(0, std::to_string(u % 60) + "m");
      u /= 60;  // hours
      if (u > 0) out.insert(0, std::to_string(u) + "h");
    }
  }
  if (negative) out.insert(0, "-");
  return out;
}

}  // namespace leakgate::scenario
