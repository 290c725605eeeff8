#include "probes/gctrace.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "tests/probes/fixture_text.h"

namespace leakgate::probes {
namespace gctrace_test {

// Lines copied from the real traces in tests/fixtures/gctrace (Go 1.26.8 and 1.27.3).
constexpr std::string_view kPlain =
    "gc 4 @0.964s 0%: 2.1+1.7+0.004 ms clock, 4.3+0.21/2.3/0.10+0.009 ms cpu, 9->9->7 MB, 9 MB goal, 0 MB stacks, "
    "0 MB globals, 2 P";
constexpr std::string_view kLeakCheck =
    "gc 6 @2.049s 0% (checking for goroutine leaks): 0.68+1.4+0.006 ms clock, 1.3+0/1.0/1.0+0.012 ms cpu, "
    "11->11->8 MB, 17 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)";

TEST(GcTraceLineTest, EveryField) {
  const std::optional<GcCycle> g = ParseGcTraceLine(kPlain);
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->number, 4u);
  EXPECT_DOUBLE_EQ(g->seconds, 0.964);
  EXPECT_EQ(g->cpu_percent, 0);
  EXPECT_FALSE(g->leak_check);
  EXPECT_DOUBLE_EQ(g->clock_sweep_termination_ms, 2.1);
  EXPECT_DOUBLE_EQ(g->clock_mark_ms, 1.7);
  EXPECT_DOUBLE_EQ(g->clock_mark_termination_ms, 0.004);
  EXPECT_DOUBLE_EQ(g->cpu_sweep_termination_ms, 4.3);
  EXPECT_DOUBLE_EQ(g->cpu_mark_assist_ms, 0.21);
  EXPECT_DOUBLE_EQ(g->cpu_mark_background_ms, 2.3);
  EXPECT_DOUBLE_EQ(g->cpu_mark_idle_ms, 0.10);
  EXPECT_DOUBLE_EQ(g->cpu_mark_termination_ms, 0.009);
  EXPECT_EQ(g->heap_start_mb, 9);
  EXPECT_EQ(g->heap_end_mb, 9);
  EXPECT_EQ(g->heap_live_mb, 7);
  EXPECT_EQ(g->goal_mb, 9);
  EXPECT_EQ(g->stacks_mb, 0);
  EXPECT_EQ(g->globals_mb, 0);
  EXPECT_EQ(g->procs, 2);
  EXPECT_FALSE(g->forced);
  EXPECT_FALSE(g->periodic);
  EXPECT_DOUBLE_EQ(g->pause_ms(), 2.104);
}

TEST(GcTraceLineTest, LeakCheckForcedAndOtherForms) {
  std::optional<GcCycle> g = ParseGcTraceLine(kLeakCheck);
  ASSERT_TRUE(g.has_value());
  EXPECT_TRUE(g->leak_check);
  EXPECT_TRUE(g->forced);
  EXPECT_EQ(g->number, 6u);
  EXPECT_DOUBLE_EQ(g->cpu_mark_assist_ms, 0);
  EXPECT_EQ(g->goal_mb, 17);

  // Whole milliseconds once a phase takes 10 ms or more (fmtNSAsMS), a 2-digit CPU share,
  // big numbers.
  g = ParseGcTraceLine("gc 1234 @123456.789s 12%: 15+250+1 ms clock, 60+12/400/3+4 ms cpu, 4096->5000->2048 MB, "
                       "4100 MB goal, 12 MB stacks, 3 MB globals, 64 P\r");
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->number, 1234u);
  EXPECT_DOUBLE_EQ(g->seconds, 123456.789);
  EXPECT_EQ(g->cpu_percent, 12);
  EXPECT_DOUBLE_EQ(g->clock_mark_ms, 250);
  EXPECT_EQ(g->heap_end_mb, 5000);
  EXPECT_EQ(g->stacks_mb, 12);
  EXPECT_EQ(g->globals_mb, 3);
  EXPECT_EQ(g->procs, 64);

  // Before Go 1.18 there were no stacks and globals (runtime/mgc.go of Go 1.17).
  g = ParseGcTraceLine("gc 1 @0.005s 2%: 0.004+0.42+0.002 ms clock, 0.016+0.18/0.33/0.070+0.010 ms cpu, 4->4->0 MB, "
                       "5 MB goal, 4 P");
  ASSERT_TRUE(g.has_value());
  EXPECT_FALSE(g->stacks_mb.has_value());
  EXPECT_FALSE(g->globals_mb.has_value());
  EXPECT_EQ(g->procs, 4);

  // A note a later Go may add is skipped, not fatal.
  g = ParseGcTraceLine(std::string(kPlain) + " (forced) (something new)");
  ASSERT_TRUE(g.has_value());
  EXPECT_TRUE(g->forced);
}

TEST(GcTraceLineTest, NotAGcTraceLine) {
  for (std::string_view bad :
       {"", "gc", "gc 4", "GC forced", "leaky: listening on 127.0.0.1:1", "gc x @0.1s 0%: ...",
        "gc 4 @0.964s 0%: 2.1+1.7+0.004 ms clock, 4.3+0.21/2.3/0.10+0.009 ms cpu, 9->9->7 MB, 9 MB goal, 0 MB stacks, "
        "0 MB globals, 2",  // cut before "P"
        "gc 4 @0.964s 0%: 2.1+1.7 ms clock, 4.3+0.21/2.3/0.10+0.009 ms cpu, 9->9->7 MB, 9 MB goal, 2 P",
        "gc 4 @-1s 0%: 2.1+1.7+0.004 ms clock, 4.3+0.21/2.3/0.10+0.009 ms cpu, 9->9->7 MB, 9 MB goal, 2 P",
        "gc 4 @0.964s 0%: 2.1+1.7+0.004 ms clock, 4.3+0.21/2.3/0.10+0.009 ms cpu, 9->9->7 MB, 9 MB goal, 2 P junk",
        "gc 4 @0.964s 0%: 2.1+1.7+0.004 ms clock, 4.3+0.21/2.3/0.10+0.009 ms cpu, 9->9->7 MB, 9 MB goal, 2 P (open",
        "gc 99999999999999999999 @0.1s 0%: 0+0+0 ms clock, 0+0/0/0+0 ms cpu, 0->0->0 MB, 4 MB goal, 1 P"}) {
    EXPECT_FALSE(ParseGcTraceLine(bad).has_value()) << bad;
  }
}

TEST(GcTraceTest, MixedLogPeriodicGcCrlfAndACutLastLine) {
  const std::string log = test_support::WithCrlf(
      "leaky: listening on 127.0.0.1:38389 mode=leaky\n"
      "gc 1 @0.826s 0%: 0.047+5.0+0.011 ms clock, 0.095+0.12/0.16/1.1+0.023 ms cpu, 3->3->1 MB, 4 MB goal, 0 MB stacks, "
      "0 MB globals, 2 P\n"
      "GC forced\n"  // runtime.forcegchelper, before the periodic cycle
      "gc 2 @121.9s 0%: 0.05+2.2+0.003 ms clock, 0.11+0.081/0.82/0.58+0.007 ms cpu, 3->4->3 MB, 4 MB goal, 0 MB stacks, "
      "0 MB globals, 2 P\n"
      "gc 3 @0.9s oops\n" +
      std::string(kLeakCheck) +
      "\n"
      "gc 8 @2.1s 0%: 0.3+2.0+0.005 ms clock, 0.65+0/1.7/1.4+0.011 ms cpu, 8->9->8 MB, 17 MB goal, 0 MB stacks, 0 MB "
      "globals, 2 P");  // no "\n": it may still be being written
  const GcTrace trace = ParseGcTrace(log);
  ASSERT_EQ(trace.cycles.size(), 3u);
  EXPECT_EQ(trace.cycles[0].number, 1u);
  EXPECT_FALSE(trace.cycles[0].periodic);
  EXPECT_EQ(trace.cycles[1].number, 2u);
  EXPECT_TRUE(trace.cycles[1].periodic);
  EXPECT_FALSE(trace.cycles[1].forced);
  EXPECT_EQ(trace.cycles[2].number, 6u);
  EXPECT_FALSE(trace.cycles[2].periodic);
  EXPECT_EQ(trace.malformed_lines, 1u);
  EXPECT_EQ(trace.other_lines, 2u);
  EXPECT_TRUE(trace.truncated);
}

TEST(GcTraceStreamTest, AnySplitGivesTheWholeTextsResult) {
  LEAKGATE_LOAD_FIXTURE(text, "gctrace/go1.27/leaky.stderr.txt");
  const GcTrace whole = ParseGcTrace(text);
  ASSERT_GT(whole.cycles.size(), 3u);
  for (size_t split = 0; split <= text.size(); split += 7) {
    GcTraceStream stream;
    stream.Feed(std::string_view(text).substr(0, split));
    stream.Feed(std::string_view(text).substr(split));
    ASSERT_EQ(stream.trace().cycles.size(), whole.cycles.size()) << split;
    EXPECT_EQ(stream.trace().other_lines, whole.other_lines) << split;
    EXPECT_EQ(stream.trace().cycles.back().number, whole.cycles.back().number);
  }
  GcTraceStream bytes;  // one byte at a time
  for (char c : text) bytes.Feed(std::string_view(&c, 1));
  EXPECT_EQ(bytes.trace().cycles.size(), whole.cycles.size());
  EXPECT_FALSE(bytes.trace().truncated);
  EXPECT_EQ(bytes.TakeCycles().size(), whole.cycles.size());
  EXPECT_TRUE(bytes.trace().cycles.empty());
}

TEST(GcTraceStreamTest, OverlongLinesAreDroppedNotKept) {
  GcTraceStream stream;
  const std::string junk(GcTraceStream::kMaxLineBytes / 3, 'x');
  for (int i = 0; i < 5; ++i) stream.Feed(junk);  // one line, too long
  EXPECT_TRUE(stream.trace().truncated);
  stream.Feed(std::string("tail of it\n") + std::string(kPlain) + "\n");
  ASSERT_EQ(stream.trace().cycles.size(), 1u);
  EXPECT_EQ(stream.trace().cycles[0].number, 4u);
  EXPECT_EQ(stream.trace().other_lines, 1u);
  EXPECT_FALSE(stream.trace().truncated);
}

// ---- real stderr of the leaky target under GODEBUG=gctrace=1 (tests/fixtures/gctrace) ----

class GcTraceFixtureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GcTraceFixtureTest, TheTargetsStderr) {
  LEAKGATE_LOAD_FIXTURE(text, "gctrace/" + GetParam() + "/leaky.stderr.txt");
  const GcTrace trace = ParseGcTrace(text);
  EXPECT_EQ(trace.malformed_lines, 0u);
  EXPECT_FALSE(trace.truncated);
  EXPECT_EQ(trace.other_lines, 2u) << "the target's own \"listening on\" and \"shutting down\" lines";
  ASSERT_GE(trace.cycles.size(), 4u);
  int64_t max_live = 0;
  for (size_t i = 0; i < trace.cycles.size(); ++i) {
    const GcCycle& g = trace.cycles[i];
    EXPECT_EQ(g.number, i + 1) << "numbered from 1, none missing";
    if (i > 0) {
      EXPECT_GE(g.seconds, trace.cycles[i - 1].seconds);
    }
    EXPECT_LE(g.heap_live_mb, g.heap_end_mb);
    EXPECT_GT(g.goal_mb, 0);
    EXPECT_GE(g.procs, 1);
    EXPECT_TRUE(g.stacks_mb.has_value() && g.globals_mb.has_value());
    EXPECT_GE(g.pause_ms(), 0);
    max_live = std::max(max_live, g.heap_live_mb);
  }
  EXPECT_GE(max_live, 7) << "2000 cache entries of 4 KiB (class 10) are live";
  // The capture forced one GC (heap?gc=1), then fetched goroutineleak twice: two
  // leak-checking cycles, forced too.
  size_t forced = 0;
  size_t leak_checks = 0;
  for (const GcCycle& g : trace.cycles) {
    forced += g.forced ? 1 : 0;
    if (g.leak_check) {
      ++leak_checks;
      EXPECT_TRUE(g.forced);
    }
  }
  EXPECT_EQ(leak_checks, 2u);
  EXPECT_EQ(forced, 3u);
  EXPECT_FALSE(trace.cycles.back().periodic);
}

INSTANTIATE_TEST_SUITE_P(GoVersions, GcTraceFixtureTest, ::testing::Values("go1.26", "go1.27"),
                         test_support::VersionTestName);

}  // namespace gctrace_test
}  // namespace leakgate::probes
