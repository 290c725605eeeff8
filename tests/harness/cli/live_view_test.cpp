// The live view as a pure function: a LiveStatus in, the lines a terminal shows out.
#include "harness/cli/live_view.h"

#include <gtest/gtest.h>

#include <string>

namespace leakgate::cli {
namespace live_view_test {

using runner::LiveStatus;

LiveStatus LoadPhase() {
  LiveStatus st;
  st.stage = LiveStatus::Stage::kPhase;
  st.phase = "load";
  st.phase_index = 2;
  st.phase_count = 3;
  st.cycle = 1;
  st.elapsed_s = 4;
  st.duration_s = 8;
  st.rate = 300;
  st.last_second = stats::TimelineSecond{3, 298, 296, 2, 31'250'000};
  st.phase_completed = 1190;
  st.phase_errors = 5;
  st.latest = {{"goroutines", 612}, {"heap_inuse_bytes", 5.0 * 1024 * 1024}, {"fds", 20}};
  st.baseline = {{"goroutines", 11}, {"heap_inuse_bytes", 4.0 * 1024 * 1024}, {"fds", 12}};
  st.limits = {{"goroutines", 16}};
  return st;
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

TEST(LiveView, PhaseShowsPositionProgressThroughputAndResourcesAgainstBaseline) {
  const auto lines = RenderLiveView(LoadPhase(), 200);
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[0], "phase 2/3 load  [##########..........]  50%  4.0s left");
  EXPECT_NE(lines[1].find("298 req/s"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("2 errors"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("p99 31.2ms"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("300 req/s asked"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("1190 done, 5 errors this phase"), std::string::npos) << lines[1];
  const auto all = Joined(lines);
  EXPECT_NE(all.find("goroutines 612 (baseline 11, +601, limit 16 EXCEEDED)"), std::string::npos) << all;
  EXPECT_NE(all.find("heap in-use 5.0 MiB (baseline 4.0 MiB, +1.0 MiB)"), std::string::npos) << all;
  EXPECT_NE(all.find("fds 20 (baseline 12, +8)"), std::string::npos) << all;
}

TEST(LiveView, WithinTheLimitIsNotFlagged) {
  auto st = LoadPhase();
  st.latest["goroutines"] = 14;
  const auto all = Joined(RenderLiveView(st, 200));
  EXPECT_NE(all.find("goroutines 14 (baseline 11, +3, limit 16)"), std::string::npos) << all;
  EXPECT_EQ(all.find("EXCEEDED"), std::string::npos) << all;
}

TEST(LiveView, EveryLineFitsTheWidthAndResourcesWrap) {
  const auto wide = RenderLiveView(LoadPhase(), 200);
  const auto narrow = RenderLiveView(LoadPhase(), 60);
  for (const auto& l : narrow) EXPECT_LE(l.size(), 60u) << l;
  EXPECT_GT(narrow.size(), wide.size()) << "the resource figures wrap onto more lines";
}

TEST(LiveView, WarmUpCyclesAndTheFirstSecond) {
  auto st = LoadPhase();
  st.warmup = true;
  st.cycles = 3;
  st.last_second.reset();
  const auto lines = RenderLiveView(st, 200);
  EXPECT_NE(lines[0].find("load (warm-up) (cycle 1/3)"), std::string::npos) << lines[0];
  EXPECT_EQ(lines[1], "  300 req/s asked; the first second is in progress");
}

TEST(LiveView, IdlePhaseAndPhaseOverrun) {
  auto st = LoadPhase();
  st.rate = 0;
  st.elapsed_s = 9;  // draining past the planned 8 s
  const auto lines = RenderLiveView(st, 200);
  EXPECT_NE(lines[0].find("[####################] 100%  finishing"), std::string::npos) << lines[0];
  EXPECT_EQ(lines[1], "  idle phase: no traffic");
}

TEST(LiveView, SettleBaselineAndStartingStages) {
  LiveStatus st;
  st.stage = LiveStatus::Stage::kSettle;
  st.elapsed_s = 3;
  st.duration_s = 15;
  auto lines = RenderLiveView(st, 200);
  EXPECT_NE(lines[0].find("settle: waiting for the target to return to baseline"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("up to 12.0s left"), std::string::npos) << lines[0];
  EXPECT_EQ(lines.back(), "  waiting for the first sample");

  st.stage = LiveStatus::Stage::kBaseline;
  st.duration_s = 0.8;
  st.elapsed_s = 0.2;
  EXPECT_NE(RenderLiveView(st, 200)[0].find("baseline: sampling the target at rest  [#####"), std::string::npos);

  st.stage = LiveStatus::Stage::kStarting;
  st.elapsed_s = 1.25;
  lines = RenderLiveView(st, 200);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "starting: waiting for the target to be ready (1.2s)");
}

TEST(ProgressBar, FillsByFractionAndClamps) {
  EXPECT_EQ(ProgressBar(0, 4), "[....]");
  EXPECT_EQ(ProgressBar(0.5, 4), "[##..]");
  EXPECT_EQ(ProgressBar(1, 4), "[####]");
  EXPECT_EQ(ProgressBar(7, 4), "[####]");
  EXPECT_EQ(ProgressBar(-1, 4), "[....]");
}

}  // namespace live_view_test
}  // namespace leakgate::cli
