// Thresholds besides leaks: the k6-style expression parser on its own (every metric,
// comparison and unit; each error at the offending character) and the loader placing its
// errors at file:line:column of the scenario, plain and quoted, in flow and block lists.
#include "harness/scenario/threshold.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "harness/scenario/scenario_loader.h"
#include "tests/harness/scenario/expect_scenario_error.h"

namespace leakgate::scenario {
namespace threshold_test {

using Metric = Threshold::Metric;
using Comparison = Threshold::Comparison;

Threshold Parsed(std::string_view text) {
  auto r = ParseThreshold(text);
  if (const auto* e = std::get_if<ThresholdSyntaxError>(&r)) {
    ADD_FAILURE() << "\"" << text << "\": " << e->message << " at " << e->offset;
    return {};
  }
  return std::get<Threshold>(r);
}

ThresholdSyntaxError Rejected(std::string_view text) {
  auto r = ParseThreshold(text);
  if (std::holds_alternative<Threshold>(r)) {
    ADD_FAILURE() << "\"" << text << "\" parsed";
    return {};
  }
  return std::get<ThresholdSyntaxError>(r);
}

TEST(ThresholdParser, EveryLatencyMetricInMilliseconds) {
  const std::pair<std::string_view, Metric> cases[] = {
      {"p50", Metric::kP50},     {"p90", Metric::kP90},      {"p95", Metric::kP95},   {"p99", Metric::kP99},
      {"p99.9", Metric::kP999},  {"p99.99", Metric::kP9999}, {"max", Metric::kMax},   {"mean", Metric::kMean},
      {"p(95)", Metric::kP95},   {"avg", Metric::kMean},     {"med", Metric::kP50},   {"p(99.9)", Metric::kP999}};
  for (const auto& [name, metric] : cases) {
    const auto t = Parsed(std::string(name) + " < 1.5s");
    EXPECT_EQ(t.metric, metric) << name;
    EXPECT_TRUE(t.IsLatency()) << name;
    EXPECT_DOUBLE_EQ(t.limit, 1500) << name;
    EXPECT_EQ(MetricUnit(t.metric), "ms");
  }
  EXPECT_DOUBLE_EQ(Parsed("p99<200us").limit, 0.2);
  EXPECT_DOUBLE_EQ(Parsed("max <= 1m").limit, 60000);
  EXPECT_EQ(MetricName(Parsed("p(99.9) < 1s").metric), "p99.9") << "the canonical spelling";
}

TEST(ThresholdParser, ComparisonsAndTheirMeaning) {
  EXPECT_EQ(Parsed("p99 < 50ms").comparison, Comparison::kLess);
  EXPECT_EQ(Parsed("p99 <= 50ms").comparison, Comparison::kLessOrEqual);
  EXPECT_EQ(Parsed("rate > 95%").comparison, Comparison::kGreater);
  EXPECT_EQ(Parsed("rate >= 95%").comparison, Comparison::kGreaterOrEqual);
  EXPECT_TRUE(Parsed("p99 < 50ms").Holds(49.9));
  EXPECT_FALSE(Parsed("p99 < 50ms").Holds(50));
  EXPECT_TRUE(Parsed("p99 <= 50ms").Holds(50));
  EXPECT_FALSE(Parsed("rate > 95%").Holds(95));
  EXPECT_TRUE(Parsed("rate >= 95%").Holds(95));
  EXPECT_FALSE(Parsed("rate >= 95%").Holds(94.99));
}

TEST(ThresholdParser, ErrorsAndRateArePercentagesReqPerSecondANumber) {
  auto t = Parsed("errors < 1%");
  EXPECT_EQ(t.metric, Metric::kErrors);
  EXPECT_DOUBLE_EQ(t.limit, 1);
  EXPECT_EQ(MetricUnit(t.metric), "%");
  t = Parsed("rate > 99.5%");
  EXPECT_EQ(t.metric, Metric::kRate);
  EXPECT_DOUBLE_EQ(t.limit, 99.5);
  t = Parsed("req/s >= 250");
  EXPECT_EQ(t.metric, Metric::kRequestsPerSecond);
  EXPECT_DOUBLE_EQ(t.limit, 250);
  EXPECT_EQ(Parsed("rps > 1e3").metric, Metric::kRequestsPerSecond);
}

TEST(ThresholdParser, TextIsTheTrimmedExpression) {
  EXPECT_EQ(Parsed("  p99 < 50ms\t").text, "p99 < 50ms");
  EXPECT_EQ(Parsed("p99<50ms").text, "p99<50ms");
}

TEST(ThresholdParser, EachErrorAtTheOffendingCharacter) {
  struct Case {
    std::string_view text;
    size_t offset;
    std::string_view part;
  };
  const Case cases[] = {
      {"", 0, "empty threshold"},
      {"   ", 3, "empty threshold"},
      {"p98 < 50ms", 0, "unknown metric \"p98\" (did you mean 'p90'?)"},
      {"latency < 50ms", 0, "known: p50, p90"},
      {"< 50ms", 0, "expected a metric"},
      {"p99 50ms", 4, "expected a comparison (<, <=, > or >=) after \"p99\""},
      {"p99 == 50ms", 4, "unknown comparison \"==\"; use <, <=, > or >="},
      {"p99 => 50ms", 4, "unknown comparison \"=>\""},
      {"p99 <", 5, "expected a value after \"p99\" <"},
      {"p99 < 50", 6, "\"50\" needs a unit"},
      {"p99 < fast", 6, "\"fast\" is not a duration"},
      {"p99 < -5ms", 6, "is not a duration"},
      {"errors < 1", 9, "errors is compared as a percentage: write 1%"},
      {"errors < 101%", 9, "not a percentage between 0% and 100%"},
      {"rate > x%", 7, "not a percentage between"},
      {"rate > high", 7, "is not a percentage (write e.g. 95%)"},
      {"req/s > -1", 8, "not a number of requests per second"},
      {"p99 < 50ms or so", 11, "unexpected \"or so\" after the value"},
      {"p99 < 50 ms", 6, "needs a unit"},
  };
  for (const auto& c : cases) {
    const auto e = Rejected(c.text);
    EXPECT_EQ(e.offset, c.offset) << c.text << ": " << e.message;
    EXPECT_NE(e.message.find(c.part), std::string::npos) << c.text << ": " << e.message;
  }
}

TEST(ThresholdParser, ControlBytesInTheTextAreEscapedInMessages) {
  const auto e = Rejected("p9\x1b[2J < 1s");
  EXPECT_EQ(e.message.find('\x1b'), std::string::npos) << e.message;
}

// ---------------------------------------------------------------------------------------
// The loader

Scenario Parse(const std::string& yaml) {
  LoadOptions options;
  options.allocate_port = [next = 41000]() mutable { return next++; };
  return ParseScenario(yaml, "t.yaml", options);
}

const std::string kHead = "name: t\ntarget: {command: [svc], ready: \"\"}\ntraffic:\n  - {name: a, path: /}\nphases:\n";

TEST(ThresholdsSection, ReadIntoTheirPhaseInOrder) {
  const auto s = Parse(kHead +
                       "  - name: load\n"
                       "    duration: 1s\n"
                       "    rate: 50\n"
                       "    thresholds: [\"p99 < 50ms\", \"p99.9 < 200ms\", \"errors < 1%\", \"rate > 95%\"]\n"
                       "  - name: closed\n"
                       "    duration: 1s\n"
                       "    concurrency: 2\n"
                       "    thresholds:\n"
                       "      - req/s > 10\n"
                       "      - mean < ${slow}\n"
                       "vars: {slow: 1s}\n");
  ASSERT_EQ(s.phases.size(), 2u);
  ASSERT_EQ(s.phases[0].thresholds.size(), 4u);
  EXPECT_EQ(s.phases[0].thresholds[1].text, "p99.9 < 200ms");
  EXPECT_EQ(s.phases[0].thresholds[3].metric, Threshold::Metric::kRate);
  ASSERT_EQ(s.phases[1].thresholds.size(), 2u);
  EXPECT_DOUBLE_EQ(s.phases[1].thresholds[1].limit, 1000) << "${...} is substituted";
  EXPECT_EQ(s.phases[1].thresholds[1].text, "mean < 1s");
}

TEST(ThresholdsSection, ErrorsAtFileLineColumnOfTheCharacter) {
  // Flow list of quoted strings: the quote is column 18, the text starts at 19.
  const std::string phase = "  - name: load\n    duration: 1s\n    rate: 50\n";
  ExpectScenarioErrorAt([&] { Parse(kHead + phase + "    thresholds: [\"p98 < 50ms\"]\n"); }, 9, 19,
                        "t.yaml:9:19: phases[0].thresholds[0]: unknown metric \"p98\"");
  ExpectScenarioErrorAt([&] { Parse(kHead + phase + "    thresholds: [\"p99 < 50ms\", \"errors < 1\"]\n"); }, 9, 42,
                        "phases[0].thresholds[1]: errors is compared as a percentage");
  // Block list of plain scalars: the text starts at the item.
  ExpectScenarioErrorAt([&] { Parse(kHead + phase + "    thresholds:\n      - p99 <= 50 ms\n"); }, 10, 16,
                        "phases[0].thresholds[0]: \"50\" needs a unit");
  // Single-quoted.
  ExpectScenarioErrorAt([&] { Parse(kHead + phase + "    thresholds: ['p99 = 1s']\n"); }, 9, 23,
                        "unknown comparison \"=\"");
  // Substituted text: placed at the item, with the offset in the message.
  ExpectScenarioErrorAt([&] { Parse(kHead + phase + "    thresholds: [\"p99 < ${x}\"]\nvars: {x: 50}\n"); }, 9, 18,
                        "\"50\" needs a unit: a latency is a duration such as 50ms or 1.5s (at character 7 of \"p99 < 50\")");
}

TEST(ThresholdsSection, WhatAPhaseCannotAssert) {
  ExpectScenarioErrorAt([&] { Parse(kHead + "  - {name: idle, duration: 1s, thresholds: [\"p99 < 1s\"]}\n"); }, 6, 44,
                        "phases[0].thresholds: this phase sends no requests");
  ExpectScenarioErrorAt(
      [&] { Parse(kHead + "  - {name: c, duration: 1s, concurrency: 2, thresholds: [\"rate > 95%\"]}\n"); }, 6, 58,
      "phases[0].thresholds[0]: \"rate > 95%\": rate is the achieved share of the asked rate, and this phase asks none "
      "(closed model, concurrency:); assert req/s instead");
  ExpectScenarioErrorAt([&] { Parse(kHead + "  - {name: l, duration: 1s, rate: 5, thresholds: \"p99 < 1s\"}\n"); }, 6, 50, "expected a list");
}

}  // namespace threshold_test
}  // namespace leakgate::scenario
