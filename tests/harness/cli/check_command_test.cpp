// The scenario `leakgate check` builds from its flags, and the flag errors it reports.
#include "harness/cli/check_command.h"

#include <gtest/gtest.h>

namespace leakgate::cli {
namespace check_command_test {

using namespace std::chrono_literals;

CheckArgs Args() {
  CheckArgs a;
  a.url = "http://127.0.0.1:8080";
  a.hits = {"GET /leak/blocked-send", "/hello", "post /orders?x=1"};
  a.rate = 100;
  a.duration = "3s";
  a.cancel_after = "10ms";
  a.cancel_share = 0.5;
  a.settle = "4s";
  a.tolerance = 2;
  return a;
}

TEST(CheckScenario, TrafficPhasesAndAssertionFromTheFlags) {
  const auto s = CheckScenario(Args());
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->target.url, "http://127.0.0.1:8080");
  EXPECT_TRUE(s->target.command.empty()) << "a running service: nothing is started";
  EXPECT_FALSE(s->target.ready) << "ready once the probe endpoint answers";
  EXPECT_EQ(s->probe.pprof, "/debug/pprof");
  ASSERT_EQ(s->traffic.size(), 3u);
  EXPECT_EQ(s->traffic[0].method, "GET");
  EXPECT_EQ(s->traffic[0].path, "/leak/blocked-send");
  EXPECT_EQ(s->traffic[1].method, "GET");
  EXPECT_EQ(s->traffic[1].path, "/hello");
  EXPECT_EQ(s->traffic[2].method, "POST");
  EXPECT_EQ(s->traffic[2].path, "/orders?x=1");
  ASSERT_EQ(s->phases.size(), 2u);
  EXPECT_TRUE(s->phases[0].warmup);
  EXPECT_EQ(s->phases[0].duration, 1s);
  EXPECT_TRUE(s->phases[0].cancel.empty()) << "the warm-up carries no fault";
  EXPECT_FALSE(s->phases[1].warmup);
  EXPECT_EQ(s->phases[1].duration, 3s);
  EXPECT_EQ(s->phases[1].rate, 100);
  ASSERT_EQ(s->phases[1].cancel.size(), 1u);
  EXPECT_EQ(s->phases[1].cancel[0].after, 10ms);
  EXPECT_EQ(s->phases[1].cancel[0].probability, 0.5);
  EXPECT_EQ(s->assertions.settle, 4s);
  ASSERT_TRUE(s->assertions.Find("goroutines"));
  EXPECT_EQ(s->assertions.Find("goroutines")->absolute, 2.0);
  EXPECT_EQ(s->assertions.resources.size(), 1u);
}

TEST(CheckScenario, NoWarmUpAndNoFaultWhenNotAsked) {
  auto a = Args();
  a.warmup = "0";
  a.cancel_after.clear();
  const auto s = CheckScenario(a);
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_EQ(s->phases.size(), 1u);
  EXPECT_TRUE(s->phases[0].cancel.empty());
}

void ExpectFlagError(const CheckArgs& a, const std::string& flag, StatusCode code = StatusCode::kInvalidArgument) {
  const auto s = CheckScenario(a);
  ASSERT_FALSE(s.ok()) << flag;
  EXPECT_EQ(s.status().code(), code) << s.status().message();
  EXPECT_EQ(s.status().message().rfind(flag + ":", 0), 0u) << "names " << flag << ": " << s.status().message();
}

TEST(CheckScenario, EveryErrorNamesItsFlag) {
  auto a = Args();
  a.hits = {"GET"};
  ExpectFlagError(a, "--hit");
  a.hits = {"GET leak"};
  ExpectFlagError(a, "--hit");
  a.hits = {};
  ExpectFlagError(a, "--hit");
  a = Args();
  a.duration = "3";
  ExpectFlagError(a, "--duration");
  a = Args();
  a.settle = "-1s";
  ExpectFlagError(a, "--settle");
  a = Args();
  a.cancel_after = "soon";
  ExpectFlagError(a, "--cancel-after");
  a = Args();
  a.cancel_share = 0;
  ExpectFlagError(a, "--cancel-share");
  a = Args();
  a.rate = 0;
  ExpectFlagError(a, "--rate");
  a = Args();
  a.url = "http://192.168.1.10:8080";
  ExpectFlagError(a, "URL", StatusCode::kPermissionDenied);
  a = Args();
  a.pprof = "http://10.0.0.2:6060/debug/pprof";
  ExpectFlagError(a, "--pprof", StatusCode::kPermissionDenied);
}

TEST(CheckScenario, ThresholdsGoOnTheLoadPhaseAndBadOnesNameTheFlagAndCharacter) {
  auto a = Args();
  a.thresholds = {"p99 < 50ms", "errors < 1%"};
  const auto s = CheckScenario(a);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_TRUE(s->phases[0].thresholds.empty()) << "not on the warm-up";
  ASSERT_EQ(s->phases[1].thresholds.size(), 2u);
  EXPECT_EQ(s->phases[1].thresholds[0].text, "p99 < 50ms");
  EXPECT_EQ(s->phases[1].thresholds[1].metric, scenario::Threshold::Metric::kErrors);
  a.thresholds = {"p99 < 50ms", "p99 < 50"};
  const auto bad = CheckScenario(a);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            "--threshold: \"50\" needs a unit: a latency is a duration such as 50ms or 1.5s (at character 7 of \"p99 < 50\")");
}

}  // namespace check_command_test
}  // namespace leakgate::cli
