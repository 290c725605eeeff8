#include "harness/scenario/limits.h"

#include <fmt/format.h>

#include "harness/scenario/duration.h"
#include "harness/scenario/yaml_reader.h"

namespace leakgate::scenario {

int AtMost(const Reader& r, int value, int ceiling) {
  if (value > ceiling) r.Fail(fmt::format("must be at most {} (leakgate's ceiling), got {}", ceiling, value));
  return value;
}

double AtMost(const Reader& r, double value, double ceiling) {
  if (value > ceiling) r.Fail(fmt::format("must be at most {:.0f} (leakgate's ceiling), got {}", ceiling, value));
  return value;
}

Duration AtMost(const Reader& r, Duration value, Duration ceiling) {
  if (value > ceiling) {
    r.Fail(fmt::format("must be at most {} (leakgate's ceiling), got {}", FormatDuration(ceiling), FormatDuration(value)));
  }
  return value;
}

}  // namespace leakgate::scenario
