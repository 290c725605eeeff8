// ArrivalSchedule: when each arrival is due (constant, ramp, recorded), and the
// skip-ahead of a scheduler that fell behind (FirstAtOrAfter).
#include "harness/load/arrivals.h"

#include <gtest/gtest.h>

namespace leakgate::load {
namespace arrivals_test {

using namespace std::chrono_literals;

TEST(ArrivalSchedule, ConstantRampAndRecorded) {
  const auto c = ArrivalSchedule::Constant(100, 1s);
  EXPECT_EQ(c.Count(), 100);
  EXPECT_EQ(*c.Due(50), 500ms);
  EXPECT_FALSE(c.Due(100));
  const auto r = ArrivalSchedule::Ramp(100, 300, 1s);
  EXPECT_EQ(r.Count(), 200);  // mean 200/s
  for (int64_t j = 1; j < 200; ++j) EXPECT_LE(*r.Due(j - 1), *r.Due(j));
  // Half of the arrivals come after the point where N(t) = 100: t = 0.5·(sqrt(5) - 1) s ≈ 0.618 s.
  EXPECT_NEAR(std::chrono::duration<double>(*r.Due(100)).count(), 0.618, 0.002);
  const auto down = ArrivalSchedule::Ramp(300, 0, 1s);
  EXPECT_EQ(down.Count(), 150);
  const auto rec = ArrivalSchedule::Recorded({0ms, 100ms, 2s}, 2, 1s);
  EXPECT_EQ(*rec.Due(1), 50ms);
  EXPECT_FALSE(rec.Due(2)) << "2 s at speed 2 is 1 s: past the phase";
}

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

}  // namespace arrivals_test
}  // namespace leakgate::load
