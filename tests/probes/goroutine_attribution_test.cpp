#include "probes/goroutine_attribution.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "tests/probes/fixture_text.h"

namespace leakgate::probes {
namespace goroutine_attribution_test {

Frame F(std::string function, std::string file = "/src/x.go", int line = 1) {
  return Frame{std::move(function), std::move(file), line};
}

Goroutine G(uint64_t id, std::string state, std::vector<Frame> frames, std::string created_by = "",
            std::string created_file = "", int created_line = 0) {
  Goroutine g;
  g.id = id;
  g.state = std::move(state);
  g.frames = std::move(frames);
  if (!created_by.empty()) g.created_by = Frame{std::move(created_by), std::move(created_file), created_line};
  return g;
}

// A goroutine of class 1: blocked sending on a channel nobody reads.
Goroutine BlockedSend(uint64_t id) {
  return G(id, "chan send",
           {F("runtime.gopark", "/usr/local/go/src/runtime/proc.go", 398),
            F("runtime.chansend", "/usr/local/go/src/runtime/chan.go", 259),
            F("runtime.chansend1", "/usr/local/go/src/runtime/chan.go", 145),
            F("main.blockedSend.func1", "/src/leaky/class01.go", 42)},
           "main.blockedSend", "/src/leaky/class01.go", 40);
}

// A worker stuck in select without ctx.Done().
Goroutine Worker(uint64_t id) {
  return G(id, "select", {F("main.worker", "/src/leaky/class02.go", 20)}, "main.startWorkers",
           "/src/leaky/class02.go", 12);
}

// An HTTP keep-alive connection goroutine: entirely standard library.
Goroutine HttpConn(uint64_t id) {
  return G(id, "IO wait",
           {F("internal/poll.runtime_pollWait", "/usr/local/go/src/runtime/netpoll.go", 343),
            F("internal/poll.(*pollDesc).wait", "/usr/local/go/src/internal/poll/fd_poll_runtime.go", 84),
            F("net.(*netFD).Read", "/usr/local/go/src/net/fd_posix.go", 55),
            F("net/http.(*connReader).backgroundRead", "/usr/local/go/src/net/http/server.go", 683)},
           "net/http.(*connReader).startBackgroundRead", "/usr/local/go/src/net/http/server.go", 679);
}

// The goroutine serving the pprof request that took the dump.
Goroutine PprofWriter(uint64_t id) {
  return G(id, "running",
           {F("runtime/pprof.writeGoroutineStacks", "/usr/local/go/src/runtime/pprof/pprof.go", 819),
            F("runtime/pprof.writeGoroutine", "/usr/local/go/src/runtime/pprof/pprof.go", 782),
            F("net/http/pprof.handler.ServeHTTP", "/usr/local/go/src/net/http/pprof/pprof.go", 259)},
           "net/http.(*Server).Serve", "/usr/local/go/src/net/http/server.go", 3086);
}

GoroutineDump Dump(std::vector<Goroutine> goroutines) { return GoroutineDump{std::move(goroutines)}; }

TEST(GoroutineAttributionTest, StripArguments) {
  EXPECT_EQ(StripArguments("main.(*T).m(0xc000, {0x1, 0x2})"), "main.(*T).m");
  EXPECT_EQ(StripArguments("main.f(...)"), "main.f");
  EXPECT_EQ(StripArguments("main.f(0x1, g(h(0x2)), {0x3, (0x4)})"), "main.f");
  EXPECT_EQ(StripArguments("net/http.(*conn).serve(0xc0001b2000, {0x7b1a30, 0xc0000a6f00})"),
            "net/http.(*conn).serve");
  EXPECT_EQ(StripArguments("main.(*T).m"), "main.(*T).m");
  EXPECT_EQ(StripArguments("main.Map[...](...)"), "main.Map[...]");
  EXPECT_EQ(StripArguments("main.(*Tree[...]).Insert(0xc000, {0x1?, 0x2?})"), "main.(*Tree[...]).Insert");
  EXPECT_EQ(StripArguments("panic({0x4ecc60?, 0x5e9ed0?})"), "panic");
  EXPECT_EQ(StripArguments("main.f(0xc000, {0x1"), "main.f");
  EXPECT_EQ(StripArguments("\tmain.f()  "), "main.f");
  EXPECT_EQ(StripArguments(""), "");
}

TEST(GoroutineAttributionTest, PackageOf) {
  EXPECT_EQ(PackageOf("net/http.(*conn).serve"), "net/http");
  EXPECT_EQ(PackageOf("main.(*T).m"), "main");
  EXPECT_EQ(PackageOf("main.blockedSend.func1"), "main");
  EXPECT_EQ(PackageOf("github.com/x/y.F"), "github.com/x/y");
  EXPECT_EQ(PackageOf("gopkg.in/yaml%2ev3.(*parser).parse"), "gopkg.in/yaml%2ev3");
  EXPECT_EQ(PackageOf("leakgate.dev/examples/go-targets/leaky/internal/h.(*S).Run"),
            "leakgate.dev/examples/go-targets/leaky/internal/h");
  EXPECT_EQ(PackageOf("main.Map[...]"), "main");
  EXPECT_EQ(PackageOf("runtime.gopark"), "runtime");
  EXPECT_EQ(PackageOf(""), "");
}

TEST(GoroutineAttributionTest, IsStandardLibrary) {
  EXPECT_TRUE(IsStandardLibrary("net/http.(*conn).serve"));
  EXPECT_TRUE(IsStandardLibrary("sync.(*WaitGroup).Wait"));
  EXPECT_TRUE(IsStandardLibrary("runtime.gopark"));
  EXPECT_TRUE(IsStandardLibrary("internal/poll.runtime_pollWait"));
  EXPECT_TRUE(IsStandardLibrary("time.Sleep"));
  EXPECT_FALSE(IsStandardLibrary("main.f"));
  EXPECT_FALSE(IsStandardLibrary("main.(*T).run"));
  EXPECT_FALSE(IsStandardLibrary("github.com/x/y.F"));
  EXPECT_FALSE(IsStandardLibrary("leakgate.dev/x.F"));
  EXPECT_FALSE(IsStandardLibrary("golang.org/x/sync/errgroup.(*Group).Go.func1"));
  EXPECT_FALSE(IsStandardLibrary("gopkg.in/yaml%2ev3.(*parser).parse"));
  EXPECT_FALSE(IsStandardLibrary("command-line-arguments.F"));
  EXPECT_FALSE(IsStandardLibrary(""));
}

TEST(GoroutineAttributionTest, IsRuntimeFrame) {
  for (const char* fn : {"runtime.gopark", "runtime.chansend1", "runtime/internal/atomic.Load",
                         "internal/poll.runtime_pollWait", "internal/runtime/maps.(*Map).Get",
                         "internal/sync.(*Mutex).lockSlow", "sync.runtime_SemacquireWaitGroup",
                         "sync.runtime_notifyListWait", "sync/atomic.(*Int64).Add", "panic", "runtime.goexit"}) {
    EXPECT_TRUE(IsRuntimeFrame(F(fn))) << fn;
  }
  for (const char* fn : {"runtime/pprof.writeGoroutineStacks", "runtime/trace.Start", "runtime/debug.Stack",
                         "sync.(*WaitGroup).Wait", "sync.(*Mutex).Lock", "main.f", "runtimex.F",
                         "github.com/x/runtime.F", "net/http.(*conn).serve", ""}) {
    EXPECT_FALSE(IsRuntimeFrame(F(fn))) << fn;
  }
}

TEST(GoroutineAttributionTest, TopUserFrame) {
  const Goroutine send = BlockedSend(1);
  ASSERT_NE(TopUserFrame(send), nullptr);
  EXPECT_EQ(TopUserFrame(send), &send.frames[3]);

  // Library code wins over the standard library, even when deeper.
  const Goroutine pool = G(2, "semacquire",
                           {F("sync.runtime_Semacquire"), F("sync.(*WaitGroup).Wait"),
                            F("github.com/x/y.(*Pool).worker"), F("main.main.func1")});
  EXPECT_EQ(TopUserFrame(pool)->function, "github.com/x/y.(*Pool).worker");

  // All standard library: the first non-runtime frame.
  const Goroutine conn = HttpConn(3);
  EXPECT_EQ(TopUserFrame(conn)->function, "net.(*netFD).Read");

  // All runtime: the first frame.
  const Goroutine gc = G(4, "GC worker (idle)", {F("runtime.gopark"), F("runtime.gcBgMarkWorker")});
  EXPECT_EQ(TopUserFrame(gc), &gc.frames[0]);

  EXPECT_EQ(TopUserFrame(G(5, "running", {})), nullptr);
}

TEST(GoroutineAttributionTest, GroupGoroutinesCountsAndOrders) {
  const GoroutineDump dump = Dump({Worker(9), BlockedSend(30), BlockedSend(12), Worker(8), BlockedSend(20),
                                   G(50, "chan receive", {F("main.blockedSend.func1")}, "main.blockedSend")});
  const auto groups = GroupGoroutines(dump);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].function, "main.blockedSend.func1");
  EXPECT_EQ(groups[0].state, "chan send");
  EXPECT_EQ(groups[0].created_by, "main.blockedSend");
  EXPECT_EQ(groups[0].created_by_location, "/src/leaky/class01.go:40");
  EXPECT_EQ(groups[0].count, 3);
  EXPECT_EQ(groups[0].representative.id, 12u) << "same frame count: lowest id";
  EXPECT_EQ(groups[1].function, "main.worker");
  EXPECT_EQ(groups[1].created_by, "main.startWorkers");
  EXPECT_EQ(groups[1].count, 2);
  EXPECT_EQ(groups[1].representative.id, 8u);
  // Same function and creator in another state is another group.
  EXPECT_EQ(groups[2].function, "main.blockedSend.func1");
  EXPECT_EQ(groups[2].state, "chan receive");
  EXPECT_EQ(groups[2].count, 1);
  EXPECT_EQ(groups[2].created_by_location, "") << "no location known";

  EXPECT_TRUE(GroupGoroutines(GoroutineDump{}).empty());
}

TEST(GoroutineAttributionTest, GroupKeyUsesCreatorAndRepresentativeHasMostFrames) {
  Goroutine deeper = BlockedSend(40);
  deeper.frames.insert(deeper.frames.begin() + 1, F("runtime.selectgo"));
  Goroutine other_creator = BlockedSend(3);
  other_creator.created_by->function = "main.otherSpawner";
  const auto groups = GroupGoroutines(Dump({BlockedSend(1), deeper, BlockedSend(2), other_creator}));
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].count, 3);
  EXPECT_EQ(groups[0].representative.id, 40u);
  EXPECT_EQ(groups[0].representative.frames.size(), 5u);
  EXPECT_EQ(groups[1].count, 1);
  EXPECT_EQ(groups[1].created_by, "main.otherSpawner");
  EXPECT_EQ(groups[1].function, "main.blockedSend.func1");

  // A goroutine without frames groups under "".
  const auto empty = GroupGoroutines(Dump({G(7, "running", {})}));
  ASSERT_EQ(empty.size(), 1u);
  EXPECT_EQ(empty[0].function, "");
  EXPECT_EQ(empty[0].count, 1);
}

TEST(GoroutineAttributionTest, DiffReportsOnlyGrowthLargestFirst) {
  std::vector<Goroutine> before = {BlockedSend(10), BlockedSend(11), Worker(12), HttpConn(13), HttpConn(14),
                                   PprofWriter(15)};
  std::vector<Goroutine> after;
  for (uint64_t id = 100; id < 105; ++id) after.push_back(BlockedSend(id));  // 2 -> 5: +3
  for (uint64_t id = 200; id < 203; ++id) after.push_back(Worker(id));       // 1 -> 3: +2
  after.push_back(HttpConn(300));                                             // 2 -> 1: shrank
  after.push_back(PprofWriter(301));                                          // 1 -> 1: same
  for (uint64_t id = 400; id < 402; ++id) {                                   // 0 -> 2: +2
    after.push_back(G(id, "chan receive", {F("main.rangeUnclosed.func1", "/src/leaky/class05.go", 17)},
                      "main.rangeUnclosed", "/src/leaky/class05.go", 15));
  }
  const auto diff = DiffGoroutineGroups(Dump(before), Dump(after));
  ASSERT_EQ(diff.size(), 3u);
  EXPECT_EQ(diff[0].function, "main.blockedSend.func1");
  EXPECT_EQ(diff[0].count, 3);
  EXPECT_EQ(diff[0].state, "chan send");
  EXPECT_EQ(diff[0].created_by, "main.blockedSend");
  EXPECT_EQ(diff[0].created_by_location, "/src/leaky/class01.go:40");
  EXPECT_EQ(diff[0].representative.id, 100u) << "representative comes from the final dump";
  // Equal growth: ordered by function name.
  EXPECT_EQ(diff[1].function, "main.rangeUnclosed.func1");
  EXPECT_EQ(diff[1].count, 2);
  EXPECT_EQ(diff[1].created_by_location, "/src/leaky/class05.go:15");
  EXPECT_EQ(diff[1].representative.id, 400u);
  EXPECT_EQ(diff[2].function, "main.worker");
  EXPECT_EQ(diff[2].count, 2);
  EXPECT_EQ(diff[2].representative.id, 200u);

  EXPECT_TRUE(DiffGoroutineGroups(Dump(after), Dump(after)).empty());
  // Reversed, only the HttpConn group grew (1 -> 2).
  const auto reversed = DiffGoroutineGroups(Dump(after), Dump(before));
  ASSERT_EQ(reversed.size(), 1u);
  EXPECT_EQ(reversed[0].function, "net.(*netFD).Read");
  EXPECT_EQ(reversed[0].count, 1);
  EXPECT_EQ(DiffGoroutineGroups(GoroutineDump{}, Dump(before)).size(), 4u);
}

TEST(GoroutineAttributionTest, IgnoreRules) {
  const Goroutine pprof = PprofWriter(1);
  const Goroutine conn = HttpConn(2);
  const Goroutine send = BlockedSend(3);
  using R = IgnoreRule;

  EXPECT_FALSE(Matches({}, pprof));
  EXPECT_TRUE(Matches({{R::kAnyFunction, "runtime/pprof.writeGoroutine"}}, pprof));
  EXPECT_FALSE(Matches({{R::kAnyFunction, "runtime/pprof.writeGoroutin"}}, pprof)) << "exact, not prefix";
  EXPECT_TRUE(Matches({{R::kAnyFunction, "runtime/pprof.*"}}, pprof));
  EXPECT_FALSE(Matches({{R::kAnyFunction, "runtime/pprof.writeGoroutine"}}, send));

  // Top function: the innermost frame, or the top user frame.
  EXPECT_TRUE(Matches({{R::kTopFunction, "runtime/pprof.writeGoroutineStacks"}}, pprof));
  EXPECT_TRUE(Matches({{R::kTopFunction, "internal/poll.runtime_pollWait"}}, conn));
  EXPECT_TRUE(Matches({{R::kTopFunction, "net.(*netFD).Read"}}, conn));
  EXPECT_FALSE(Matches({{R::kTopFunction, "net/http.(*connReader).backgroundRead"}}, conn));
  EXPECT_TRUE(Matches({{R::kTopFunction, "main.blockedSend.func1"}}, send));
  EXPECT_FALSE(Matches({{R::kTopFunction, "runtime.chansend"}}, send));
  EXPECT_FALSE(Matches({{R::kTopFunction, ""}}, G(4, "running", {})));

  EXPECT_TRUE(Matches({{R::kCreatedBy, "main.blockedSend"}}, send));
  EXPECT_TRUE(Matches({{R::kCreatedBy, "net/http.*"}}, conn));
  EXPECT_FALSE(Matches({{R::kCreatedBy, "main.blockedSend.func1"}}, send));
  EXPECT_FALSE(Matches({{R::kCreatedBy, "main.f"}}, G(5, "running", {F("main.f")})));

  // Library only: the function is on the stack and no frame is user code.
  EXPECT_TRUE(Matches({{R::kLibraryOnlyWith, "net/http.(*connReader).backgroundRead"}}, conn))
      << "a connection's background read, nothing of the service on the stack";
  Goroutine handler = conn;
  handler.frames.insert(handler.frames.begin() + 1, F("main.slowHandler"));
  EXPECT_FALSE(Matches({{R::kLibraryOnlyWith, "net/http.(*connReader).backgroundRead"}}, handler))
      << "user code on the stack";
  EXPECT_FALSE(Matches({{R::kLibraryOnlyWith, "main.blockedSend.func1"}}, send));

  // Several rules: any one matching is enough.
  EXPECT_TRUE(Matches({{R::kCreatedBy, "main.nothing"}, {R::kAnyFunction, "runtime.chansend1"}}, send));
}

TEST(GoroutineAttributionTest, DiffDropsIgnoredGoroutinesFromBothDumps) {
  // Baseline: 1 pprof writer; final: 3 of them (concurrent scrapes) plus 2 leaks.
  const GoroutineDump before = Dump({PprofWriter(1), HttpConn(2)});
  const GoroutineDump after =
      Dump({PprofWriter(10), PprofWriter(11), PprofWriter(12), HttpConn(13), BlockedSend(14), BlockedSend(15)});
  const std::vector<IgnoreRule> rules = {{IgnoreRule::kAnyFunction, "runtime/pprof.writeGoroutineStacks"},
                                         {IgnoreRule::kAnyFunction, "runtime/pprof.writeGoroutine"}};
  const auto without = DiffGoroutineGroups(before, after);
  ASSERT_EQ(without.size(), 2u);
  EXPECT_EQ(without[1].function, "runtime/pprof.writeGoroutineStacks");

  const auto diff = DiffGoroutineGroups(before, after, rules);
  ASSERT_EQ(diff.size(), 1u);
  EXPECT_EQ(diff[0].function, "main.blockedSend.func1");
  EXPECT_EQ(diff[0].count, 2);

  // Ignoring the leak by its creator and the writer by its top function leaves nothing.
  EXPECT_TRUE(DiffGoroutineGroups(before, after, {{IgnoreRule::kCreatedBy, "main.blockedSend"},
                                                  {IgnoreRule::kTopFunction, "runtime/pprof.writeGoroutineStacks"}})
                  .empty());
}

TEST(GoroutineAttributionTest, FormatGroup) {
  GoroutineGroup group;
  group.count = 1200;
  group.function = "main.blockedSend.func1";
  group.state = "chan send";
  group.created_by = "main.blockedSend";
  group.created_by_location = "/path/main.go:40";
  group.representative = G(18, "chan send",
                           {F("runtime.gopark", "/usr/local/go/src/runtime/proc.go", 398),
                            F("main.blockedSend.func1", "/path/main.go", 42), F("main.noLocation", "", 0)},
                           "main.blockedSend", "/path/main.go", 40);
  EXPECT_EQ(FormatGroup(group),
            "1200 goroutines [chan send]: main.blockedSend.func1\n"
            "  created by main.blockedSend at /path/main.go:40\n"
            "  stack:\n"
            "    runtime.gopark\n"
            "        /usr/local/go/src/runtime/proc.go:398\n"
            "    main.blockedSend.func1\n"
            "        /path/main.go:42\n"
            "    main.noLocation\n");

  GoroutineGroup one;
  one.count = 1;
  one.function = "main.main";
  one.state = "running";
  one.representative = G(1, "running", {F("main.main", "/x/main.go", 12)});
  one.representative.frames_elided = true;
  EXPECT_EQ(FormatGroup(one),
            "1 goroutine [running]: main.main\n"
            "  stack:\n"
            "    main.main\n"
            "        /x/main.go:12\n"
            "    ...additional frames elided...\n");

  GoroutineGroup bare;
  bare.count = 2;
  bare.state = "running";
  bare.created_by = "main.spawn";
  EXPECT_EQ(FormatGroup(bare), "2 goroutines [running]: <no stack>\n  created by main.spawn\n");
}

TEST(GoroutineAttributionTest, EndToEndFromDebug2Text) {
  const std::string baseline =
      "goroutine 1 [IO wait]:\n"
      "internal/poll.runtime_pollWait(0x7f5e1c4a2e28, 0x72)\n"
      "\t/usr/local/go/src/runtime/netpoll.go:343 +0x85\n"
      "net/http.(*Server).Serve(0xc0000fe000, {0x7b1a30, 0xc0000a6f00})\n"
      "\t/usr/local/go/src/net/http/server.go:3056 +0x364\n"
      "main.main()\n"
      "\t/src/leaky/main.go:80 +0x1d\n";
  std::string final = baseline;
  for (int id = 40; id < 43; ++id) {
    final += "\ngoroutine " + std::to_string(id) +
             " [chan send, 1 minutes]:\n"
             "main.blockedSend.func1()\n"
             "\t/src/leaky/class01.go:42 +0x65\n"
             "created by main.blockedSend in goroutine 35\n"
             "\t/src/leaky/class01.go:40 +0x8f\n";
  }
  const auto diff = DiffGoroutineGroups(ParseGoroutinesDebug2(baseline), ParseGoroutinesDebug2(final));
  ASSERT_EQ(diff.size(), 1u);
  EXPECT_EQ(FormatGroup(diff[0]),
            "3 goroutines [chan send]: main.blockedSend.func1\n"
            "  created by main.blockedSend at /src/leaky/class01.go:40\n"
            "  stack:\n"
            "    main.blockedSend.func1\n"
            "        /src/leaky/class01.go:42\n");
  EXPECT_EQ(diff[0].representative.id, 40u);
  EXPECT_EQ(diff[0].representative.wait_minutes, 1);
}

// ---- real dumps captured from examples/go-targets (tests/fixtures/goroutines) ------------

#define LOAD_DUMP(var, name) LEAKGATE_LOAD_FIXTURE(var, "goroutines/" + GetParam() + "/" + (name))

class GoroutineAttributionFixtureTest : public testing::TestWithParam<std::string> {};

TEST_P(GoroutineAttributionFixtureTest, DiffNamesTheBlockedSendLeak) {
  LOAD_DUMP(baseline_text, "baseline.debug2.txt");
  LOAD_DUMP(leaky_text, "leaky.debug2.txt");
  const GoroutineDump baseline = ParseGoroutinesDebug2(baseline_text);
  const GoroutineDump leaky = ParseGoroutinesDebug2(leaky_text);
  ASSERT_GT(baseline.goroutines.size(), 0u);
  ASSERT_GT(leaky.goroutines.size(), baseline.goroutines.size());

  // The runner's default rules: leakgate's own scrape.
  const std::vector<IgnoreRule> rules = {{IgnoreRule::kAnyFunction, "runtime/pprof.writeGoroutineStacks"},
                                         {IgnoreRule::kAnyFunction, "runtime/pprof.writeGoroutine"}};
  const auto diff = DiffGoroutineGroups(baseline, leaky, rules);
  ASSERT_FALSE(diff.empty());
  for (const auto& g : diff) {
    EXPECT_GT(g.count, 0);
    EXPECT_FALSE(Matches(rules, g.representative));
  }
  const auto it = std::find_if(diff.begin(), diff.end(),
                               [](const GoroutineGroup& g) { return g.function == "main.blockedSend.func1"; });
  ASSERT_NE(it, diff.end()) << FormatGroup(diff.front());
  EXPECT_LT(it - diff.begin(), 3) << "the blocked-send leak should be among the top groups";
  EXPECT_EQ(it->state, "chan send");
  EXPECT_EQ(it->created_by, "main.blockedSend");
  EXPECT_NE(it->created_by_location.find(".go:"), std::string::npos) << it->created_by_location;
  EXPECT_EQ(it->count, 20);
  EXPECT_EQ(TopUserFrame(it->representative)->function, "main.blockedSend.func1");
  // Go 1.27 modules print the handler's labels in debug=2; the representative keeps them.
  if (GetParam() == "go1.27") {
    EXPECT_EQ(it->representative.labels, (PprofLabels{{"method", "GET"}, {"route", "/leak/blocked-send"}}));
  } else {
    EXPECT_TRUE(it->representative.labels.empty());
  }
  EXPECT_TRUE(FormatGroup(*it).starts_with(std::to_string(it->count) + " goroutines [chan send]: main.blockedSend.func1\n"));

  // Nothing grew from a dump to itself, and the leaky dump's groups cover all its goroutines.
  EXPECT_TRUE(DiffGoroutineGroups(leaky, leaky).empty());
  int64_t sum = 0;
  for (const auto& g : GroupGoroutines(leaky)) sum += g.count;
  EXPECT_EQ(sum, static_cast<int64_t>(leaky.goroutines.size()));
}

// A gRPC service's dump (examples/go-targets/grpc): leaks in a method's closure and in a
// stream producer with a long argument list, labelled by the interceptor (method=<full
// method>: in debug=2 headers by default in the Go 1.27 build only).
class GoroutineAttributionGrpcFixtureTest : public testing::TestWithParam<std::string> {};

TEST_P(GoroutineAttributionGrpcFixtureTest, GroupsTheGrpcLeaks) {
  LOAD_DUMP(text, "grpc-leaky.debug2.txt");
  ParseStats stats;
  const GoroutineDump dump = ParseGoroutinesDebug2(text, &stats);
  EXPECT_EQ(stats.skipped_blocks, 0u);
  EXPECT_EQ(stats.malformed_labels, 0u);
  EXPECT_FALSE(stats.truncated);
  ASSERT_GT(dump.goroutines.size(), 40u);

  const auto groups = GroupGoroutines(dump);
  ASSERT_GE(groups.size(), 3u);
  // Two groups of 20, ordered by function name.
  EXPECT_EQ(groups[0].function, "main.(*leakServer).BlockedSend.func1");
  EXPECT_EQ(groups[0].state, "chan send");
  EXPECT_EQ(groups[0].created_by, "main.(*leakServer).BlockedSend");
  EXPECT_TRUE(groups[0].created_by_location.ends_with("grpc/blocked_send.go:43")) << groups[0].created_by_location;
  EXPECT_EQ(groups[0].count, 20);
  ASSERT_FALSE(groups[0].representative.frames.empty());
  EXPECT_TRUE(groups[0].representative.frames[0].file.ends_with("grpc/blocked_send.go"));
  EXPECT_EQ(groups[0].representative.frames[0].line, 45);
  EXPECT_GT(groups[0].representative.creator_goroutine, 0u);

  EXPECT_EQ(groups[1].function, "main.tickProducer");
  EXPECT_EQ(groups[1].state, "chan send");
  EXPECT_EQ(groups[1].created_by, "main.(*leakServer).Ticks");
  EXPECT_EQ(groups[1].count, 20);
  EXPECT_GT(groups[0].count, groups[2].count);

  const bool labelled = GetParam() == "go1.27";
  for (const auto& [group, method] : {std::pair{&groups[0], "BlockedSend"}, std::pair{&groups[1], "Ticks"}}) {
    const PprofLabels want = {{"method", std::string("/leakgate.example.v1.LeakService/") + method}};
    EXPECT_EQ(group->representative.labels, labelled ? want : PprofLabels{}) << method;
  }
}

INSTANTIATE_TEST_SUITE_P(GoroutineFixtures, GoroutineAttributionGrpcFixtureTest, testing::Values("go1.26", "go1.27"),
                         test_support::VersionTestName);

INSTANTIATE_TEST_SUITE_P(GoroutineFixtures, GoroutineAttributionFixtureTest, testing::Values("go1.19", "go1.26", "go1.27"),
                         test_support::VersionTestName);

}  // namespace goroutine_attribution_test
}  // namespace leakgate::probes

#undef LOAD_DUMP  // file-local (unity batches compile several test files as one)
