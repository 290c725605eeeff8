// The verdict on phase thresholds (probes/thresholds.h) over hand-set phase results: what
// each metric measures, the worst cycle deciding, and what cannot be measured failing.
#include "probes/thresholds.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>

namespace leakgate::probes {
namespace thresholds_test {

using scenario::Threshold;

scenario::Phase PhaseWith(const std::string& name, std::initializer_list<std::string_view> thresholds) {
  scenario::Phase p;
  p.name = name;
  p.rate = 100;
  for (const auto text : thresholds) p.thresholds.push_back(std::get<Threshold>(scenario::ParseThreshold(text)));
  return p;
}

reports::PhaseResult Result(const std::string& name, int cycle) {
  reports::PhaseResult r;
  r.name = name;
  r.cycle = cycle;
  r.target_rate = 100;
  r.achieved_rate = 99;
  r.requests = 1000;
  r.ok = 990;
  r.errors = 5;
  r.cancelled = 5;
  r.latency.count = 995;
  r.latency.p50_ms = 2, r.latency.p90_ms = 4, r.latency.p95_ms = 5, r.latency.p99_ms = 9;
  r.latency.p999_ms = 20, r.latency.p9999_ms = 30, r.latency.max_ms = 40, r.latency.mean_ms = 3;
  return r;
}

TEST(Thresholds, EachMetricMeasuresItsField) {
  const auto r = Result("load", 1);
  const std::pair<Threshold::Metric, double> expected[] = {
      {Threshold::Metric::kP50, 2},   {Threshold::Metric::kP90, 4},     {Threshold::Metric::kP95, 5},
      {Threshold::Metric::kP99, 9},   {Threshold::Metric::kP999, 20},   {Threshold::Metric::kP9999, 30},
      {Threshold::Metric::kMax, 40},  {Threshold::Metric::kMean, 3},    {Threshold::Metric::kRate, 99},
      {Threshold::Metric::kRequestsPerSecond, 99}};
  for (const auto& [metric, value] : expected) {
    ASSERT_TRUE(MeasureThreshold(metric, r).has_value()) << MetricName(metric);
    EXPECT_DOUBLE_EQ(*MeasureThreshold(metric, r), value) << MetricName(metric);
  }
  // 5 errors of 995 completed: planned cancellations are not the service's errors.
  EXPECT_DOUBLE_EQ(*MeasureThreshold(Threshold::Metric::kErrors, r), 100.0 * 5 / 995);
}

TEST(Thresholds, OneAssertionPerThresholdNamedByItsTextAndPhase) {
  const auto out = JudgeThresholds({PhaseWith("load", {"p99 < 10ms", "p99 < 5ms", "errors < 0.1%", "rate >= 99%"})},
                                   {Result("load", 1)});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].name, "p99 < 10ms");
  EXPECT_EQ(out[0].phase, "load");
  EXPECT_EQ(out[0].kind, reports::AssertionKind::kThreshold);
  EXPECT_TRUE(out[0].passed);
  EXPECT_EQ(out[0].unit, "ms");
  EXPECT_DOUBLE_EQ(out[0].final, 9);
  EXPECT_DOUBLE_EQ(out[0].limit, 10);
  EXPECT_EQ(out[0].detail, "p99 9ms over 995 requests");
  EXPECT_FALSE(out[1].passed);
  EXPECT_FALSE(out[2].passed) << "0.5% errors";
  EXPECT_EQ(out[2].unit, "%");
  EXPECT_TRUE(out[3].passed);
}

TEST(Thresholds, TheWorstCycleDecides) {
  auto slow = Result("load", 2);
  slow.latency.p99_ms = 60;
  slow.achieved_rate = 80;
  const auto out = JudgeThresholds({PhaseWith("load", {"p99 < 50ms", "rate > 90%"})},
                                   {Result("warm", 0), Result("load", 1), slow, Result("load", 3)});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FALSE(out[0].passed);
  EXPECT_DOUBLE_EQ(out[0].final, 60);
  EXPECT_NE(out[0].detail.find("the worst of 3 cycles (cycle 2)"), std::string::npos) << out[0].detail;
  EXPECT_FALSE(out[1].passed) << "a lower bound: the smallest rate is the worst";
  EXPECT_DOUBLE_EQ(out[1].final, 80);
}

TEST(Thresholds, WhatCannotBeMeasuredFails) {
  auto none = Result("load", 1);
  none.ok = none.errors = 0;
  none.latency.count = 0;
  const auto out = JudgeThresholds({PhaseWith("load", {"p99 < 50ms", "errors < 1%"}), PhaseWith("never", {"max < 1s"})},
                                   {none});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_FALSE(out[0].passed);
  EXPECT_NE(out[0].detail.find("no request of the phase completed"), std::string::npos) << out[0].detail;
  EXPECT_FALSE(out[1].passed);
  EXPECT_FALSE(out[2].passed);
  EXPECT_EQ(out[2].detail, "the phase did not run");
}

TEST(Thresholds, PhasesWithoutThresholdsYieldNothing) {
  EXPECT_TRUE(JudgeThresholds({PhaseWith("load", {})}, {Result("load", 1)}).empty());
}

}  // namespace thresholds_test
}  // namespace leakgate::probes
