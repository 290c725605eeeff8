// The verdict as a pure function: samples, parsed dumps and `assert:` in, assertions,
// attribution and the outcome out — no target, no network. Goroutine dumps are the real
// Go 1.26 fixtures of the leaky example target (tests/fixtures/goroutines/go1.26).
#include "probes/verdict.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <variant>
#include <sstream>
#include <algorithm>
#include <map>

#include "probes/ignore_rules.h"

namespace leakgate::probes {
namespace verdict_test {

std::string Fixture(const std::string& relative) {
  const std::string path = std::string(LEAKGATE_FIXTURES_DIR) + "/" + relative;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "fixture missing: " << path;
    return {};
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

scenario::Tolerance Absolute(double n) {
  scenario::Tolerance t;
  t.absolute = n;
  return t;
}

// One verdict over hand-set readings (the numbers are the point of each test) and, where
// a test gives them, real dumps.
struct Case {
  scenario::Assert assert;
  std::map<std::string, double> baseline, final, noise;
  std::vector<reports::CycleResult> cycles;
  std::vector<reports::PhaseResult> phases;
  Evidence evidence;
  std::vector<scenario::Phase> phase_specs;

  VerdictOutput Run() {
    const auto limits = ComputeLeakLimits(assert, baseline);
    if (cycles.empty()) cycles.push_back({1, true, false, 1.0, final});
    return Judge({assert, baseline, final, limits.limits, noise, cycles, phases, evidence, phase_specs});
  }
};

TEST(Verdict, EveryResourceBackWithinToleranceIsAPass) {
  Case c;
  c.assert.resources = {{"goroutines", Absolute(5)}, {"fds", Absolute(2)}};
  c.baseline = {{"goroutines", 10}, {"fds", 8}};
  c.final = {{"goroutines", 15}, {"fds", 9}};
  const auto v = c.Run();
  EXPECT_EQ(v.verdict, reports::Verdict::kPass);
  EXPECT_EQ(v.exit_code, reports::kExitPass);
  ASSERT_EQ(v.assertions.size(), 2u);
  for (const auto& a : v.assertions) EXPECT_TRUE(a.passed) << a.name;
  EXPECT_EQ(v.message, "every asserted resource returned to baseline");
}

TEST(Verdict, GoroutinesOverTheLimitFailAndNameTheGroupsFromTheDumps) {
  Case c;
  c.assert.resources = {{"goroutines", Absolute(5)}, {"fds", Absolute(100)}};
  c.baseline = {{"goroutines", 11}, {"fds", 9}};
  c.final = {{"goroutines", 151}, {"fds", 49}};
  c.evidence.baseline_dump = ParseGoroutinesDebug2(Fixture("goroutines/go1.26/baseline.debug2.txt"));
  c.evidence.final_dump = ParseGoroutinesDebug2(Fixture("goroutines/go1.26/leaky.debug2.txt"));
  c.evidence.baseline_fds = FdSnapshot{{"socket"}, {}};
  c.evidence.final_fds = FdSnapshot{{"socket", "socket", "/tmp/x"}, {}};
  const auto v = c.Run();
  EXPECT_EQ(v.verdict, reports::Verdict::kFail);
  EXPECT_EQ(v.exit_code, reports::kExitLeak);
  ASSERT_FALSE(v.leaks.empty());
  bool blocked_send = false;
  for (const auto& l : v.leaks) {
    EXPECT_EQ(l.evidence, reports::LeakEvidence::kGrew);
    EXPECT_NE(l.function, "runtime/pprof.writeGoroutineStacks") << "the default ignore rules apply";
    if (l.function == "main.blockedSend.func1") {
      blocked_send = true;
      EXPECT_EQ(l.count, 20);
      EXPECT_EQ(l.state, "chan send");
      EXPECT_EQ(l.created_by, "main.blockedSend");
      ASSERT_FALSE(l.stack.empty());
    }
  }
  EXPECT_TRUE(blocked_send);
  EXPECT_TRUE(v.fd_leaks.empty()) << "fds passed: no fd attribution";
  EXPECT_NE(v.message.find("goroutines 11 → 151 (limit 16)"), std::string::npos) << v.message;
  EXPECT_NE(v.message.find("top: 20 × "), std::string::npos) << v.message;
}

TEST(Verdict, FailedFdsAreAttributedByTarget) {
  Case c;
  c.assert.resources = {{"fds", Absolute(1)}};
  c.baseline = {{"fds", 1}};
  c.final = {{"fds", 4}};
  c.evidence.baseline_fds = FdSnapshot{{"socket"}, {}};
  c.evidence.final_fds = FdSnapshot{{"socket", "/tmp/j.dat", "/tmp/j.dat", "/tmp/j.dat"}, {}};
  const auto v = c.Run();
  EXPECT_EQ(v.exit_code, reports::kExitLeak);
  ASSERT_EQ(v.fd_leaks.size(), 1u);
  EXPECT_EQ(v.fd_leaks[0].target, "/tmp/j.dat");
  EXPECT_EQ(v.fd_leaks[0].count, 3);
  EXPECT_NE(v.message.find("top: 3 × fd /tmp/j.dat"), std::string::npos) << v.message;
}

TEST(Verdict, AResourceNotMeasurableAtBaselineIsAWarningNotAFailure) {
  scenario::Assert a;
  a.resources = {{"goroutines", Absolute(1)}, {"rss_bytes", Absolute(1)}};
  const auto limits = ComputeLeakLimits(a, {{"goroutines", 3}});
  EXPECT_EQ(limits.limits.size(), 1u);
  EXPECT_DOUBLE_EQ(limits.limits.at("goroutines"), 4);
  ASSERT_EQ(limits.warnings.size(), 1u);
  EXPECT_NE(limits.warnings[0].find("assert.rss_bytes"), std::string::npos);
}

TEST(Verdict, GrowthThatStopsAfterTheFirstCyclePassesGrowthThatContinuesFails) {
  for (const bool keeps_growing : {false, true}) {
    Case c;
    c.assert.resources = {{"heap_inuse_bytes", Absolute(100'000)}};
    c.baseline = {{"heap_inuse_bytes", 1'000'000}};
    c.noise = {{"heap_inuse_bytes", 5'000}};
    for (int i = 1; i <= 4; ++i) {
      const double v = keeps_growing ? 1'000'000 + 400'000.0 * i : 1'400'000 + (i % 2) * 3'000;
      c.cycles.push_back({i, false, i < 4, 1.0, {{"heap_inuse_bytes", v}}});
    }
    c.final = c.cycles.back().values;
    const auto v = c.Run();
    ASSERT_EQ(v.assertions.size(), 1u);
    const auto& a = v.assertions[0];
    ASSERT_TRUE(a.slope_per_cycle.has_value());
    EXPECT_EQ(a.growth_significant, keeps_growing);
    EXPECT_EQ(a.passed, !keeps_growing);
    EXPECT_EQ(v.exit_code, keeps_growing ? reports::kExitLeak : reports::kExitPass);
  }
}

// The goroutineleak profile of a real runtime (debug=2, the leaky target after hitting
// its leak endpoints; 60 goroutines marked "(leaked)" in three groups, each labelled with
// its route) against a baseline dump of the same build.
class ProvenLeakFixtureTest : public testing::TestWithParam<const char*> {
 protected:
  GoroutineDump Dump(const std::string& name) {
    return ParseGoroutinesDebug2(Fixture(std::string("goroutines/") + GetParam() + "/" + name));
  }
};

TEST_P(ProvenLeakFixtureTest, ProvenLeaksFailEvenWithinToleranceAndNameTheirRoute) {
  for (const bool fail_on_proof : {true, false}) {
    Case c;
    c.assert.resources = {{"goroutines", Absolute(1000)}};
    c.assert.proven_leaks_fail = fail_on_proof;
    c.baseline = {{"goroutines", 10}};
    c.final = {{"goroutines", 130}};
    c.evidence.baseline_leak_profile = Dump("baseline.debug2.txt");
    c.evidence.final_leak_profile = Dump("goroutineleak.debug2.txt");
    const auto v = c.Run();
    ASSERT_EQ(v.proven_leaks.size(), 3u);
    int64_t total = 0;
    for (const auto& l : v.proven_leaks) {
      total += l.count;
      EXPECT_EQ(l.evidence, reports::LeakEvidence::kProven);
      EXPECT_EQ(l.count, 20) << l.function;
      ASSERT_FALSE(l.labels.empty()) << l.function;
      EXPECT_FALSE(l.created_by.empty()) << l.function;
      EXPECT_EQ(l.state.find("leaked"), std::string::npos) << "the mark is evidence, not state: " << l.state;
    }
    EXPECT_EQ(total, 60);
    std::set<std::string> states;
    for (const auto& l : v.proven_leaks) states.insert(l.state);
    EXPECT_EQ(states, (std::set<std::string>{"chan send", "chan receive", "sync.WaitGroup.Wait"}));
    const auto& send = *std::find_if(v.proven_leaks.begin(), v.proven_leaks.end(),
                                     [](const auto& l) { return l.state == "chan send"; });
    EXPECT_EQ(send.labels, (PprofLabels{{"method", "GET"}, {"route", "/leak/blocked-send"}}));
    EXPECT_EQ(v.exit_code, fail_on_proof ? reports::kExitLeak : reports::kExitPass);
    if (fail_on_proof) {
      EXPECT_NE(v.message.find("top: 20 × main."), std::string::npos) << v.message;
      EXPECT_NE(v.message.find("proven by the runtime"), std::string::npos) << v.message;
      // The dumps tell which groups grew too: those named by both say so.
      EXPECT_EQ(v.leaks.size(), 3u);
      for (const auto& l : v.leaks) EXPECT_EQ(l.evidence, reports::LeakEvidence::kProven) << l.function;
    }
  }
}

TEST_P(ProvenLeakFixtureTest, EachGroupSaysWhichEvidenceNamedIt) {
  Case c;
  c.assert.resources = {{"goroutines", Absolute(5)}};
  c.baseline = {{"goroutines", 10}};
  c.final = {{"goroutines", 130}};
  c.evidence.baseline_dump = Dump("baseline.debug2.txt");
  c.evidence.final_dump = Dump("goroutineleak.debug2.txt");
  c.evidence.baseline_leak_profile = Dump("baseline.debug2.txt");
  c.evidence.final_leak_profile = Dump("goroutineleak.debug2.txt");
  const auto v = c.Run();
  ASSERT_EQ(v.exit_code, reports::kExitLeak);
  std::map<std::string, reports::LeakEvidence> by_state;
  for (const auto& l : v.leaks) {
    if (l.count >= 20) by_state[l.state + " " + (l.labels.empty() ? "" : l.labels.back().second)] = l.evidence;
  }
  // Proven and grown: the runtime proved them; grown only: blocked in a select on a
  // channel still reachable (the detector cannot prove those).
  EXPECT_EQ(by_state["chan send /leak/blocked-send"], reports::LeakEvidence::kBoth);
  EXPECT_EQ(by_state["chan receive /leak/range-unclosed"], reports::LeakEvidence::kBoth);
  EXPECT_EQ(by_state["sync.WaitGroup.Wait /leak/waitgroup"], reports::LeakEvidence::kBoth);
  EXPECT_EQ(by_state["select /leak/no-ctx-done"], reports::LeakEvidence::kGrew);
  EXPECT_EQ(by_state["select /leak/unclosed-body"], reports::LeakEvidence::kGrew);
}

TEST_P(ProvenLeakFixtureTest, IgnoreRulesMatchLabels) {
  Case c;
  c.assert.resources = {{"goroutines", Absolute(5)}};
  scenario::IgnoreRule rule;
  rule.kind = scenario::IgnoreRule::Kind::kLabel;
  rule.function = "route=/leak/*-send";  // a prefix only: does not match
  c.assert.ignore.push_back(rule);
  rule.function = "route=/leak/range*";
  c.assert.ignore.push_back(rule);
  c.baseline = {{"goroutines", 10}};
  c.final = {{"goroutines", 130}};
  c.evidence.baseline_dump = Dump("baseline.debug2.txt");
  c.evidence.final_dump = Dump("goroutineleak.debug2.txt");
  const auto v = c.Run();
  bool send = false;
  for (const auto& l : v.leaks) {
    for (const auto& [k, value] : l.labels) {
      EXPECT_FALSE(k == "route" && value == "/leak/range-unclosed") << "ignored by label, still reported";
      send |= k == "route" && value == "/leak/blocked-send";
    }
  }
  EXPECT_TRUE(send);
}

std::string VersionName(const testing::TestParamInfo<const char*>& param) {
  return std::string(param.param) == "go1.26" ? "go1_26" : "go1_27";
}
INSTANTIATE_TEST_SUITE_P(GoVersions, ProvenLeakFixtureTest, testing::Values("go1.26", "go1.27"), VersionName);

TEST(Verdict, ErrorRateIsAThresholdAndALeakOutranksIt) {
  for (const bool leak : {false, true}) {
    Case c;
    c.assert.resources = {{"goroutines", Absolute(5)}};
    c.assert.max_error_rate = 0.01;
    c.baseline = {{"goroutines", 10}};
    c.final = {{"goroutines", leak ? 50.0 : 10.0}};
    reports::PhaseResult warm, load;
    warm.warmup = true;
    warm.requests = 100;
    warm.errors = 100;  // warm-up errors do not count
    load.requests = 1000;
    load.errors = 50;
    c.phases = {warm, load};
    const auto v = c.Run();
    const auto it = std::find_if(v.assertions.begin(), v.assertions.end(), [](const auto& a) { return a.name == "error_rate"; });
    ASSERT_NE(it, v.assertions.end());
    EXPECT_EQ(it->kind, reports::AssertionKind::kThreshold);
    EXPECT_FALSE(it->passed);
    EXPECT_DOUBLE_EQ(it->final, 0.05);
    EXPECT_EQ(v.verdict, reports::Verdict::kFail);
    EXPECT_EQ(v.exit_code, leak ? reports::kExitLeak : reports::kExitThreshold);
  }
}

// A phase's thresholds: a failed one exits 4, a leak outranks it (exit 1) and both are
// reported; a passing one leaves the verdict a pass.
TEST(Verdict, PhaseThresholdsExitFourAndALeakOutranksThem) {
  for (const bool leak : {false, true}) {
    for (const bool slow : {false, true}) {
      Case c;
      c.assert.resources = {{"goroutines", Absolute(5)}};
      c.baseline = {{"goroutines", 10}};
      c.final = {{"goroutines", leak ? 50.0 : 10.0}};
      scenario::Phase spec;
      spec.name = "load";
      spec.rate = 100;
      spec.thresholds = {std::get<scenario::Threshold>(scenario::ParseThreshold("p99 < 50ms")),
                         std::get<scenario::Threshold>(scenario::ParseThreshold("errors < 1%"))};
      c.phase_specs = {spec};
      reports::PhaseResult load;
      load.name = "load";
      load.cycle = 1;
      load.requests = load.ok = 1000;
      load.latency.count = 1000;
      load.latency.p99_ms = slow ? 63.2 : 12;
      c.phases = {load};
      const auto v = c.Run();
      ASSERT_EQ(v.assertions.size(), 3u);
      const auto& p99 = v.assertions[1];
      EXPECT_EQ(p99.name, "p99 < 50ms");
      EXPECT_EQ(p99.kind, reports::AssertionKind::kThreshold);
      EXPECT_EQ(p99.phase, "load");
      EXPECT_EQ(p99.unit, "ms");
      EXPECT_EQ(p99.passed, !slow);
      EXPECT_TRUE(v.assertions[2].passed) << "no errors";
      EXPECT_EQ(v.verdict, leak || slow ? reports::Verdict::kFail : reports::Verdict::kPass);
      EXPECT_EQ(v.exit_code, leak ? reports::kExitLeak : slow ? reports::kExitThreshold : reports::kExitPass);
      if (slow && !leak) {
        EXPECT_NE(v.message.find("threshold failed: p99 < 50ms [load]: p99 63.2ms"), std::string::npos) << v.message;
      }
    }
  }
}

TEST(Verdict, DefaultIgnoreRulesCanBeTurnedOffAndExtended) {
  scenario::Assert a;
  EXPECT_EQ(IgnoreRulesOf(a).size(), DefaultIgnoreRules().size());
  a.default_ignores = false;
  a.ignore.push_back({scenario::IgnoreRule::Kind::kCreatedBy, "main.spawn", {}});
  const auto rules = IgnoreRulesOf(a);
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].kind, IgnoreRule::kCreatedBy);
  EXPECT_EQ(rules[0].function, "main.spawn");
}

}  // namespace verdict_test
}  // namespace leakgate::probes
