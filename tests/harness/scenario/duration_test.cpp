// ParseDuration / FormatDuration: Go's time.ParseDuration grammar without a sign, Go's
// Duration.String() output, and the round trip between them.
#include "harness/scenario/duration.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <random>
#include <string>

namespace leakgate::scenario {
namespace duration_test {

using namespace std::chrono_literals;

struct Accepted {
  const char* text;
  Duration expected;
};

TEST(DurationParse, AcceptsGoStyleDurations) {
  const Accepted cases[] = {
      {"0", 0ns},
      {"0s", 0ns},
      {"0ms", 0ns},
      {"100ns", 100ns},
      {"500us", 500us},
      {"500\u00b5s", 500us},  // micro sign, as Go prints it
      {"500\u03bcs", 500us},  // Greek mu, as people type it
      {"200ms", 200ms},
      {"2s", 2s},
      {"1.5s", 1500ms},
      {".5s", 500ms},
      {"1.s", 1s},
      {"1m30s", 90s},
      {"1h", 1h},
      {"1h2m3.5s", 1h + 2min + 3500ms},
      {"1.5h", 90min},
      {"2h45m", 2h + 45min},
      {"1s1s", 2s},           // Go allows repeated units; the terms add up
      {"007s", 7s},
      {"1.000000001s", 1s + 1ns},
      {"1.0000000009s", 1s},  // below a nanosecond: truncated like Go
      {"0.1ns", 0ns},
      {"2562047h", std::chrono::hours(2562047)},
      {"9223372036854775807ns", Duration(std::numeric_limits<Duration::rep>::max())},
  };
  for (const auto& c : cases) {
    const auto d = ParseDuration(c.text);
    ASSERT_TRUE(d.has_value()) << c.text;
    EXPECT_EQ(d->count(), c.expected.count()) << c.text;
  }
}

TEST(DurationParse, RejectsMalformedNegativeAndOverflowingDurations) {
  const char* const rejected[] = {
      "",        // empty
      "8x",      // unknown unit
      "fast",    // no number
      "10",      // missing unit
      "00",      // only a bare "0" may omit the unit
      "1.5",     // missing unit
      "s",       // missing number
      ".s",      // a point alone is not a number
      ".",       //
      "-1s",     // negative
      "-0",      //
      "+1s",     // no sign at all
      "1 s",     // whitespace
      " 1s",     //
      "1s ",     //
      "1sec",    // unit must be exact
      "1S",      // units are case-sensitive
      "1d",      // no days, like Go
      "1m30",    // trailing number without unit
      "1..5s",   //
      "1e3s",    // no exponents
      "9223372036854775808ns",  // int64 max + 1
      "2562048h",               // past ~292 years
      "99999999999999999999s",  // integer overflow while reading digits
      "2562047h48m",            // terms add up past the limit
  };
  for (const char* text : rejected) {
    EXPECT_FALSE(ParseDuration(text).has_value()) << '"' << text << '"';
  }
}

TEST(DurationFormat, MatchesGoDurationString) {
  EXPECT_EQ(FormatDuration(0ns), "0s");
  EXPECT_EQ(FormatDuration(1ns), "1ns");
  EXPECT_EQ(FormatDuration(100ns), "100ns");
  EXPECT_EQ(FormatDuration(500us), "500\u00b5s");
  EXPECT_EQ(FormatDuration(1500ns), "1.5\u00b5s");
  EXPECT_EQ(FormatDuration(200ms), "200ms");
  EXPECT_EQ(FormatDuration(1500us), "1.5ms");
  EXPECT_EQ(FormatDuration(1s), "1s");
  EXPECT_EQ(FormatDuration(1500ms), "1.5s");
  EXPECT_EQ(FormatDuration(1s + 1ns), "1.000000001s");
  EXPECT_EQ(FormatDuration(90s), "1m30s");
  EXPECT_EQ(FormatDuration(2min), "2m0s");
  EXPECT_EQ(FormatDuration(1h), "1h0m0s");
  EXPECT_EQ(FormatDuration(1h + 2min + 3500ms), "1h2m3.5s");
  EXPECT_EQ(FormatDuration(-1500ms), "-1.5s");
  EXPECT_EQ(FormatDuration(Duration(std::numeric_limits<Duration::rep>::max())), "2562047h47m16.854775807s");
  EXPECT_EQ(FormatDuration(Duration(std::numeric_limits<Duration::rep>::min())), "-2562047h47m16.854775808s");
}

TEST(DurationFormat, RoundTripsThroughParse) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int> digits(0, 18);
  for (int i = 0; i < 5000; ++i) {
    // Values spread over every magnitude, from nanoseconds to centuries.
    int64_t limit = 1;
    for (int k = digits(rng); k > 0; --k) limit *= 10;
    const Duration d(std::uniform_int_distribution<int64_t>(0, limit)(rng));
    const std::string text = FormatDuration(d);
    const auto back = ParseDuration(text);
    ASSERT_TRUE(back.has_value()) << text;
    ASSERT_EQ(back->count(), d.count()) << text;
  }
}

}  // namespace duration_test
}  // namespace leakgate::scenario
