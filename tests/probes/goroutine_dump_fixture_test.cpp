// The parsers on real dumps of every supported Go (tests/fixtures/goroutines/<version>,
// captured by tests/fixtures/capture.sh; README.md there says what each file holds). The
// same expectations hold on every version's capture; where a runtime prints differently,
// GoVersion says how, and the test expects exactly that.
#include "probes/goroutine_dump.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <numeric>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tests/probes/fixture_text.h"

namespace leakgate::probes {
namespace goroutine_dump_fixture_test {

// How one Go version prints what the fixtures hold.
struct GoVersion {
  std::string dir;                 // tests/fixtures/goroutines/<dir>
  bool creator_goroutine = true;   // "created by F in goroutine N" (Go 1.21+)
  bool debug2_labels = false;      // labels in leaky.debug2.txt headers by default (Go 1.27 modules)
  bool debug1_labels = true;       // the leaky target labelled its handlers when this was captured
  std::string invalid_utf8_label;  // the label value "z\xffz" as the debug=2 header escapes it, unquoted
};

const GoVersion kGo119{"go1.19", false, false, false, ""};
const GoVersion kGo126{"go1.26", true, false, true, "z\xef\xbf\xbdz"};  // printquoted wrote \ufffd
const GoVersion kGo127{"go1.27", true, true, true, "z\xffz"};           // printquoted writes \xff

// gtest prints a parameter with PrintTo.
void PrintTo(const GoVersion& v, std::ostream* os) { *os << v.dir; }

std::string VersionName(const ::testing::TestParamInfo<GoVersion>& param) {
  return test_support::TestNameOf(param.param.dir);
}

#define LOAD_DUMP(var, name) LEAKGATE_LOAD_FIXTURE(var, "goroutines/" + GetParam().dir + "/" + (name))

bool HasFrame(const Goroutine& g, std::string_view function) {
  return std::any_of(g.frames.begin(), g.frames.end(), [&](const Frame& f) { return f.function == function; });
}

size_t CountIf(const GoroutineDump& dump, const std::function<bool(const Goroutine&)>& pred) {
  return static_cast<size_t>(std::count_if(dump.goroutines.begin(), dump.goroutines.end(), pred));
}

// The one goroutine with a frame of `function`; nullptr (and a failure) unless exactly one.
const Goroutine* Only(const GoroutineDump& dump, std::string_view function) {
  const Goroutine* found = nullptr;
  for (const Goroutine& g : dump.goroutines) {
    if (!HasFrame(g, function)) continue;
    EXPECT_EQ(found, nullptr) << "more than one goroutine in " << function;
    found = &g;
  }
  EXPECT_NE(found, nullptr) << "no goroutine in " << function;
  return found;
}

// Lines that start with "goroutine <digit>".
size_t CountHeaders(std::string_view text) {
  size_t headers = 0;
  for (size_t p = 0; (p = text.find("goroutine ", p)) != std::string_view::npos; p += 10) {
    if ((p == 0 || text[p - 1] == '\n') && p + 10 < text.size() && text[p + 10] >= '0' && text[p + 10] <= '9') {
      ++headers;
    }
  }
  return headers;
}

// Parses `text`, expecting it clean: nothing skipped, every header a goroutine, ids
// unique, states and frames complete.
GoroutineDump ParseClean(const std::string& text) {
  ParseStats stats;
  GoroutineDump dump = ParseGoroutinesDebug2(text, &stats);
  EXPECT_EQ(stats.skipped_blocks, 0u);
  EXPECT_EQ(stats.malformed_labels, 0u);
  EXPECT_FALSE(stats.truncated);
  EXPECT_EQ(dump.goroutines.size(), CountHeaders(text));
  std::set<uint64_t> ids;
  for (const Goroutine& g : dump.goroutines) {
    EXPECT_TRUE(ids.insert(g.id).second) << "duplicate goroutine " << g.id;
    EXPECT_FALSE(g.state.empty()) << g.id;
    EXPECT_EQ(g.state.find('['), std::string::npos) << g.state;
    EXPECT_FALSE(g.truncated) << g.id;
    for (const Frame& f : g.frames) {
      EXPECT_FALSE(f.function.empty()) << g.id;
      EXPECT_EQ(f.function.find('('), f.function.find("(*")) << "arguments left in " << f.function;
      EXPECT_FALSE(f.file.empty()) << f.function;
      EXPECT_GT(f.line, 0) << f.function;
    }
  }
  return dump;
}

const PprofLabels kBlockedSendLabels = {{"method", "GET"}, {"route", "/leak/blocked-send"}};

// ---- the leaky target: baseline and leaky dumps, every version --------------------------

class GoroutineDumpFixtureTest : public ::testing::TestWithParam<GoVersion> {};

TEST_P(GoroutineDumpFixtureTest, Debug2ParsesCleanly) {
  for (const char* name : {"baseline.debug2.txt", "leaky.debug2.txt"}) {
    SCOPED_TRACE(name);
    LOAD_DUMP(text, name);
    const GoroutineDump dump = ParseClean(text);
    ASSERT_GT(dump.goroutines.size(), 0u);
    for (const Goroutine& g : dump.goroutines) {
      EXPECT_FALSE(g.frames.empty()) << g.id;
      if (g.id != 1) {
        EXPECT_TRUE(g.created_by.has_value()) << g.id;  // every goroutine but main
      }
    }
  }
}

TEST_P(GoroutineDumpFixtureTest, Debug1TotalsAgreeWithGroupsAndDebug2) {
  for (const std::string kind : {"baseline", "leaky"}) {
    SCOPED_TRACE(kind);
    LOAD_DUMP(debug1, kind + ".debug1.txt");
    LOAD_DUMP(debug2, kind + ".debug2.txt");
    ParseStats stats;
    const GroupedGoroutines grouped = ParseGoroutinesDebug1(debug1, &stats);
    EXPECT_EQ(stats.skipped_blocks, 0u);
    EXPECT_EQ(stats.malformed_labels, 0u);
    ASSERT_GT(grouped.total, 0);
    EXPECT_EQ(GoroutineTotalFromDebug1(debug1), grouped.total);
    const int64_t sum = std::accumulate(grouped.groups.begin(), grouped.groups.end(), int64_t{0},
                                        [](int64_t acc, const StackGroup& g) { return acc + g.count; });
    EXPECT_EQ(sum, grouped.total);
    // debug=1 and debug=2 were taken at different instants: close, not equal.
    const auto goroutines = static_cast<int64_t>(ParseGoroutinesDebug2(debug2).goroutines.size());
    EXPECT_LE(std::abs(goroutines - grouped.total), 10 + grouped.total / 5)
        << "debug=1 total " << grouped.total << ", debug=2 goroutines " << goroutines;
  }
}

TEST_P(GoroutineDumpFixtureTest, LeakyDumpsShowTheBlockedSenders) {
  LOAD_DUMP(debug2, "leaky.debug2.txt");
  LOAD_DUMP(debug1, "leaky.debug1.txt");
  const GoroutineDump dump = ParseGoroutinesDebug2(debug2);
  size_t blocked = 0;
  for (const Goroutine& g : dump.goroutines) {
    if (g.frames.empty() || g.frames.front().function != "main.blockedSend.func1") continue;
    ++blocked;
    EXPECT_EQ(g.state, "chan send");
    ASSERT_TRUE(g.created_by.has_value());
    EXPECT_EQ(g.created_by->function, "main.blockedSend");
    EXPECT_TRUE(g.created_by->file.ends_with("class01_blocked_send.go")) << g.created_by->file;
    EXPECT_EQ(g.creator_goroutine > 0, GetParam().creator_goroutine) << g.id;
    EXPECT_EQ(g.labels, GetParam().debug2_labels ? kBlockedSendLabels : PprofLabels{}) << g.id;
  }
  EXPECT_EQ(blocked, 20u);

  int64_t in_profile = 0;
  for (const StackGroup& g : ParseGoroutinesDebug1(debug1).groups) {
    if (g.frames.empty() || g.frames.front().function != "main.blockedSend.func1") continue;
    in_profile += g.count;
    EXPECT_EQ(g.labels, GetParam().debug1_labels ? kBlockedSendLabels : PprofLabels{});
  }
  EXPECT_EQ(in_profile, 20);
}

TEST_P(GoroutineDumpFixtureTest, CrlfParsesLikeLf) {
  LOAD_DUMP(text, "leaky.debug2.txt");
  const GoroutineDump lf = ParseGoroutinesDebug2(text);
  const GoroutineDump crlf = ParseGoroutinesDebug2(test_support::WithCrlf(text));
  ASSERT_EQ(crlf.goroutines.size(), lf.goroutines.size());
  for (size_t i = 0; i < lf.goroutines.size(); ++i) {
    EXPECT_EQ(crlf.goroutines[i].state, lf.goroutines[i].state);
    EXPECT_EQ(crlf.goroutines[i].labels, lf.goroutines[i].labels);
    EXPECT_EQ(crlf.goroutines[i].frames, lf.goroutines[i].frames);
    EXPECT_EQ(crlf.goroutines[i].created_by, lf.goroutines[i].created_by);
  }
}

INSTANTIATE_TEST_SUITE_P(GoVersions, GoroutineDumpFixtureTest, ::testing::Values(kGo119, kGo126, kGo127),
                         VersionName);

// ---- shapes only Go 1.26+ can print (labels in debug=2, goroutineleak, synctest, sync
// ---- wait reasons), from the leaky target and dump-shapes -------------------------------

class GoroutineShapesFixtureTest : public ::testing::TestWithParam<GoVersion> {};

// labels.debug2.txt: GODEBUG=tracebacklabels=1 (Go 1.26: inside the bracket; Go 1.27: the
// default, after it). Every leaked goroutine carries its handler's labels; the server's own
// goroutines carry none.
TEST_P(GoroutineShapesFixtureTest, LabelledDumpNamesTheRouteOfEveryLeak) {
  LOAD_DUMP(text, "labels.debug2.txt");
  const GoroutineDump dump = ParseClean(text);
  const std::vector<std::pair<std::string, std::string>> leaks = {
      {"main.blockedSend.func1", "/leak/blocked-send"},
      {"main.noCtxDoneWorker", "/leak/no-ctx-done"},
      {"main.rangeUnclosedWorker", "/leak/range-unclosed"},
      {"main.waitGroupMisuse.func1", "/leak/waitgroup"},
      {"net/http.(*persistConn).readLoop", "/leak/unclosed-body"},
      {"net/http.(*persistConn).writeLoop", "/leak/unclosed-body"}};
  for (const auto& [function, route] : leaks) {
    const PprofLabels want = {{"method", "GET"}, {"route", route}};
    EXPECT_EQ(CountIf(dump, [&](const Goroutine& g) { return HasFrame(g, function) && g.labels == want; }), 20u)
        << function;
  }
  EXPECT_GT(CountIf(dump, [](const Goroutine& g) { return g.labels.empty(); }), 0u);
  EXPECT_EQ(CountIf(dump, [](const Goroutine& g) { return HasFrame(g, "net/http.(*Server).Serve") && !g.labels.empty(); }), 0u);
}

// goroutineleak?debug=2 (each fetch runs a leak-detecting GC): the full dump, with the
// goroutines the runtime proved unreachable marked "(leaked)"; ?debug=1 has only those.
TEST_P(GoroutineShapesFixtureTest, GoroutineLeakProfileMarksTheProvenLeaks) {
  LOAD_DUMP(debug2, "goroutineleak.debug2.txt");
  LOAD_DUMP(debug1, "goroutineleak.debug1.txt");
  const GoroutineDump dump = ParseClean(debug2);
  const std::vector<std::tuple<std::string, std::string, std::string>> proven = {
      {"main.blockedSend.func1", "chan send", "/leak/blocked-send"},
      {"main.rangeUnclosedWorker", "chan receive", "/leak/range-unclosed"},
      {"main.waitGroupMisuse.func1", "sync.WaitGroup.Wait", "/leak/waitgroup"}};
  for (const auto& [function, state, route] : proven) {
    const PprofLabels want = {{"method", "GET"}, {"route", route}};
    EXPECT_EQ(CountIf(dump, [&](const Goroutine& g) {
                return g.leaked && g.state == state && HasFrame(g, function) && g.labels == want;
              }),
              20u)
        << function;
  }
  const size_t leaked = CountIf(dump, [](const Goroutine& g) { return g.leaked; });
  EXPECT_EQ(leaked, 60u);
  EXPECT_GT(dump.goroutines.size(), leaked) << "debug=2 holds the goroutines not leaked too";

  ParseStats stats;
  const GroupedGoroutines grouped = ParseGoroutinesDebug1(debug1, &stats);
  EXPECT_EQ(stats.skipped_blocks, 0u);
  EXPECT_EQ(stats.malformed_labels, 0u);
  EXPECT_EQ(grouped.total, 60);
  ASSERT_EQ(grouped.groups.size(), 3u);
  for (const StackGroup& g : grouped.groups) {
    EXPECT_EQ(g.count, 20);
    ASSERT_EQ(g.labels.size(), 2u);
    EXPECT_EQ(g.labels[0], (std::pair<std::string, std::string>{"method", "GET"}));
    EXPECT_TRUE(g.labels[1].second.starts_with("/leak/")) << g.labels[1].second;
  }
}

// The label values dump-shapes sets (its quotedLabelSet), sorted by key as Go prints them.
PprofLabels QuotedLabels(const std::string& invalid_utf8, const std::string& unicode) {
  return {{"backslash", "C:\\dir\\"}, {"brackets", "[x]: {y}"}, {"comma", "a, b"},  {"empty", ""},
          {"invalid", invalid_utf8},  {"key with space", "v"},  {"newline", "line1\nline2"},
          {"quote", "say \"hi\""},    {"route", "/v2/items/{id}"}, {"tab", "a\tb"}, {"unicode", unicode}};
}
const PprofLabels kPlainLabels = {{"method", "GET"}, {"route", "/v2/nil"}, {"version", "1.2_3"}};

// What dump-shapes parks, as any traceback of it must show: shapes.debug2.txt and the
// SIGQUIT traceback (GOTRACEBACK=system: "gp=... m=... mp=..." headers, runtime goroutines,
// "fp= sp= pc=" after every location).
void ExpectShapes(const GoroutineDump& dump, const GoVersion& v) {
  if (const Goroutine* deep = Only(dump, "main.deep")) {  // 151 frames deep: 100 printed
    EXPECT_EQ(deep->state, "chan receive");
    EXPECT_TRUE(deep->frames_elided);
    EXPECT_EQ(deep->frames.size(), 100u);
    // main.deep all the way, except the frames GOTRACEBACK=system shows: the runtime's
    // (the chan receive inside, runtime.goexit outside) and the go statement's wrapper.
    for (const Frame& f : deep->frames) {
      EXPECT_TRUE(f.function == "main.deep" || f.function.starts_with("runtime.") || f.function == "main.start.gowrap1")
          << f.function;
    }
    EXPECT_EQ(deep->frames[deep->frames.size() / 2].function, "main.deep");
    ASSERT_TRUE(deep->created_by.has_value());
    EXPECT_EQ(deep->created_by->function, "main.start");
  }
  for (const auto& [function, state] : std::vector<std::pair<std::string, std::string>>{
           {"main.rlockWaiter", "sync.RWMutex.RLock"}, {"main.lockWaiter", "sync.RWMutex.Lock"},
           {"main.mutexWaiter", "sync.Mutex.Lock"}, {"main.condWaiter", "sync.Cond.Wait"},
           {"main.waitGroupWaiter", "sync.WaitGroup.Wait"}, {"main.grandchild", "chan receive"}}) {
    if (const Goroutine* g = Only(dump, function)) {
      EXPECT_EQ(g->state, state) << function;
      EXPECT_FALSE(g->locked_to_thread) << function;
      EXPECT_TRUE(g->labels.empty()) << function;
    }
  }
  if (const Goroutine* locked = Only(dump, "main.lockedWaiter")) {
    EXPECT_EQ(locked->state, "chan receive");
    EXPECT_TRUE(locked->locked_to_thread);
  }
  if (const Goroutine* quoted = Only(dump, "main.quotedLabels")) {
    EXPECT_EQ(quoted->state, "chan receive (nil chan)");
    EXPECT_EQ(quoted->labels, QuotedLabels(v.invalid_utf8_label, "h\xc3\xa9llo w\xc3\xb6rld"));
  }
  if (const Goroutine* plain = Only(dump, "main.plainLabels")) {
    EXPECT_EQ(plain->state, "select (no cases)");
    EXPECT_EQ(plain->labels, kPlainLabels);
  }
  const Goroutine* child = Only(dump, "main.child");
  const Goroutine* grandchild = Only(dump, "main.grandchild");
  if (child != nullptr && grandchild != nullptr) {
    ASSERT_TRUE(grandchild->created_by.has_value());
    EXPECT_EQ(grandchild->created_by->function, "main.child");
    EXPECT_EQ(grandchild->creator_goroutine, child->id);
  }
}

TEST_P(GoroutineShapesFixtureTest, DeepStacksWaitReasonsAndLabels) {
  LOAD_DUMP(text, "shapes.debug2.txt");
  ExpectShapes(ParseClean(text), GetParam());
}

TEST_P(GoroutineShapesFixtureTest, SigquitTracebackWithGpAndMHeaders) {
  LOAD_DUMP(text, "sigquit.txt");
  ASSERT_TRUE(text.starts_with("SIGQUIT: quit\n"));
  ASSERT_NE(text.find(" gp=0x"), std::string::npos);
  const GoroutineDump dump = ParseClean(text);
  ExpectShapes(dump, GetParam());
  // GOTRACEBACK=system shows the runtime's own goroutines too.
  for (const char* state : {"GC sweep wait", "GC scavenge wait", "finalizer wait", "force gc (idle)"}) {
    EXPECT_EQ(CountIf(dump, [&](const Goroutine& g) { return g.state == state; }), 1u) << state;
  }
}

TEST_P(GoroutineShapesFixtureTest, Debug1LabelsUnescaped) {
  LOAD_DUMP(text, "shapes.debug1.txt");
  ParseStats stats;
  const GroupedGoroutines grouped = ParseGoroutinesDebug1(text, &stats);
  EXPECT_EQ(stats.skipped_blocks, 0u);
  EXPECT_EQ(stats.malformed_labels, 0u);
  std::vector<PprofLabels> sets;
  for (const StackGroup& g : grouped.groups) {
    if (!g.labels.empty()) sets.push_back(g.labels);
  }
  // %q (strconv.Quote) on every version: the invalid byte as \xff, printable UTF-8 as is.
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_NE(std::find(sets.begin(), sets.end(), QuotedLabels("z\xffz", "h\xc3\xa9llo w\xc3\xb6rld")), sets.end());
  EXPECT_NE(std::find(sets.begin(), sets.end(), kPlainLabels), sets.end());
}

// GODEBUG=tracebackancestors=5: "[originating from goroutine N]:" stacks after a goroutine's
// own belong to its creators; none of their frames is the goroutine's.
TEST_P(GoroutineShapesFixtureTest, AncestorStacksAreNotOwnFrames) {
  LOAD_DUMP(text, "ancestors.debug2.txt");
  ASSERT_NE(text.find("\n[originating from goroutine "), std::string::npos);
  const GoroutineDump dump = ParseClean(text);
  ExpectShapes(dump, GetParam());
  for (const char* ancestor_only : {"main.start", "main.spawnChain"}) {
    EXPECT_EQ(CountIf(dump, [&](const Goroutine& g) { return HasFrame(g, ancestor_only); }), 0u) << ancestor_only;
  }
  if (const Goroutine* g = Only(dump, "main.grandchild")) {
    EXPECT_EQ(g->frames.size(), 1u);
  }
}

// A testing/synctest bubble: "(durable)" and ", synctest bubble N".
TEST_P(GoroutineShapesFixtureTest, SynctestBubble) {
  LOAD_DUMP(text, "synctest.debug2.txt");
  const GoroutineDump dump = ParseClean(text);
  std::set<uint64_t> bubbles;
  for (const std::string state : {"chan send (durable)", "select (durable)", "sleep (durable)",
                                  "sync.Cond.Wait (durable)", "sync.WaitGroup.Wait (durable)"}) {
    EXPECT_EQ(CountIf(dump, [&](const Goroutine& g) { return g.state == state && g.synctest_bubble != 0; }), 1u)
        << state;
  }
  for (const Goroutine& g : dump.goroutines) {
    if (g.synctest_bubble != 0) bubbles.insert(g.synctest_bubble);
  }
  EXPECT_EQ(bubbles.size(), 1u) << "one bubble";
  EXPECT_GT(CountIf(dump, [](const Goroutine& g) { return g.synctest_bubble == 0; }), 0u) << "goroutines outside it";
  EXPECT_EQ(CountIf(dump, [](const Goroutine& g) { return g.state == "running" && g.synctest_bubble != 0; }), 1u);
}

INSTANTIATE_TEST_SUITE_P(GoVersions, GoroutineShapesFixtureTest, ::testing::Values(kGo126, kGo127), VersionName);

}  // namespace goroutine_dump_fixture_test
}  // namespace leakgate::probes

#undef LOAD_DUMP  // file-local (unity batches compile several test files as one)
