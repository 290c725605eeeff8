// FaultPlan: one fault decision for every protocol; each fault kind acts only on the
// entries of a protocol it applies to.
#include "harness/faults/fault_plan.h"

#include <gtest/gtest.h>

namespace leakgate::faults {
namespace fault_plan_test {

using scenario::Fault;
using namespace std::chrono_literals;

std::vector<scenario::Traffic> Mixed() {
  scenario::Traffic http, grpc;
  http.name = "web";
  grpc.name = "rpc";
  grpc.grpc = scenario::GrpcCall{};
  return {http, grpc};
}

Fault Make(Fault::Kind kind) {
  Fault f;
  f.kind = kind;
  return f;
}

TEST(FaultPlan, EachKindActsOnTheProtocolsItFits) {
  scenario::Phase phase;
  phase.faults = {Make(Fault::kReset), Make(Fault::kDeadline)};
  phase.grpc.faults.push_back({scenario::GrpcFault::kCancelAfterMessages, 3, {}, 1.0, {}});
  phase.cancel.push_back({std::chrono::milliseconds(7), 1.0, {}, {}});
  const FaultPlan plan(phase, Mixed());
  std::mt19937_64 rng(1);
  const auto web = plan.Decide(0, rng);
  EXPECT_TRUE(web.has(Fault::kReset));
  EXPECT_TRUE(web.has(Fault::kDeadline));
  EXPECT_TRUE(web.has(Fault::kCancel));
  EXPECT_FALSE(web.has(Fault::kGrpcCancel));
  EXPECT_FALSE(web.cancel_after_messages);
  const auto rpc = plan.Decide(1, rng);
  EXPECT_FALSE(rpc.has(Fault::kReset)) << "reset is an HTTP fault";
  EXPECT_FALSE(rpc.reset_after);
  EXPECT_TRUE(rpc.has(Fault::kGrpcCancel));
  EXPECT_EQ(rpc.cancel_after_messages, 3);
  EXPECT_EQ(rpc.cancel_after, std::chrono::milliseconds(7));
}

TEST(FaultPlan, APhaseWhoseFaultsFitNoEntryIsEmpty) {
  scenario::Phase phase;
  phase.faults = {Make(Fault::kSlowSend)};
  std::vector<scenario::Traffic> grpc_only(1);
  grpc_only[0].grpc = scenario::GrpcCall{};
  EXPECT_TRUE(FaultPlan(phase, grpc_only).empty());
}

TEST(FaultPlan, ProbabilityIsHonoured) {
  scenario::Phase phase;
  auto f = Make(Fault::kHalfClose);
  f.scope.probability = 0.25;
  phase.faults = {f};
  std::vector<scenario::Traffic> one(1);
  const FaultPlan plan(phase, one);
  std::mt19937_64 rng(42);
  int hits = 0;
  for (int i = 0; i < 10000; ++i) hits += plan.Decide(0, rng).half_close ? 1 : 0;
  EXPECT_NEAR(hits, 2500, 200);
}

TEST(FaultPlan, ProbabilityAndTrafficScope) {
  scenario::Phase p;
  Fault f;
  f.kind = Fault::kReset;
  f.scope = {0.25, {"b"}};
  f.after = {1ms, 9ms};
  p.faults.push_back(f);
  scenario::Traffic a, b;
  a.name = "a";
  b.name = "b";
  const FaultPlan plan(p, {a, b});
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

}  // namespace fault_plan_test
}  // namespace leakgate::faults
