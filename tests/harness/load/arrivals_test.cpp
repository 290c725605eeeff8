// ArrivalSchedule::FirstAtOrAfter: the skip-ahead of a scheduler that fell behind.
#include "harness/load/arrivals.h"

#include <gtest/gtest.h>

namespace leakgate::load {
namespace {

using namespace std::chrono_literals;

TEST(ArrivalSchedule, FirstAtOrAfterInvertsDue) {
  const auto constant = ArrivalSchedule::Constant(1000, 10s);
  const auto ramp = ArrivalSchedule::Ramp(100, 5000, 10s);
  const auto recorded = ArrivalSchedule::Recorded({0ms, 10ms, 10ms, 30ms, 2s}, 1, 1s);
  for (const auto* s : {&constant, &ramp, &recorded}) {
    for (const ArrivalSchedule::Duration t : {0ms, 1ms, 10ms, 25ms, 999ms, 5000ms, 20000ms}) {
      const int64_t j = s->FirstAtOrAfter(t);
      if (j < s->Count()) {
        EXPECT_GE(*s->Due(j), t);
      }
      if (j > 0) {
        EXPECT_LT(*s->Due(j - 1), t);
      }
    }
  }
  EXPECT_EQ(constant.FirstAtOrAfter(0ms), 0);
  EXPECT_EQ(constant.FirstAtOrAfter(1500ms), 1500);
  EXPECT_EQ(recorded.FirstAtOrAfter(10ms), 1);
  EXPECT_EQ(recorded.FirstAtOrAfter(11ms), 3);
  EXPECT_EQ(recorded.FirstAtOrAfter(500ms), 4) << "the 2 s record is past the phase: none left";
}

TEST(ArrivalSchedule, AbsurdRatesStayExactAndCheap) {
  const auto s = ArrivalSchedule::Constant(1e12, 10s);
  EXPECT_EQ(s.Count(), 10'000'000'000'000);
  EXPECT_EQ(s.FirstAtOrAfter(1s), 1'000'000'000'000);
}

}  // namespace
}  // namespace leakgate::load
