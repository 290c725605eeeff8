#include "probes/goroutine_dump.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <numeric>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

namespace leakgate::probes {
namespace {

// Replaces every "\n" with "\r\n".
std::string WithCrlf(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

// Go 1.21+ pprof debug=2 text (shape copied from a real go1.26 dump).
constexpr std::string_view kGo121Dump =
    "goroutine 1 [running]:\n"
    "runtime/pprof.writeGoroutineStacks({0x519968, 0x2bc13148a000})\n"
    "\t/usr/local/go/src/runtime/pprof/pprof.go:819 +0x6b\n"
    "runtime/pprof.writeGoroutine({0x519968?, 0x2bc13148a000?}, 0x2bc131490000?)\n"
    "\t/usr/local/go/src/runtime/pprof/pprof.go:782 +0x25\n"
    "main.main()\n"
    "\t/home/u/x/main.go:12 +0x1d\n"
    "\n"
    "goroutine 18 [chan send, 5 minutes]:\n"
    "main.blockedSend.func1()\n"
    "\t/src/leaky/class01.go:42 +0x65\n"
    "created by main.blockedSend in goroutine 35\n"
    "\t/src/leaky/class01.go:40 +0x8f\n"
    "\n"
    "goroutine 7 [select, locked to thread]:\n"
    "runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)\n"
    "\t/usr/lib/go/src/runtime/proc.go:398 +0xce fp=0xc000051f80 sp=0xc000051f60 pc=0x43e8ee\n"
    "...additional frames elided...\n"
    "created by net/http.(*Server).Serve\n"
    "\t/usr/lib/go/src/net/http/server.go:3086 +0x5cb\n";

TEST(GoroutineDumpDebug2Test, ParsesHeadersFramesAndCreatedBy) {
  ParseStats stats;
  const GoroutineDump dump = ParseGoroutinesDebug2(kGo121Dump, &stats);
  ASSERT_EQ(dump.goroutines.size(), 3u);
  EXPECT_EQ(stats.skipped_blocks, 0u);
  EXPECT_FALSE(stats.truncated);

  const Goroutine& main = dump.goroutines[0];
  EXPECT_EQ(main.id, 1u);
  EXPECT_EQ(main.state, "running");
  EXPECT_EQ(main.wait_minutes, 0);
  ASSERT_EQ(main.frames.size(), 3u);
  EXPECT_EQ(main.frames[0], (Frame{"runtime/pprof.writeGoroutineStacks", "/usr/local/go/src/runtime/pprof/pprof.go", 819}));
  EXPECT_EQ(main.frames[1], (Frame{"runtime/pprof.writeGoroutine", "/usr/local/go/src/runtime/pprof/pprof.go", 782}));
  EXPECT_EQ(main.frames[2], (Frame{"main.main", "/home/u/x/main.go", 12}));
  EXPECT_FALSE(main.created_by.has_value());
  EXPECT_EQ(main.creator_goroutine, 0u);
  EXPECT_FALSE(main.truncated);

  const Goroutine& leaked = dump.goroutines[1];
  EXPECT_EQ(leaked.id, 18u);
  EXPECT_EQ(leaked.state, "chan send");
  EXPECT_EQ(leaked.wait_minutes, 5);
  EXPECT_FALSE(leaked.locked_to_thread);
  ASSERT_EQ(leaked.frames.size(), 1u);
  EXPECT_EQ(leaked.frames[0], (Frame{"main.blockedSend.func1", "/src/leaky/class01.go", 42}));
  ASSERT_TRUE(leaked.created_by.has_value());
  EXPECT_EQ(*leaked.created_by, (Frame{"main.blockedSend", "/src/leaky/class01.go", 40}));
  EXPECT_EQ(leaked.creator_goroutine, 35u);
  EXPECT_FALSE(leaked.frames_elided);

  const Goroutine& locked = dump.goroutines[2];
  EXPECT_EQ(locked.id, 7u);
  EXPECT_EQ(locked.state, "select");
  EXPECT_TRUE(locked.locked_to_thread);
  EXPECT_EQ(locked.wait_minutes, 0);
  ASSERT_EQ(locked.frames.size(), 1u);
  // " +0xce fp=... sp=... pc=..." is not part of the location.
  EXPECT_EQ(locked.frames[0], (Frame{"runtime.gopark", "/usr/lib/go/src/runtime/proc.go", 398}));
  EXPECT_TRUE(locked.frames_elided);
  ASSERT_TRUE(locked.created_by.has_value());
  EXPECT_EQ(*locked.created_by, (Frame{"net/http.(*Server).Serve", "/usr/lib/go/src/net/http/server.go", 3086}));
  EXPECT_EQ(locked.creator_goroutine, 0u);  // Go <= 1.20 style line
}

TEST(GoroutineDumpDebug2Test, Go119CreatedByHasNoCreatorGoroutine) {
  const GoroutineDump dump = ParseGoroutinesDebug2(
      "goroutine 34 [chan receive, 12 minutes]:\n"
      "main.rangeUnclosed.func1()\n"
      "\t/src/leaky/class05.go:17 +0x45\n"
      "created by main.rangeUnclosed\n"
      "\t/src/leaky/class05.go:15 +0x6a\n");
  ASSERT_EQ(dump.goroutines.size(), 1u);
  const Goroutine& g = dump.goroutines[0];
  EXPECT_EQ(g.id, 34u);
  EXPECT_EQ(g.state, "chan receive");
  EXPECT_EQ(g.wait_minutes, 12);
  ASSERT_TRUE(g.created_by.has_value());
  EXPECT_EQ(*g.created_by, (Frame{"main.rangeUnclosed", "/src/leaky/class05.go", 15}));
  EXPECT_EQ(g.creator_goroutine, 0u);
}

TEST(GoroutineDumpDebug2Test, TracebackHeaderWithGpAndMFields) {
  // GOTRACEBACK=system / fatal error format (real go1.26 panic output, trimmed).
  const GoroutineDump dump = ParseGoroutinesDebug2(
      "panic: assignment to entry in nil map\n"
      "\n"
      "goroutine 1 gp=0x299a85f421e0 m=3 mp=0x299a85f7d008 [running]:\n"
      "panic({0x4ecc60?, 0x5e9ed0?})\n"
      "\t/usr/local/go/src/runtime/panic.go:879 +0x16f fp=0x299a85faee30 sp=0x299a85faed80 pc=0x47d7ef\n"
      "main.main()\n"
      "\t/tmp/gdump2/main.go:28 +0x129 fp=0x299a85faef48 sp=0x299a85faeef8 pc=0x4d98e9\n"
      "runtime.goexit({})\n"
      "\t/usr/local/go/src/runtime/asm_amd64.s:1771 +0x1 fp=0x299a85faefe8 sp=0x299a85faefe0 pc=0x484101\n"
      "\n"
      "goroutine 6 gp=0xc000007a40 m=nil [GC worker (idle)]:\n"
      "runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)\n"
      "\t/usr/local/go/src/runtime/proc.go:462 +0xce fp=0x299a85f78fa8 sp=0x299a85f78f88 pc=0x47dc4e\n"
      "runtime.gcBgMarkWorker(0xc00007e000)\n"
      "\t/usr/local/go/src/runtime/mgc.go:1423 +0xe9 fp=0xc000071fc8 sp=0xc000071f80 pc=0x4213a9\n"
      "created by runtime.gcBgMarkStartWorkers in goroutine 1\n"
      "\t/usr/local/go/src/runtime/mgc.go:1339 +0x105\n"
      "exit status 2\n");
  ASSERT_EQ(dump.goroutines.size(), 2u);
  EXPECT_EQ(dump.goroutines[0].id, 1u);
  EXPECT_EQ(dump.goroutines[0].state, "running");
  ASSERT_EQ(dump.goroutines[0].frames.size(), 3u);
  EXPECT_EQ(dump.goroutines[0].frames[0], (Frame{"panic", "/usr/local/go/src/runtime/panic.go", 879}));
  EXPECT_EQ(dump.goroutines[0].frames[1], (Frame{"main.main", "/tmp/gdump2/main.go", 28}));
  EXPECT_EQ(dump.goroutines[0].frames[2].function, "runtime.goexit");
  EXPECT_EQ(dump.goroutines[1].id, 6u);
  EXPECT_EQ(dump.goroutines[1].state, "GC worker (idle)");
  ASSERT_EQ(dump.goroutines[1].frames.size(), 2u);
  EXPECT_EQ(dump.goroutines[1].frames[1], (Frame{"runtime.gcBgMarkWorker", "/usr/local/go/src/runtime/mgc.go", 1423}));
  ASSERT_TRUE(dump.goroutines[1].created_by.has_value());
  EXPECT_EQ(dump.goroutines[1].created_by->function, "runtime.gcBgMarkStartWorkers");
  EXPECT_EQ(dump.goroutines[1].creator_goroutine, 1u);
  // "exit status 2" after the last block is not a frame.
  EXPECT_EQ(dump.goroutines[1].created_by->line, 1339);
}

TEST(GoroutineDumpDebug2Test, CrlfGivesTheSameResultAsLf) {
  const GoroutineDump lf = ParseGoroutinesDebug2(kGo121Dump);
  ParseStats stats;
  const GoroutineDump crlf = ParseGoroutinesDebug2(WithCrlf(kGo121Dump), &stats);
  EXPECT_FALSE(stats.truncated);
  ASSERT_EQ(crlf.goroutines.size(), lf.goroutines.size());
  for (size_t i = 0; i < lf.goroutines.size(); ++i) {
    const Goroutine& a = lf.goroutines[i];
    const Goroutine& b = crlf.goroutines[i];
    EXPECT_EQ(b.id, a.id);
    EXPECT_EQ(b.state, a.state);
    EXPECT_EQ(b.wait_minutes, a.wait_minutes);
    EXPECT_EQ(b.locked_to_thread, a.locked_to_thread);
    EXPECT_EQ(b.frames, a.frames);
    EXPECT_EQ(b.created_by, a.created_by);
    EXPECT_EQ(b.creator_goroutine, a.creator_goroutine);
    EXPECT_EQ(b.frames_elided, a.frames_elided);
  }
  EXPECT_EQ(crlf.goroutines[2].state, "select");  // no "\r" left in the state
  EXPECT_EQ(crlf.goroutines[1].created_by->file, "/src/leaky/class01.go");
}

TEST(GoroutineDumpDebug2Test, TruncatedInsideCreatedByLineKeepsCompleteParts) {
  ParseStats stats;
  const GoroutineDump dump = ParseGoroutinesDebug2(
      "goroutine 1 [running]:\n"
      "main.main()\n"
      "\t/x/main.go:12 +0x1d\n"
      "\n"
      "goroutine 18 [chan send]:\n"
      "main.blockedSend.func1()\n"
      "\t/src/leaky/class01.go:42 +0x65\n"
      "created by main.blockedSe",
      &stats);
  ASSERT_EQ(dump.goroutines.size(), 2u);
  EXPECT_TRUE(stats.truncated);
  EXPECT_EQ(stats.skipped_blocks, 0u);
  EXPECT_FALSE(dump.goroutines[0].truncated);
  const Goroutine& cut = dump.goroutines[1];
  EXPECT_TRUE(cut.truncated);
  EXPECT_EQ(cut.id, 18u);
  ASSERT_EQ(cut.frames.size(), 1u);
  EXPECT_EQ(cut.frames[0], (Frame{"main.blockedSend.func1", "/src/leaky/class01.go", 42}));
  EXPECT_FALSE(cut.created_by.has_value()) << "a cut-off name must not be reported as the creator";
}

TEST(GoroutineDumpDebug2Test, TruncatedAfterFunctionLineOrInsideHeader) {
  ParseStats stats;
  GoroutineDump dump = ParseGoroutinesDebug2(
      "goroutine 18 [chan send]:\n"
      "main.blockedSend.func1()\n",
      &stats);
  ASSERT_EQ(dump.goroutines.size(), 1u);
  EXPECT_TRUE(stats.truncated);
  EXPECT_TRUE(dump.goroutines[0].truncated);
  ASSERT_EQ(dump.goroutines[0].frames.size(), 1u);
  EXPECT_EQ(dump.goroutines[0].frames[0], (Frame{"main.blockedSend.func1", "", 0}));

  dump = ParseGoroutinesDebug2(
      "goroutine 18 [chan send]:\n"
      "main.blockedSend.func1()\n"
      "\t/src/leaky/class01.go:42 +0x65\n"
      "\n"
      "goroutine 19 [chan se",
      &stats);
  ASSERT_EQ(dump.goroutines.size(), 1u);
  EXPECT_EQ(dump.goroutines[0].id, 18u);
  EXPECT_FALSE(dump.goroutines[0].truncated);
  EXPECT_TRUE(stats.truncated);
  EXPECT_EQ(stats.skipped_blocks, 0u) << "a cut header is truncation, not a malformed block";
}

TEST(GoroutineDumpDebug2Test, EmptyAndGarbageInput) {
  ParseStats stats;
  stats.skipped_blocks = 42;  // must be reset
  EXPECT_TRUE(ParseGoroutinesDebug2("", &stats).goroutines.empty());
  EXPECT_EQ(stats.skipped_blocks, 0u);
  EXPECT_FALSE(stats.truncated);
  EXPECT_TRUE(ParseGoroutinesDebug2("\n\n  \r\n").goroutines.empty());
  EXPECT_TRUE(ParseGoroutinesDebug2("hello\nworld()\n\t/x.go:1\n").goroutines.empty());
  // A debug=1 profile is not a debug=2 dump.
  EXPECT_TRUE(ParseGoroutinesDebug2("goroutine profile: total 3\n1 @ 0x1 0x2\n#\t0x1\tmain.f+0x1\t/x.go:3\n")
                  .goroutines.empty());
}

TEST(GoroutineDumpDebug2Test, MalformedHeaderSkipsItsBlockOnly) {
  ParseStats stats;
  const GoroutineDump dump = ParseGoroutinesDebug2(
      "goroutine 5 chan send\n"
      "main.lost()\n"
      "\t/x/lost.go:1 +0x1\n"
      "\n"
      "goroutine 99999999999999999999999 [select]:\n"
      "main.alsoLost()\n"
      "\t/x/lost.go:2 +0x1\n"
      "\n"
      "goroutine 6 []:\n"
      "\n"
      "goroutine 7 [select]:\n"
      "main.kept()\n"
      "\t/x/kept.go:3 +0x1\n",
      &stats);
  EXPECT_EQ(stats.skipped_blocks, 3u);
  ASSERT_EQ(dump.goroutines.size(), 1u);
  EXPECT_EQ(dump.goroutines[0].id, 7u);
  ASSERT_EQ(dump.goroutines[0].frames.size(), 1u);
  EXPECT_EQ(dump.goroutines[0].frames[0], (Frame{"main.kept", "/x/kept.go", 3}));
}

TEST(GoroutineDumpDebug2Test, NormalizesFunctionNamesWithArgumentsReceiversAndGenerics) {
  const GoroutineDump dump = ParseGoroutinesDebug2(
      "goroutine 21 [IO wait]:\n"
      "internal/poll.runtime_pollWait(0x7f5e1c4a2e28, 0x72)\n"
      "\t/usr/local/go/src/runtime/netpoll.go:343 +0x85\n"
      "main.(*T).m(0xc000, {0x1, 0x2}, (0x3))\n"
      "\t/src/t.go:10 +0x1\n"
      "main.(*T).run(...)\n"
      "\t/src/t.go:14\n"
      "main.Map[...](...)\n"
      "\t/src/t.go:29\n"
      "gopkg.in/yaml%2ev3.(*parser).parse(0xc000)\n"
      "\t/go/pkg/mod/gopkg.in/yaml.v3@v3.0.1/parserc.go:55 +0x2\n"
      "net/http.(*conn).serve(0xc0001b2000, {0x7b1a30, 0xc0000a6f00})\n"
      "\t/usr/local/go/src/net/http/server.go:2009 +0x5f4\n"
      "created by net/http.(*Server).Serve in goroutine 1\n"
      "\t/usr/local/go/src/net/http/server.go:3086 +0x5cb\n");
  ASSERT_EQ(dump.goroutines.size(), 1u);
  const auto& f = dump.goroutines[0].frames;
  ASSERT_EQ(f.size(), 6u);
  EXPECT_EQ(f[0].function, "internal/poll.runtime_pollWait");
  EXPECT_EQ(f[1].function, "main.(*T).m");
  EXPECT_EQ(f[2], (Frame{"main.(*T).run", "/src/t.go", 14}));  // inlined: no "+0x" suffix
  EXPECT_EQ(f[3].function, "main.Map[...]");
  EXPECT_EQ(f[4].function, "gopkg.in/yaml%2ev3.(*parser).parse");
  EXPECT_EQ(f[4].file, "/go/pkg/mod/gopkg.in/yaml.v3@v3.0.1/parserc.go");
  EXPECT_EQ(f[5], (Frame{"net/http.(*conn).serve", "/usr/local/go/src/net/http/server.go", 2009}));
  EXPECT_EQ(dump.goroutines[0].created_by->function, "net/http.(*Server).Serve");
  EXPECT_EQ(dump.goroutines[0].state, "IO wait");
}

TEST(GoroutineDumpDebug2Test, Go126HeaderDecorations) {
  // Real go1.26 shapes: goroutineleak profile "(leaked)", GODEBUG=tracebacklabels=1
  // labels (whose quoted values may contain "]:"), synctest bubbles, the GC "(scan)" bit.
  const GoroutineDump dump = ParseGoroutinesDebug2(
      "goroutine 19 [chan send (leaked)]:\n"
      "main.leak.func1()\n"
      "\t/tmp/gdump2/main.go:12 +0x1e\n"
      "\n"
      "goroutine 28 [select (no cases) labels:{\"handler\": \"/leak\", \"k2\": \"v]: x\"}]:\n"
      "main.main.func4.1()\n"
      "\t/tmp/gdump/main.go:50 +0xf\n"
      "\n"
      "goroutine 30 [chan receive (durable), 3 minutes, synctest bubble 4]:\n"
      "\n"
      "goroutine 31 [chan receive (scan), 2 minutes, locked to thread]:\n"
      "\n"
      "goroutine 32 [select, some future decoration]:\n"
      "\n"
      "goroutine 33 [sync.WaitGroup.Wait (leaked), 1 minutes]:\n");
  ASSERT_EQ(dump.goroutines.size(), 6u);
  const auto& g = dump.goroutines;
  EXPECT_EQ(g[0].state, "chan send");
  EXPECT_TRUE(g[0].leaked);
  EXPECT_EQ(g[0].frames.size(), 1u);

  EXPECT_EQ(g[1].state, "select (no cases)");
  EXPECT_EQ(g[1].labels, "{\"handler\": \"/leak\", \"k2\": \"v]: x\"}");
  EXPECT_FALSE(g[1].leaked);
  ASSERT_EQ(g[1].frames.size(), 1u);
  EXPECT_EQ(g[1].frames[0].line, 50);

  EXPECT_EQ(g[2].state, "chan receive (durable)");
  EXPECT_EQ(g[2].wait_minutes, 3);
  EXPECT_EQ(g[2].synctest_bubble, 4u);

  EXPECT_EQ(g[3].state, "chan receive");
  EXPECT_EQ(g[3].wait_minutes, 2);
  EXPECT_TRUE(g[3].locked_to_thread);

  EXPECT_EQ(g[4].state, "select, some future decoration");

  EXPECT_EQ(g[5].state, "sync.WaitGroup.Wait");
  EXPECT_TRUE(g[5].leaked);
  EXPECT_EQ(g[5].wait_minutes, 1);
}

TEST(GoroutineDumpDebug2Test, MiddleElisionKeepsOuterFrames) {
  // Go 1.21+ prints the innermost and outermost frames of a deep stack.
  const GoroutineDump dump = ParseGoroutinesDebug2(
      "goroutine 12 [chan receive]:\n"
      "main.recurse(...)\n"
      "\t/tmp/gdump/main.go:23\n"
      "main.recurse(0x0?, 0x0?)\n"
      "\t/tmp/gdump/main.go:26 +0x25\n"
      "...101 frames elided...\n"
      "main.recurse(0x0?, 0x0?)\n"
      "\t/tmp/gdump/main.go:26 +0x30\n"
      "created by main.main in goroutine 1\n"
      "\t/tmp/gdump/main.go:41 +0x14b\n");
  ASSERT_EQ(dump.goroutines.size(), 1u);
  EXPECT_TRUE(dump.goroutines[0].frames_elided);
  ASSERT_EQ(dump.goroutines[0].frames.size(), 3u);
  EXPECT_EQ(dump.goroutines[0].frames[0], (Frame{"main.recurse", "/tmp/gdump/main.go", 23}));
  EXPECT_EQ(dump.goroutines[0].frames[2], (Frame{"main.recurse", "/tmp/gdump/main.go", 26}));
  EXPECT_EQ(dump.goroutines[0].created_by->line, 41);
}

TEST(GoroutineDumpDebug2Test, AncestorStacksAreNotOwnFrames) {
  // GODEBUG=tracebackancestors=N
  const GoroutineDump dump = ParseGoroutinesDebug2(
      "goroutine 20 [chan send]:\n"
      "main.child()\n"
      "\t/src/a.go:9 +0x1e\n"
      "created by main.parent in goroutine 19\n"
      "\t/src/a.go:5 +0x25\n"
      "[originating from goroutine 19]:\n"
      "main.parent(...)\n"
      "\t/src/a.go:5 +0x25\n"
      "created by main.main\n"
      "\t/src/a.go:2 +0x1a\n"
      "\n"
      "goroutine 21 [select]:\n"
      "main.other()\n"
      "\t/src/a.go:30 +0x1\n");
  ASSERT_EQ(dump.goroutines.size(), 2u);
  const Goroutine& g = dump.goroutines[0];
  ASSERT_EQ(g.frames.size(), 1u);
  EXPECT_EQ(g.frames[0].function, "main.child");
  EXPECT_EQ(*g.created_by, (Frame{"main.parent", "/src/a.go", 5}));
  EXPECT_EQ(g.creator_goroutine, 19u);
  EXPECT_EQ(dump.goroutines[1].frames.size(), 1u);
}

TEST(GoroutineDumpDebug2Test, StackUnavailableAndWindowsPaths) {
  const GoroutineDump dump = ParseGoroutinesDebug2(
      "goroutine 3 [running]:\n"
      "\tgoroutine running on other thread; stack unavailable\n"
      "created by main.main in goroutine 1\n"
      "\tC:/Users/dev/leaky/main.go:30 +0x2b\n"
      "\n"
      "goroutine 4 [chan send]:\n"
      "main.f()\n"
      "\tC:/Program Files/Go/src/x/main.go:12 +0x1d\n");
  ASSERT_EQ(dump.goroutines.size(), 2u);
  EXPECT_TRUE(dump.goroutines[0].frames.empty());
  EXPECT_FALSE(dump.goroutines[0].truncated);
  EXPECT_EQ(*dump.goroutines[0].created_by, (Frame{"main.main", "C:/Users/dev/leaky/main.go", 30}));
  EXPECT_EQ(dump.goroutines[1].frames[0], (Frame{"main.f", "C:/Program Files/Go/src/x/main.go", 12}));
}

TEST(GoroutineDumpDebug2Test, HeaderWithoutBlankLineStartsANewBlock) {
  const GoroutineDump dump = ParseGoroutinesDebug2(
      "goroutine 1 [select]:\n"
      "main.a()\n"
      "\t/a.go:1 +0x1\n"
      "goroutine 2 [select]:\n"
      "main.b()\n"
      "\t/b.go:2 +0x1\n");
  ASSERT_EQ(dump.goroutines.size(), 2u);
  EXPECT_EQ(dump.goroutines[0].frames.size(), 1u);
  EXPECT_EQ(dump.goroutines[1].frames[0], (Frame{"main.b", "/b.go", 2}));
}

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
  EXPECT_EQ(g.groups[0].labels, "");

  EXPECT_EQ(g.groups[1].count, 5);
  EXPECT_EQ(g.groups[1].labels, "{\"handler\":\"/leak\", \"k2\":\"v]: x\"}");
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
  EXPECT_EQ(g.groups[1].labels, "{\"handler\":\"/leak\", \"k2\":\"v]: x\"}");

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

// ---- real dumps captured from examples/go-targets/leaky (tests/fixtures/goroutines) ----

// Reads LEAKGATE_FIXTURES_DIR/goroutines/<version>/<name>; nullopt when it does not exist.
std::optional<std::string> ReadFixture(const std::string& version, const std::string& name) {
  const std::filesystem::path path = std::filesystem::path(LEAKGATE_FIXTURES_DIR) / "goroutines" / version / name;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// "go1.26" -> "go1_26" (test names may not contain dots).
std::string VersionTestName(const testing::TestParamInfo<std::string>& param) {
  std::string name = param.param;
  for (char& c : name) {
    if (c == '.') c = '_';
  }
  return name;
}

class GoroutineDumpFixtureTest : public testing::TestWithParam<std::string> {};

// Declares `var` as the fixture's text, or skips the test when it has not been captured.
#define LOAD_OR_SKIP(var, name)                                                                     \
  const std::optional<std::string> var##_opt = ReadFixture(GetParam(), name);                      \
  if (!var##_opt) GTEST_SKIP() << "fixture goroutines/" << GetParam() << "/" << name << " missing"; \
  const std::string& var = *var##_opt

TEST_P(GoroutineDumpFixtureTest, Debug2ParsesCleanly) {
  for (const char* name : {"baseline.debug2.txt", "leaky.debug2.txt"}) {
    LOAD_OR_SKIP(text, name);
    ParseStats stats;
    const GoroutineDump dump = ParseGoroutinesDebug2(text, &stats);
    SCOPED_TRACE(name);
    EXPECT_EQ(stats.skipped_blocks, 0u);
    EXPECT_FALSE(stats.truncated);
    ASSERT_GT(dump.goroutines.size(), 0u);
    std::set<uint64_t> ids;
    for (const Goroutine& g : dump.goroutines) {
      EXPECT_TRUE(ids.insert(g.id).second) << "duplicate goroutine " << g.id;
      EXPECT_FALSE(g.state.empty()) << g.id;
      EXPECT_FALSE(g.frames.empty()) << g.id;
      for (const Frame& f : g.frames) {
        EXPECT_FALSE(f.function.empty()) << g.id;
        EXPECT_EQ(f.function.find('('), f.function.find("(*")) << "arguments left in " << f.function;
        EXPECT_FALSE(f.file.empty()) << f.function;
        EXPECT_GT(f.line, 0) << f.function;
      }
      // Every goroutine but main has a creator in these dumps.
      if (g.id != 1) {
        EXPECT_TRUE(g.created_by.has_value()) << g.id;
      }
    }
    // The number of goroutine headers is the number parsed.
    size_t headers = 0;
    for (size_t p = 0; (p = text.find("goroutine ", p)) != std::string::npos; p += 10) {
      if ((p == 0 || text[p - 1] == '\n') && p + 10 < text.size() && text[p + 10] >= '0' && text[p + 10] <= '9') ++headers;
    }
    EXPECT_EQ(dump.goroutines.size(), headers);
  }
}

TEST_P(GoroutineDumpFixtureTest, Debug1TotalsAgreeWithGroupsAndDebug2) {
  for (const char* kind : {"baseline", "leaky"}) {
    const std::string d1 = std::string(kind) + ".debug1.txt";
    const std::string d2 = std::string(kind) + ".debug2.txt";
    LOAD_OR_SKIP(debug1, d1);
    LOAD_OR_SKIP(debug2, d2);
    SCOPED_TRACE(kind);
    ParseStats stats;
    const GroupedGoroutines grouped = ParseGoroutinesDebug1(debug1, &stats);
    EXPECT_EQ(stats.skipped_blocks, 0u);
    ASSERT_GT(grouped.total, 0);
    EXPECT_EQ(GoroutineTotalFromDebug1(debug1), grouped.total);
    // Within one profile the group counts add up to the total exactly.
    const int64_t sum = std::accumulate(grouped.groups.begin(), grouped.groups.end(), int64_t{0},
                                        [](int64_t acc, const StackGroup& g) { return acc + g.count; });
    EXPECT_EQ(sum, grouped.total);
    // (A group may have no frames: "1 @ 0x491161" is a goroutine whose only frame is the
    // runtime.goexit that pprof hides.)
    // debug=1 and debug=2 were taken at different instants: close, not equal.
    const auto goroutines = static_cast<int64_t>(ParseGoroutinesDebug2(debug2).goroutines.size());
    ASSERT_GT(goroutines, 0);
    EXPECT_LE(std::abs(goroutines - grouped.total), 10 + grouped.total / 5)
        << "debug=1 total " << grouped.total << ", debug=2 goroutines " << goroutines;
  }
}

TEST_P(GoroutineDumpFixtureTest, LeakyDumpsShowTheBlockedSenders) {
  LOAD_OR_SKIP(debug2, "leaky.debug2.txt");
  LOAD_OR_SKIP(debug1, "leaky.debug1.txt");
  const GoroutineDump dump = ParseGoroutinesDebug2(debug2);
  size_t blocked = 0;
  for (const Goroutine& g : dump.goroutines) {
    if (g.frames.empty() || g.frames.front().function != "main.blockedSend.func1") continue;
    ++blocked;
    EXPECT_EQ(g.state, "chan send");
    ASSERT_TRUE(g.created_by.has_value());
    EXPECT_EQ(g.created_by->function, "main.blockedSend");
    EXPECT_TRUE(g.created_by->file.ends_with(".go")) << g.created_by->file;
    if (GetParam() == "go1.19") {
      EXPECT_EQ(g.creator_goroutine, 0u) << "Go 1.19 does not print \"in goroutine N\"";
    } else {
      EXPECT_GT(g.creator_goroutine, 0u);
    }
  }
  EXPECT_GT(blocked, 1u);

  const GroupedGoroutines grouped = ParseGoroutinesDebug1(debug1);
  int64_t in_profile = 0;
  for (const StackGroup& g : grouped.groups) {
    for (const Frame& f : g.frames) {
      if (f.function == "main.blockedSend.func1") in_profile += g.count;
    }
  }
  EXPECT_GT(in_profile, 1);
}

INSTANTIATE_TEST_SUITE_P(GoroutineFixtures, GoroutineDumpFixtureTest, testing::Values("go1.26", "go1.19"),
                         VersionTestName);

}  // namespace
}  // namespace leakgate::probes
