// Go-style durations ("200ms", "1.5s", "1m30s") as used throughout scenario files.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "harness/scenario/scenario.h"

namespace leakgate::scenario {

// Parses a duration the way Go's time.ParseDuration does, minus the sign: one or more
// terms <decimal number><unit>, unit one of ns, us, µs (U+00B5), μs (U+03BC), ms, s, m, h.
// A number may have a fraction ("1.5s", ".5s", "1.s"); terms add up ("1h2m3.5s").
// The bare string "0" is zero. Digits of a fraction below one nanosecond are truncated.
//
// Returns nullopt for: empty text, any sign ("-1s", "+1s"), a number without a unit
// ("10", "00"), an unknown unit ("8x", "1sec"), whitespace anywhere, and values beyond
// Duration's range (int64 nanoseconds, about 292 years).
std::optional<Duration> ParseDuration(std::string_view text);

// Formats like Go's time.Duration.String(): "0s", "100ns", "1.5µs", "200ms", "1.5s",
// "1m30s", "1h0m0s"; negative durations get a leading '-'.
// For every d >= 0: ParseDuration(FormatDuration(d)) == d.
std::string FormatDuration(Duration d);

}  // namespace leakgate::scenario
