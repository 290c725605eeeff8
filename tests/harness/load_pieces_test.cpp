// The pure pieces of the load engine that scenario traffic feeds: arrival schedules,
// request rendering, fault decisions. (Scenario loading of the same keys:
// tests/harness/scenario/traffic_loader_test.cpp.)
#include <gtest/gtest.h>

#include <random>

#include "harness/faults/fault_plan.h"
#include "harness/load/arrivals.h"
#include "harness/load/request_factory.h"
#include "harness/scenario/scenario.h"

namespace leakgate::scenario {
namespace {

using namespace std::chrono_literals;

TEST(ArrivalSchedule, ConstantRampAndRecorded) {
  const auto c = load::ArrivalSchedule::Constant(100, 1s);
  EXPECT_EQ(c.Count(), 100);
  EXPECT_EQ(*c.Due(50), 500ms);
  EXPECT_FALSE(c.Due(100));
  const auto r = load::ArrivalSchedule::Ramp(100, 300, 1s);
  EXPECT_EQ(r.Count(), 200);  // mean 200/s
  for (int64_t j = 1; j < 200; ++j) EXPECT_LE(*r.Due(j - 1), *r.Due(j));
  // Half of the arrivals come after the point where N(t) = 100: t = 0.5·(sqrt(5) - 1) s ≈ 0.618 s.
  EXPECT_NEAR(std::chrono::duration<double>(*r.Due(100)).count(), 0.618, 0.002);
  const auto down = load::ArrivalSchedule::Ramp(300, 0, 1s);
  EXPECT_EQ(down.Count(), 150);
  const auto rec = load::ArrivalSchedule::Recorded({0ms, 100ms, 2s}, 2, 1s);
  EXPECT_EQ(*rec.Due(1), 50ms);
  EXPECT_FALSE(rec.Due(2)) << "2 s at speed 2 is 1 s: past the phase";
}

TEST(RequestFactory, RendersAndDamagesRequests) {
  Traffic t;
  t.name = "t";
  t.method = "POST";
  t.path = "/p";
  t.body = "abcd";
  const load::RequestFactory f({t}, "h:1", "/base");
  std::mt19937_64 rng(1);
  std::string scratch;
  const std::string req(f.Build(0, 0, rng, scratch));
  EXPECT_EQ(req, "POST /base/p HTTP/1.1\r\nHost: h:1\r\nUser-Agent: leakgate\r\nContent-Length: 4\r\n\r\nabcd");
  EXPECT_EQ(load::RequestFactory::BodyOffset(req), req.size() - 4);
  EXPECT_TRUE(load::RequestFactory::Malform(req, "request_line").starts_with("POST /base/p\r\n"));
  EXPECT_TRUE(load::RequestFactory::Malform(req, "version").starts_with("POST /base/p HTTP/1.x\r\n"));
  EXPECT_NE(load::RequestFactory::Malform(req, "header").find("\r\nBroken Header Line\r\n"), std::string::npos);
}

TEST(FaultPlan, ProbabilityAndTrafficScope) {
  Phase p;
  Fault f;
  f.kind = Fault::kReset;
  f.scope = {0.25, {"b"}};
  f.after = {1ms, 9ms};
  p.faults.push_back(f);
  Traffic a, b;
  a.name = "a";
  b.name = "b";
  const faults::FaultPlan plan(p, {a, b});
  std::mt19937_64 rng(7);
  int hits = 0;
  for (int i = 0; i < 4000; ++i) {
    EXPECT_FALSE(plan.Decide(0, rng).any());
    const auto d = plan.Decide(1, rng);
    if (d.reset_after) {
      ++hits;
      EXPECT_GE(*d.reset_after, 1ms);
      EXPECT_LE(*d.reset_after, 9ms);
    }
  }
  EXPECT_NEAR(hits, 1000, 120);
}

}  // namespace
}  // namespace leakgate::scenario
