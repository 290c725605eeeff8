// debug=1 goroutine profiles (grouped stacks, the goroutineleak profile), the total fast
// path and function-name normalization.
#include "probes/goroutine_dump.h"

#include <gtest/gtest.h>

#include <string_view>

#include "tests/probes/fixture_text.h"

namespace leakgate::probes {
namespace goroutine_dump_debug1_test {

using test_support::WithCrlf;

// ---- debug=1 -------------------------------------------------------------------------

// Shape of a real go1.26 debug=1 profile: tabwriter pads columns with several tabs.
constexpr std::string_view kDebug1 =
    "goroutine profile: total 1207\n"
    "1200 @ 0x47dc2e 0x41491c 0x414517 0x4dc85e 0x4842a1\n"
    "#\t0x4dc85d\tmain.blockedSend.func1+0x1d\t/src/leaky/class01.go:42\n"
    "\n"
    "5 @ 0x47dc2e 0x4158ee\n"
    "# labels: {\"handler\":\"/leak\", \"k2\":\"v]: x\"}\n"
    "#\t0x4c8f70\truntime/pprof.writeRuntimeProfile+0xb0\t/usr/local/go/src/runtime/pprof/pprof.go:851\n"
    "#\t0x4dccb0\tmain.main+0x3b0\t\t\t\t/tmp/gdump/main.go:57\n"
    "#\t0x4dccb1\n"
    "#\t0x44ca74\truntime.main+0x2d4\t\t\t/usr/local/go/src/runtime/proc.go:290\n"
    "\n"
    "2 @ 0x47dc2e\n"
    "#\t0x4dce07\tmain.(*T).run+0x27\t/tmp/gdump/main.go:14\n";

TEST(GoroutineDumpDebug1Test, ParsesGroupsFramesAndLabels) {
  ParseStats stats;
  const GroupedGoroutines g = ParseGoroutinesDebug1(kDebug1, &stats);
  EXPECT_EQ(g.total, 1207);
  EXPECT_EQ(stats.skipped_blocks, 0u);
  ASSERT_EQ(g.groups.size(), 3u);

  EXPECT_EQ(g.groups[0].count, 1200);
  ASSERT_EQ(g.groups[0].frames.size(), 1u);
  EXPECT_EQ(g.groups[0].frames[0], (Frame{"main.blockedSend.func1", "/src/leaky/class01.go", 42}));
  EXPECT_TRUE(g.groups[0].labels.empty());

  EXPECT_EQ(g.groups[1].count, 5);
  EXPECT_EQ(g.groups[1].labels, (PprofLabels{{"handler", "/leak"}, {"k2", "v]: x"}}));
  ASSERT_EQ(g.groups[1].frames.size(), 3u) << "the symbol-less \"#\\t0x4dccb1\" frame is left out";
  EXPECT_EQ(g.groups[1].frames[0],
            (Frame{"runtime/pprof.writeRuntimeProfile", "/usr/local/go/src/runtime/pprof/pprof.go", 851}));
  EXPECT_EQ(g.groups[1].frames[1], (Frame{"main.main", "/tmp/gdump/main.go", 57}));
  EXPECT_EQ(g.groups[1].frames[2], (Frame{"runtime.main", "/usr/local/go/src/runtime/proc.go", 290}));

  EXPECT_EQ(g.groups[2].count, 2);
  EXPECT_EQ(g.groups[2].frames[0].function, "main.(*T).run");
}

TEST(GoroutineDumpDebug1Test, CrlfSpacesMissingTotalAndMalformedGroups) {
  ParseStats stats;
  GroupedGoroutines g = ParseGoroutinesDebug1(WithCrlf(kDebug1), &stats);
  EXPECT_EQ(g.total, 1207);
  ASSERT_EQ(g.groups.size(), 3u);
  EXPECT_EQ(g.groups[1].frames[1], (Frame{"main.main", "/tmp/gdump/main.go", 57}));
  EXPECT_EQ(g.groups[1].labels, (PprofLabels{{"handler", "/leak"}, {"k2", "v]: x"}}));

  g = ParseGoroutinesDebug1(
      "3 @ 0x1 0x2\n"
      "#    0x4dc85d    main.f+0x1d    /src/with space/f.go:7\n"  // tabs turned into spaces
      "\n"
      "12x @ 0x1\n"
      "#\t0x1\tmain.lost+0x1\t/src/lost.go:1\n"
      "\n"
      "99999999999999999999 @ 0x1\n"
      "\n"
      "4 @ 0x3\n"
      "#\t0x3\tmain.g+0x2\t/src/g.go:notanumber\n"
      "#\t0x3\tmain.h+0x2\t/src/g.go:9\n",
      &stats);
  EXPECT_EQ(g.total, -1);
  EXPECT_EQ(stats.skipped_blocks, 2u);
  ASSERT_EQ(g.groups.size(), 2u);
  EXPECT_EQ(g.groups[0].count, 3);
  ASSERT_EQ(g.groups[0].frames.size(), 1u);
  EXPECT_EQ(g.groups[0].frames[0], (Frame{"main.f", "/src/with space/f.go", 7}));
  EXPECT_EQ(g.groups[1].count, 4);
  ASSERT_EQ(g.groups[1].frames.size(), 1u);
  EXPECT_EQ(g.groups[1].frames[0].function, "main.h");

  EXPECT_EQ(ParseGoroutinesDebug1("").total, -1);
  EXPECT_TRUE(ParseGoroutinesDebug1("").groups.empty());
}

TEST(GoroutineDumpDebug1Test, GoroutineLeakProfile) {
  const GroupedGoroutines g = ParseGoroutinesDebug1(
      "goroutineleak profile: total 2\n"
      "2 @ 0x47e10e 0x41491c 0x414517 0x4d9e3e 0x4845e1\n"
      "#\t0x4d9e3d\tmain.leak.func1+0x1d\t/tmp/gdump2/main.go:12\n"
      "\n");
  EXPECT_EQ(g.total, 2);
  ASSERT_EQ(g.groups.size(), 1u);
  EXPECT_EQ(g.groups[0].frames[0], (Frame{"main.leak.func1", "/tmp/gdump2/main.go", 12}));
}

TEST(GoroutineDumpDebug1Test, TotalFastPathReadsOnlyTheFirstLine) {
  EXPECT_EQ(GoroutineTotalFromDebug1(kDebug1), 1207);
  EXPECT_EQ(GoroutineTotalFromDebug1("goroutine profile: total 4\r\n1 @ 0x1\n"), 4);
  EXPECT_EQ(GoroutineTotalFromDebug1("\n\ngoroutine profile: total 0\n"), 0);
  EXPECT_EQ(GoroutineTotalFromDebug1("goroutine profile: total 17"), 17);
  EXPECT_EQ(GoroutineTotalFromDebug1("goroutineleak profile: total 2\n"), 2);
  EXPECT_EQ(GoroutineTotalFromDebug1(""), -1);
  EXPECT_EQ(GoroutineTotalFromDebug1("goroutine profile: total \n"), -1);
  EXPECT_EQ(GoroutineTotalFromDebug1("goroutine profile: total 12abc\n"), -1);
  EXPECT_EQ(GoroutineTotalFromDebug1("goroutine profile: total -3\n"), -1);
  EXPECT_EQ(GoroutineTotalFromDebug1("goroutine profile: total 99999999999999999999\n"), -1);
  EXPECT_EQ(GoroutineTotalFromDebug1("threadcreate profile: total 9\n"), -1);
  EXPECT_EQ(GoroutineTotalFromDebug1("<html>404</html>\ngoroutine profile: total 4\n"), -1);
  EXPECT_EQ(GoroutineTotalFromDebug1("goroutine 1 [running]:\n"), -1);
}

TEST(GoroutineDumpStripTest, StripArgumentsView) {
  EXPECT_EQ(StripArgumentsView("main.(*T).m(0xc000, {0x1, 0x2})"), "main.(*T).m");
  EXPECT_EQ(StripArgumentsView("main.f(...)"), "main.f");
  EXPECT_EQ(StripArgumentsView("main.f(0x1, g(h(2)), {0x3})"), "main.f");
  EXPECT_EQ(StripArgumentsView("main.(*T).m"), "main.(*T).m");
  EXPECT_EQ(StripArgumentsView("main.(*T)"), "main.(*T)");
  EXPECT_EQ(StripArgumentsView("main.(*List[...]).Push(...)"), "main.(*List[...]).Push");
  EXPECT_EQ(StripArgumentsView("main.f(0xc000, {0x1"), "main.f");  // cut line
  EXPECT_EQ(StripArgumentsView("main.(*T).m(0xc000, (0x1"), "main.(*T).m");
  EXPECT_EQ(StripArgumentsView("main.f())"), "main.f");  // unbalanced
  EXPECT_EQ(StripArgumentsView("  main.f()\r"), "main.f");
  EXPECT_EQ(StripArgumentsView("runtime.goexit({})"), "runtime.goexit");
  EXPECT_EQ(StripArgumentsView("()"), "()");
  EXPECT_EQ(StripArgumentsView(""), "");
}

}  // namespace goroutine_dump_debug1_test
}  // namespace leakgate::probes
