#include "probes/goroutine_dump.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "tests/probes/fixture_text.h"

namespace leakgate::probes {
namespace goroutine_dump_test {

using test_support::WithCrlf;

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
  // Go 1.26 shapes: goroutineleak profile "(leaked)", GODEBUG=tracebacklabels=1 labels
  // inside the bracket (whose quoted values may contain "]:"), synctest bubbles, the GC
  // "(scan)" bit.
  ParseStats stats;
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
      "goroutine 33 [sync.WaitGroup.Wait (leaked), 1 minutes]:\n"
      "\n"
      "goroutine 34 [chan send (leaked) labels:{\"method\": \"GET\", \"route\": \"/leak/blocked-send\"}]:\n",
      &stats);
  ASSERT_EQ(dump.goroutines.size(), 7u);
  EXPECT_EQ(stats.skipped_blocks, 0u);
  EXPECT_EQ(stats.malformed_labels, 0u);
  const auto& g = dump.goroutines;
  EXPECT_EQ(g[0].state, "chan send");
  EXPECT_TRUE(g[0].leaked);
  EXPECT_EQ(g[0].frames.size(), 1u);
  EXPECT_TRUE(g[0].labels.empty());

  EXPECT_EQ(g[1].state, "select (no cases)");
  EXPECT_EQ(g[1].labels, (PprofLabels{{"handler", "/leak"}, {"k2", "v]: x"}}));
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

  EXPECT_EQ(g[6].state, "chan send");
  EXPECT_TRUE(g[6].leaked);
  EXPECT_EQ(g[6].labels, (PprofLabels{{"method", "GET"}, {"route", "/leak/blocked-send"}}));
}

TEST(GoroutineDumpDebug2Test, Go127LabelsAfterTheBracket) {
  // Header lines copied from real Go 1.27.3 dumps (tests/fixtures/goroutines/go1.27:
  // goroutineleak.debug2.txt, shapes.debug2.txt, sigquit.txt): a key or value is quoted only
  // when it needs it, an empty value prints as nothing.
  ParseStats stats;
  const GoroutineDump dump = ParseGoroutinesDebug2(
      "goroutine 8 [chan receive (nil chan)] {method: GET, route: nil}:\n"
      "main.f()\n"
      "\t/x/main.go:1 +0x1\n"
      "\n"
      "goroutine 183 [sync.WaitGroup.Wait (leaked)] {method: GET, route: /leak/waitgroup}:\n"
      "\n"
      "goroutine 61 [chan send (leaked)] {method: GET, route: \"/leak/blocked-send\"}:\n"
      "\n"
      "goroutine 28 [chan receive (nil chan)] {backslash: \"C:\\\\dir\\\\\", brackets: \"[x]: {y}\", comma: \"a, b\", "
      "empty: , invalid: \"z\\xffz\", \"key with space\": v, newline: \"line1\\nline2\", quote: \"say \\\"hi\\\"\", "
      "route: \"/v2/items/{id}\", tab: \"a\\tb\", unicode: \"h\\u00e9llo w\\u00f6rld\"}:\n"
      "\n"
      "goroutine 29 gp=0x3a3760d8f0e0 m=nil [select (no cases)] {method: GET, route: /v2/nil, version: 1.2_3}:\n"
      "main.plainLabels()\n"
      "\t/x/main.go:186 +0x1d fp=0x3a3760e0cfd0 sp=0x3a3760e0cfa8 pc=0x4e9a1d\n",
      &stats);
  ASSERT_EQ(dump.goroutines.size(), 5u);
  EXPECT_EQ(stats.skipped_blocks, 0u);
  EXPECT_EQ(stats.malformed_labels, 0u);
  const auto& g = dump.goroutines;
  EXPECT_EQ(g[0].state, "chan receive (nil chan)");
  EXPECT_EQ(g[0].labels, (PprofLabels{{"method", "GET"}, {"route", "nil"}}));
  ASSERT_EQ(g[0].frames.size(), 1u);
  EXPECT_EQ(g[1].state, "sync.WaitGroup.Wait");
  EXPECT_TRUE(g[1].leaked);
  EXPECT_EQ(g[1].labels, (PprofLabels{{"method", "GET"}, {"route", "/leak/waitgroup"}}));
  EXPECT_EQ(g[2].labels, (PprofLabels{{"method", "GET"}, {"route", "/leak/blocked-send"}}));
  EXPECT_EQ(g[3].labels, (PprofLabels{{"backslash", "C:\\dir\\"},
                                      {"brackets", "[x]: {y}"},
                                      {"comma", "a, b"},
                                      {"empty", ""},
                                      {"invalid", "z\xffz"},
                                      {"key with space", "v"},
                                      {"newline", "line1\nline2"},
                                      {"quote", "say \"hi\""},
                                      {"route", "/v2/items/{id}"},
                                      {"tab", "a\tb"},
                                      {"unicode", "h\u00e9llo w\u00f6rld"}}));
  EXPECT_EQ(g[4].id, 29u);
  EXPECT_EQ(g[4].state, "select (no cases)");
  EXPECT_EQ(g[4].labels, (PprofLabels{{"method", "GET"}, {"route", "/v2/nil"}, {"version", "1.2_3"}}));
  ASSERT_EQ(g[4].frames.size(), 1u);
  EXPECT_EQ(g[4].frames[0], (Frame{"main.plainLabels", "/x/main.go", 186}));
}

TEST(GoroutineDumpDebug2Test, UnreadableLabelsKeepTheGoroutine) {
  ParseStats stats;
  const GoroutineDump dump = ParseGoroutinesDebug2(
      "goroutine 8 [select] {method: GET, route: \"/x}:\n"  // unterminated quote
      "main.f()\n"
      "\t/x/main.go:1 +0x1\n"
      "\n"
      "goroutine 9 [select labels:{\"k\" \"v\"}]:\n"  // no ":" between key and value
      "\n"
      "goroutine 10 [select] junk:\n"  // neither ":" nor " {...}:" after the bracket
      "\n"
      "goroutine 11 [select] {}:\n",
      &stats);
  ASSERT_EQ(dump.goroutines.size(), 3u);
  EXPECT_EQ(stats.malformed_labels, 2u);
  EXPECT_EQ(stats.skipped_blocks, 1u);
  EXPECT_EQ(dump.goroutines[0].id, 8u);
  EXPECT_EQ(dump.goroutines[0].state, "select");
  EXPECT_TRUE(dump.goroutines[0].labels.empty());
  EXPECT_EQ(dump.goroutines[0].frames.size(), 1u);
  EXPECT_EQ(dump.goroutines[1].state, "select");
  EXPECT_TRUE(dump.goroutines[1].labels.empty());
  EXPECT_EQ(dump.goroutines[2].id, 11u);
  EXPECT_TRUE(dump.goroutines[2].labels.empty());
}

TEST(GoroutineDumpDebug2Test, TruncatedInsideLabels) {
  ParseStats stats;
  const GoroutineDump dump = ParseGoroutinesDebug2(
      "goroutine 18 [chan send] {method: GET}:\n"
      "main.blockedSend.func1()\n"
      "\t/src/leaky/class01.go:42 +0x65\n"
      "\n"
      "goroutine 19 [chan send] {method: GET, route: \"/leak/bl",
      &stats);
  ASSERT_EQ(dump.goroutines.size(), 1u);
  EXPECT_TRUE(stats.truncated);
  EXPECT_EQ(stats.skipped_blocks, 0u);
  EXPECT_EQ(dump.goroutines[0].labels, (PprofLabels{{"method", "GET"}}));
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

}  // namespace goroutine_dump_test
}  // namespace leakgate::probes
