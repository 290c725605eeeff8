// The probe: and assert: sections beyond the skeleton: metric sources, every assertable
// resource with absolute/relative/byte-size tolerances, cycles, ignore rules, and the
// goroutineleak profile switch — and their errors at file:line:column.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "harness/scenario/scenario_loader.h"

namespace leakgate::scenario {
namespace scenario_assert_test {

LoadOptions Options() {
  LoadOptions o;
  o.allocate_port = [n = 41000]() mutable { return n++; };
  return o;
}

// Lines 1-6; tests append probe:/assert: from line 7 on.
const std::string kStarted = R"(name: t
target:
  command: [srv, -addr, "127.0.0.1:${port}"]
traffic: [{name: a, path: /a}]
phases:
  - {name: load, duration: 1s, rate: 10}
)";
const std::string kRunning = R"(name: t
target:
  url: http://127.0.0.1:9
traffic: [{name: a, path: /a}]
phases:
  - {name: load, duration: 1s, rate: 10}
)";

Scenario Parse(const std::string& yaml) { return ParseScenario(yaml, "test.yaml", Options()); }

ScenarioError ErrorOf(const std::string& yaml) {
  try {
    Parse(yaml);
  } catch (const ScenarioError& e) {
    return e;
  }
  ADD_FAILURE() << "no error for:\n" << yaml;
  return ScenarioError(SourceMark{}, "(no error)");
}

TEST(ScenarioAssert, EveryResourceWithItsTolerance) {
  const auto s = Parse(kStarted + R"(assert:
  goroutines: {tolerance: 5}
  heap_inuse_bytes: {tolerance: 4MiB}
  heap_objects: {tolerance: "20%"}
  fds: {tolerance: 3, relative: 0.5}
  sockets: {tolerance: 2}
  threads: {relative: "10%"}
  rss_bytes: {tolerance: 1.5MB}
)");
  const auto& a = s.assertions;
  ASSERT_EQ(a.resources.size(), 7u);
  EXPECT_EQ(a.Find("heap_inuse_bytes")->absolute, 4.0 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(*a.Find("heap_objects")->relative, 0.2);
  EXPECT_FALSE(a.Find("heap_objects")->absolute);
  EXPECT_EQ(a.Find("rss_bytes")->absolute, 1.5e6);
  EXPECT_DOUBLE_EQ(a.Find("fds")->limit(10), 15) << "max(3, 0.5 × 10) over 10";
  EXPECT_DOUBLE_EQ(*a.Find("threads")->relative, 0.1);
  EXPECT_EQ(a.cycles, 1);
  EXPECT_TRUE(a.default_ignores);
  EXPECT_TRUE(a.proven_leaks_fail);
}

TEST(ScenarioAssert, ByteSizesAcceptPlainNumbersAndUnits) {
  const auto bytes = [](const std::string& v) {
    return *Parse(kStarted + "assert: {heap_inuse_bytes: {tolerance: " + v + "}}\n")
                .assertions.Find("heap_inuse_bytes")
                ->absolute;
  };
  EXPECT_EQ(bytes("512"), 512);
  EXPECT_EQ(bytes("64KiB"), 65536);
  EXPECT_EQ(bytes("2KB"), 2000);
  EXPECT_EQ(bytes("1GiB"), 1024.0 * 1024 * 1024);
  EXPECT_EQ(bytes("100B"), 100);
}

TEST(ScenarioAssert, BadByteSizeIsAnErrorAtTheValue) {
  const auto e = ErrorOf(kStarted + "assert:\n  heap_inuse_bytes: {tolerance: 4 megs}\n");
  EXPECT_EQ(e.mark().line, 8);
  EXPECT_EQ(e.mark().column, 33);
  EXPECT_NE(e.message().find("byte size"), std::string::npos) << e.what();
}

TEST(ScenarioAssert, ProcResourcesNeedAStartedTargetOrMetrics) {
  const auto e = ErrorOf(kRunning + "assert:\n  threads: {tolerance: 2}\n");
  EXPECT_EQ(e.mark().line, 8) << e.what();
  EXPECT_NE(e.message().find("target.command"), std::string::npos) << e.what();
  const auto with_metrics = Parse(kRunning + "probe: {metrics: /metrics}\nassert:\n  threads: {tolerance: 2}\n");
  EXPECT_TRUE(with_metrics.assertions.Find("threads"));
  const auto sockets = ErrorOf(kRunning + "probe: {metrics: /metrics}\nassert:\n  sockets: {tolerance: 2}\n");
  EXPECT_NE(sockets.message().find("sockets"), std::string::npos) << sockets.what();
}

TEST(ScenarioAssert, CyclesAndIgnoreRules) {
  const auto s = Parse(kStarted + R"(assert:
  cycles: 3
  default_ignores: false
  proven_leaks_fail: false
  ignore:
    - {top: "main.backgroundFlusher"}
    - {any: "go.opencensus.io/*"}
    - {created_by: "main.startWorkers"}
)");
  const auto& a = s.assertions;
  EXPECT_EQ(a.cycles, 3);
  EXPECT_FALSE(a.default_ignores);
  EXPECT_FALSE(a.proven_leaks_fail);
  ASSERT_EQ(a.ignore.size(), 3u);
  EXPECT_EQ(a.ignore[0].kind, IgnoreRule::Kind::kTopFunction);
  EXPECT_EQ(a.ignore[0].function, "main.backgroundFlusher");
  EXPECT_EQ(a.ignore[1].kind, IgnoreRule::Kind::kAnyFunction);
  EXPECT_EQ(a.ignore[1].function, "go.opencensus.io/*");
  EXPECT_EQ(a.ignore[2].kind, IgnoreRule::Kind::kCreatedBy);
  EXPECT_EQ(a.ignore[2].mark.line, 14);
  EXPECT_EQ(a.Find("goroutines")->absolute, 5.0) << "no resource named: goroutines by default";
}

TEST(ScenarioAssert, IgnoreRuleErrors) {
  const auto two = ErrorOf(kStarted + "assert:\n  ignore:\n    - {top: a, any: b}\n");
  EXPECT_EQ(two.mark().line, 9) << two.what();
  EXPECT_NE(two.message().find("exactly one of"), std::string::npos) << two.what();
  const auto typo = ErrorOf(kStarted + "assert:\n  ignore:\n    - {tpo: a}\n");
  EXPECT_NE(typo.message().find("did you mean 'top'"), std::string::npos) << typo.what();
  const auto zero = ErrorOf(kStarted + "assert:\n  cycles: 0\n");
  EXPECT_EQ(zero.mark().line, 8);
  EXPECT_NE(zero.message().find("must be >= 1"), std::string::npos) << zero.what();
}

TEST(ScenarioAssert, LabelsGroupAndIgnore) {
  const auto s = Parse(kStarted + R"(assert:
  group_by: [label:route, "label:tenant"]
  ignore:
    - {label: "route=/internal/*"}
    - {label: tenant}
  fds: {tolerance: 3}
  fds_closed_by_gc: {tolerance: 8}
)");
  const auto& a = s.assertions;
  EXPECT_EQ(a.group_by_labels, (std::vector<std::string>{"route", "tenant"}));
  ASSERT_EQ(a.ignore.size(), 2u);
  EXPECT_EQ(a.ignore[0].kind, IgnoreRule::Kind::kLabel);
  EXPECT_EQ(a.ignore[0].function, "route=/internal/*");
  EXPECT_EQ(a.ignore[1].function, "tenant");
  ASSERT_TRUE(a.fds_closed_by_gc.has_value());
  EXPECT_EQ(a.fds_closed_by_gc->absolute, 8.0);
}

TEST(ScenarioAssert, LabelErrorsNameTheValue) {
  const auto group = ErrorOf(kStarted + "assert:\n  group_by: [route]\n");
  EXPECT_EQ(group.mark().line, 8) << group.what();
  EXPECT_NE(group.message().find("expected label:KEY"), std::string::npos) << group.what();
  const auto empty_key = ErrorOf(kStarted + "assert:\n  group_by: [\"label:\"]\n");
  EXPECT_NE(empty_key.message().find("expected label:KEY"), std::string::npos) << empty_key.what();
  const auto ignore = ErrorOf(kStarted + "assert:\n  ignore:\n    - {label: \"=x\"}\n");
  EXPECT_EQ(ignore.mark().line, 9) << ignore.what();
  EXPECT_NE(ignore.message().find("key=value"), std::string::npos) << ignore.what();
  const auto running = ErrorOf(kRunning + "assert:\n  fds_closed_by_gc: {tolerance: 1}\n");
  EXPECT_NE(running.message().find("needs target.command"), std::string::npos) << running.what();
}

TEST(ScenarioProbe, GcTraceAndCaptures) {
  const auto s = Parse(kStarted + "probe:\n  gctrace: true\n  capture: {trace: 2s, cpu: 1500ms, mutex: true}\n");
  EXPECT_TRUE(s.probe.gctrace);
  EXPECT_EQ(s.probe.capture.trace, std::chrono::seconds(2));
  EXPECT_EQ(s.probe.capture.cpu, std::chrono::milliseconds(1500));
  EXPECT_TRUE(s.probe.capture.mutex);
  EXPECT_FALSE(s.probe.capture.block);
  const auto url_target = ErrorOf(kRunning + "probe:\n  gctrace: true\n");
  EXPECT_EQ(url_target.mark().line, 8) << url_target.what();
  EXPECT_NE(url_target.message().find("needs target.command"), std::string::npos) << url_target.what();
  const auto no_pprof = ErrorOf(kStarted + "probe:\n  pprof: \"\"\n  metrics: /metrics\n  capture: {cpu: 1s}\n");
  EXPECT_NE(no_pprof.message().find("needs probe.pprof"), std::string::npos) << no_pprof.what();
  const auto typo = ErrorOf(kStarted + "probe:\n  capture: {trace: 1s, cpus: 1s}\n");
  EXPECT_NE(typo.message().find("did you mean 'cpu'"), std::string::npos) << typo.what();
}

TEST(ScenarioProbe, SourcesAndLeakProfileModes) {
  const auto s = Parse(kStarted + R"(probe:
  metrics: /metrics
  expvar: http://127.0.0.1:9100/debug/vars
  heap_profile: false
  goroutine_leak_profile: on
)");
  EXPECT_EQ(s.probe.metrics, "/metrics");
  EXPECT_EQ(s.probe.expvar, "http://127.0.0.1:9100/debug/vars");
  EXPECT_FALSE(s.probe.heap_profile);
  EXPECT_EQ(s.probe.goroutine_leak_profile, Probe::LeakProfile::kOn);
  EXPECT_EQ(Parse(kStarted).probe.goroutine_leak_profile, Probe::LeakProfile::kAuto);
  EXPECT_EQ(Parse(kStarted + "probe: {goroutine_leak_profile: off}\n").probe.goroutine_leak_profile,
            Probe::LeakProfile::kOff);
  const auto bad = ErrorOf(kStarted + "probe: {goroutine_leak_profile: maybe}\n");
  EXPECT_NE(bad.message().find("auto, on or off"), std::string::npos) << bad.what();
}

TEST(ScenarioProbe, AtLeastOneSource) {
  const auto e = ErrorOf(kStarted + "probe: {pprof: \"\"}\n");
  EXPECT_EQ(e.mark().line, 7);
  EXPECT_NE(e.message().find("at least one source"), std::string::npos) << e.what();
  const auto metrics_only = Parse(kStarted + "probe: {pprof: \"\", metrics: /metrics}\n");
  EXPECT_TRUE(metrics_only.probe.pprof.empty());
}

TEST(ScenarioProbe, HeapAssertionNeedsAHeapSource) {
  const auto e = ErrorOf(kStarted + "probe: {heap_profile: false}\nassert:\n  heap_objects: {tolerance: 10}\n");
  EXPECT_EQ(e.mark().line, 9);
  EXPECT_NE(e.message().find("heap source"), std::string::npos) << e.what();
}

}  // namespace scenario_assert_test
}  // namespace leakgate::scenario

namespace leakgate::scenario {
namespace scenario_assert_test {

// yaml-cpp 0.7's LoadAll loops forever on a document that starts with ','; the loader
// must answer with an error at the comma instead (regression of a fuzzer finding).
TEST(ScenarioYaml, StrayCommaIsAnErrorNotAHang) {
  for (const std::string& text : {std::string(","), std::string("#\n,"), std::string("# comment\n  , x")}) {
    const auto e = ErrorOf(text);
    EXPECT_NE(e.message().find("expected a mapping at the top level"), std::string::npos) << e.what();
    EXPECT_GT(e.mark().line, 0) << e.what();
  }
  const auto second = ErrorOf(kStarted + "---\n,\n");
  EXPECT_NE(second.message().find("only one YAML document"), std::string::npos) << second.what();
  EXPECT_EQ(ErrorOf("# only a comment\n").message(), "the scenario file is empty");
}

}  // namespace scenario_assert_test
}  // namespace leakgate::scenario
