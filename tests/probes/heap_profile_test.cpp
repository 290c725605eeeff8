#include "probes/heap_profile.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "tests/probes/fixture_text.h"

namespace leakgate::probes {
namespace heap_profile_test {

using test_support::WithCrlf;

// The fixture tests/fixtures/heap/<name>; a missing one fails the test.
#define LOAD_FIXTURE(var, name) LEAKGATE_LOAD_FIXTURE(var, std::string("heap/") + (name))

// The record with the most in-use bytes among those whose innermost frame is `top_function`.
const HeapRecord* FindRecord(const HeapProfile& p, std::string_view top_function) {
  const HeapRecord* best = nullptr;
  for (const HeapRecord& r : p.records) {
    if (r.frames.empty() || r.frames[0].function != top_function) continue;
    if (best == nullptr || r.inuse_bytes > best->inuse_bytes) best = &r;
  }
  return best;
}

// ---- real profiles: go1.26.8, runtime.MemProfileRate = 4096, before and after a
// ---- 4000-entry map[string][]byte cache was filled (see tests/fixtures/README-probes.md)

TEST(HeapProfileFixtureTest, HeaderRecordsAndMemStats) {
  LOAD_FIXTURE(text, "go1.26.heap-debug1.txt");
  const HeapProfile p = ParseHeapProfileDebug1(text);
  EXPECT_TRUE(p.has_header);
  EXPECT_EQ(p.inuse_objects, 29);
  EXPECT_EQ(p.inuse_bytes, 603752);
  EXPECT_EQ(p.alloc_objects, 69);
  EXPECT_EQ(p.alloc_bytes, 1943624);
  EXPECT_EQ(p.sampling_rate, 4096) << "heap/8192 is 2 x MemProfileRate";
  EXPECT_EQ(p.records.size(), 53u);
  EXPECT_EQ(p.skipped_lines, 0u);
  EXPECT_FALSE(p.truncated);

  EXPECT_EQ(p.memstats.size(), 27u);
  EXPECT_EQ(p.memstats.at("HeapInuse"), 1736704);
  EXPECT_EQ(p.memstats.at("HeapObjects"), 1633);
  EXPECT_EQ(p.memstats.at("HeapAlloc"), 911376);
  EXPECT_EQ(p.memstats.at("NumGC"), 2);
  EXPECT_EQ(p.memstats.at("LastGC"), int64_t{1795420548819926074});
  EXPECT_EQ(p.memstats.at("StackInuse"), 360448);
  EXPECT_EQ(p.memstats.at("StackSys"), 360448);
  EXPECT_EQ(p.memstats.at("MSpanInuse"), 34400);
  EXPECT_EQ(p.memstats.at("MSpanSys"), 48960);
  EXPECT_EQ(p.memstats.at("MCacheSys"), 16072);
  EXPECT_EQ(p.memstats.at("DebugGC"), 0);
  EXPECT_EQ(p.memstats.at("MaxRSS"), 13721600);
  EXPECT_EQ(p.memstats.count("PauseNs"), 0u);
  EXPECT_EQ(p.memstats.count("GCCPUFraction"), 0u);
  EXPECT_EQ(p.memstats.count("Stack"), 0u);

  const std::map<std::string, double> resources = {
      {"heap_inuse_bytes", 1736704}, {"heap_objects", 1633}, {"heap_alloc_bytes", 911376}, {"gc_cycles", 2}};
  EXPECT_EQ(HeapProfileResources(p), resources);
}

TEST(HeapProfileFixtureTest, RecordCountsAndFrames) {
  LOAD_FIXTURE(text, "go1.26.heap-debug1.txt");
  const HeapProfile p = ParseHeapProfileDebug1(text);
  const HeapRecord* r = FindRecord(p, "main.keepBuffers");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->inuse_objects, 8);
  EXPECT_EQ(r->inuse_bytes, 524288);
  EXPECT_EQ(r->alloc_objects, 8);
  EXPECT_EQ(r->alloc_bytes, 524288);
  ASSERT_EQ(r->frames.size(), 3u);
  EXPECT_EQ(r->frames[0], (Frame{"main.keepBuffers", "/tmp/lgcap/main.go", 37}));
  EXPECT_EQ(r->frames[1], (Frame{"main.main", "/tmp/lgcap/main.go", 103}));
  EXPECT_EQ(r->frames[2], (Frame{"runtime.main", "/usr/local/go/src/runtime/proc.go", 290}));

  // The records add up to the header totals, as Go computed them.
  int64_t sums[4] = {0, 0, 0, 0};
  for (const HeapRecord& rec : p.records) {
    sums[0] += rec.inuse_objects;
    sums[1] += rec.inuse_bytes;
    sums[2] += rec.alloc_objects;
    sums[3] += rec.alloc_bytes;
    EXPECT_FALSE(rec.frames.empty());
    for (const Frame& f : rec.frames) {
      EXPECT_EQ(f.function.find('+'), std::string::npos) << f.function;
      EXPECT_GT(f.line, 0) << f.function;
    }
  }
  EXPECT_EQ(sums[0], p.inuse_objects);
  EXPECT_EQ(sums[1], p.inuse_bytes);
  EXPECT_EQ(sums[2], p.alloc_objects);
  EXPECT_EQ(sums[3], p.alloc_bytes);
}

TEST(HeapProfileFixtureTest, DiffNamesTheGrowingCache) {
  LOAD_FIXTURE(before_text, "go1.26.heap-debug1.txt");
  LOAD_FIXTURE(after_text, "go1.26.heap-debug1.grown.txt");
  const HeapProfile before = ParseHeapProfileDebug1(before_text);
  const HeapProfile after = ParseHeapProfileDebug1(after_text);
  EXPECT_EQ(after.records.size(), 111u);
  EXPECT_EQ(after.skipped_lines, 0u);
  EXPECT_EQ(after.memstats.at("HeapInuse"), 18546688);

  const std::vector<HeapGrowth> growth = DiffHeapProfiles(before, after, 0);
  ASSERT_EQ(growth.size(), 6u);

  // buf := make([]byte, 4096) x 4000 at main.go:27: 16,384,000 bytes really allocated;
  // the profile sampled 2519 of them, which pprof's estimate scales to 3984.
  EXPECT_EQ(growth[0].site, (Frame{"main.fillCache", "/tmp/lgcap/main.go", 27}));
  EXPECT_EQ(growth[0].stack_key, "main.fillCache:27;main.main:106;runtime.main:290");
  EXPECT_EQ(growth[0].bytes_delta, 16322557);
  EXPECT_EQ(growth[0].objects_delta, 3984);
  EXPECT_EQ(growth[0].sampled_bytes_delta, 10317824);
  EXPECT_EQ(growth[0].sampled_objects_delta, 2519);
  EXPECT_EQ(growth[0].final_bytes, 16322557);
  EXPECT_EQ(growth[0].final_objects, 3984);
  ASSERT_EQ(growth[0].frames.size(), 3u);
  EXPECT_EQ(growth[0].frames[0].function, "main.fillCache");

  // The map's buckets (cache[key] = buf at :28; the internal/runtime/maps frames are
  // hidden by pprof), the key strings (:26) and fmt.Sprintf's buffers inside them.
  EXPECT_EQ(growth[1].stack_key, "main.fillCache:28;main.main:106;runtime.main:290");
  EXPECT_EQ(growth[1].bytes_delta, 393218);
  EXPECT_EQ(growth[1].objects_delta, 8);
  EXPECT_EQ(growth[1].sampled_bytes_delta, 393216);
  EXPECT_EQ(growth[2].stack_key, "main.fillCache:26;main.main:106;runtime.main:290");
  EXPECT_EQ(growth[2].bytes_delta, 24624);
  EXPECT_EQ(growth[2].objects_delta, 1539);
  EXPECT_EQ(growth[2].sampled_objects_delta, 6);
  EXPECT_EQ(growth[3].site, (Frame{"fmt.Sprintf", "/usr/local/go/src/fmt/print.go", 240}));
  EXPECT_EQ(growth[3].stack_key, "fmt.Sprintf:240;main.fillCache:26;main.main:106;runtime.main:290");
  EXPECT_EQ(growth[3].bytes_delta, 16416);
  EXPECT_EQ(growth[3].objects_delta, 1026);
  // Noise a real process has: buffers of the HTTP connections that fetched the profiles.
  EXPECT_EQ(growth[4].site.function, "bufio.NewWriterSize");
  EXPECT_EQ(growth[4].bytes_delta, 5204);
  EXPECT_EQ(growth[5].site.function, "sync.(*Pool).pinSlow");
  EXPECT_EQ(growth[5].bytes_delta, 4225);

  for (const HeapGrowth& g : growth) {
    EXPECT_EQ(g.stack_key.find("keepBuffers"), std::string::npos) << "held since before the baseline";
  }

  const std::vector<HeapGrowth> top2 = DiffHeapProfiles(before, after, 2);
  ASSERT_EQ(top2.size(), 2u);
  EXPECT_EQ(top2[0].stack_key, growth[0].stack_key);
  EXPECT_EQ(top2[1].stack_key, growth[1].stack_key);
  EXPECT_TRUE(DiffHeapProfiles(after, after, 0).empty());
  for (const HeapGrowth& g : DiffHeapProfiles(after, before, 0)) {
    EXPECT_EQ(g.stack_key.find("fillCache"), std::string::npos) << "the cache only grew";
  }
}

TEST(HeapProfileFixtureTest, CrlfProfileParsesTheSame) {
  LOAD_FIXTURE(text, "go1.26.heap-debug1.grown.txt");
  const HeapProfile lf = ParseHeapProfileDebug1(text);
  const HeapProfile crlf = ParseHeapProfileDebug1(WithCrlf(text));
  EXPECT_EQ(crlf.skipped_lines, 0u);
  ASSERT_EQ(crlf.records.size(), lf.records.size());
  for (size_t i = 0; i < lf.records.size(); ++i) {
    EXPECT_EQ(crlf.records[i].inuse_bytes, lf.records[i].inuse_bytes);
    EXPECT_EQ(crlf.records[i].frames, lf.records[i].frames);
  }
  EXPECT_EQ(crlf.memstats, lf.memstats);
  EXPECT_EQ(crlf.sampling_rate, 4096);
}

// A profile cut anywhere yields a prefix of the whole profile's records, each either
// complete or missing only trailing frames — never a shortened number or line.
TEST(HeapProfileFixtureTest, CutAnywhereKeepsOnlyCompleteLines) {
  LOAD_FIXTURE(text, "go1.26.heap-debug1.txt");
  const HeapProfile whole = ParseHeapProfileDebug1(text);
  for (size_t cut = 0; cut < text.size(); cut += 11) {
    const std::string_view prefix = std::string_view(text).substr(0, cut);
    const HeapProfile p = ParseHeapProfileDebug1(prefix);
    ASSERT_LE(p.records.size(), whole.records.size());
    for (size_t i = 0; i < p.records.size(); ++i) {
      const HeapRecord& got = p.records[i];
      const HeapRecord& want = whole.records[i];
      ASSERT_EQ(got.inuse_bytes, want.inuse_bytes) << "cut at " << cut;
      ASSERT_EQ(got.alloc_bytes, want.alloc_bytes) << "cut at " << cut;
      ASSERT_LE(got.frames.size(), want.frames.size());
      for (size_t j = 0; j < got.frames.size(); ++j) ASSERT_EQ(got.frames[j], want.frames[j]) << "cut at " << cut;
    }
    for (const auto& [name, value] : p.memstats) ASSERT_EQ(value, whole.memstats.at(name)) << name << " cut at " << cut;
    ASSERT_EQ(p.truncated, cut != 0 && prefix.back() != '\n');
    ASSERT_LE(p.skipped_lines, 1u);
  }
}

// ---- inline profiles ----------------------------------------------------------------------

TEST(HeapProfileTest, FrameLinePadding) {
  const HeapProfile p = ParseHeapProfileDebug1(
      "heap profile: 3: 96 [4: 128] @ heap/1048576\n"
      "3: 96 [4: 128] @ 0x1 0x2 0x3 0x4\n"
      "#\t0x4a1b2b\tmain.(*Cache).Put+0x5b\t\t\t/src/svc/cache.go:42\n"
      "#\t0x4a1c00\n"  // no symbol: left out
      "#\t0x4a1d00\ttype:.eq.[2]interface {}+0x1\t<autogenerated>:1\n"
      "#\t0x4a1e00\tmain.Map[...]+0x10\t/src/svc/g.go:7\n"
      "#\t0x4a1f00\tmain.main.func1\t/src/svc/main.go:9\n"  // no offset
      "\n");
  EXPECT_EQ(p.skipped_lines, 0u);
  EXPECT_EQ(p.sampling_rate, 524288);
  ASSERT_EQ(p.records.size(), 1u);
  const std::vector<Frame> frames = {
      {"main.(*Cache).Put", "/src/svc/cache.go", 42},
      {"type:.eq.[2]interface {}", "<autogenerated>", 1},
      {"main.Map[...]", "/src/svc/g.go", 7},
      {"main.main.func1", "/src/svc/main.go", 9},
  };
  EXPECT_EQ(p.records[0].frames, frames);
  EXPECT_EQ(p.records[0].inuse_objects, 3);
  EXPECT_EQ(p.records[0].alloc_objects, 4);
  EXPECT_EQ(p.records[0].alloc_bytes, 128);
}

TEST(HeapProfileTest, MalformedLinesAreSkippedAndCounted) {
  const HeapProfile p = ParseHeapProfileDebug1(
      "heap profile: 1: 2 [3: 4] @ heap/2\n"
      "heap profile: 9: 9 [9: 9] @ heap/2\n"         // a second header
      "1: 16 [1 16] @ 0x1\n"                         // no ':' -> record and its frames skipped
      "#\t0x1\tmain.lost+0x1\t/x.go:1\n"             //   (counted)
      "2: 32 [2: 32] @ 0x1 zz\n"                     // not an address
      "99999999999999999999: 1 [1: 1] @ 0x1\n"       // overflow
      "garbage\n"                                    //
      "1: 8 [1: 8] @ 0x10\n"                         // good
      "#\t0x10\tmain.ok+0x1\t/ok.go:5\n"             //
      "#\t0x11\tmain.noline+0x1\t/ok.go\n"           // no line number
      "#\t0x12\tmain.badline+0x1\t/ok.go:x\n"        //
      "#\tnot-an-address\tmain.f\t/ok.go:1\n"        //
      "#\t0x13\tmain.f\t/ok.go:1\textra\n"           // four columns
      "\n"
      "#\t0x14\tmain.orphan+0x1\t/ok.go:2\n"         // frame outside a record
      "# HeapInuse = 5\n"                            // memstats line before the marker
      "# runtime.MemStats\n"
      "# HeapInuse = 4096\n"
      "# NumGC = x\n"                                // not a number
      "# Stack = 1 / y\n"                            //
      "# GCCPUFraction = 0.5\n"                      // a float: recognized, not kept
      "# EnableGC = true\n"                          //
      "# PauseNs = [1 2 3]\n"                        // an array: recognized, not kept
      "# no equals sign\n");
  EXPECT_EQ(p.skipped_lines, 15u);
  EXPECT_EQ(p.inuse_objects, 1) << "the first header counts";
  EXPECT_EQ(p.sampling_rate, 1);
  ASSERT_EQ(p.records.size(), 1u);
  EXPECT_EQ(p.records[0].inuse_bytes, 8);
  EXPECT_EQ(p.records[0].frames, (std::vector<Frame>{{"main.ok", "/ok.go", 5}}));
  const std::map<std::string, int64_t> memstats = {{"HeapInuse", 4096}, {"EnableGC", 1}};
  EXPECT_EQ(p.memstats, memstats);
}

TEST(HeapProfileTest, HeaderForms) {
  HeapProfile p = ParseHeapProfileDebug1("heap profile: 1: 2 [3: 4] @ heap_v2/524288\n");
  EXPECT_TRUE(p.has_header);
  EXPECT_EQ(p.sampling_rate, 524288);
  EXPECT_EQ(p.alloc_bytes, 4);
  p = ParseHeapProfileDebug1("heap profile:   1:   2 [   3:    4] @ heapprofile\n");
  EXPECT_TRUE(p.has_header);
  EXPECT_EQ(p.sampling_rate, 1);
  EXPECT_EQ(p.alloc_objects, 3);
  p = ParseHeapProfileDebug1("heap profile: 1: 2 [3: 4] @ heap/0\n");
  EXPECT_EQ(p.sampling_rate, 0) << "MemProfileRate = 0: profiling off";
  for (std::string_view bad : {"heap profile: 1: 2 [3: 4] @ heap/x\n", "heap profile: 1: 2 [3: 4] @ other/5\n",
                               "heap profile: 1: 2 [3: 4]\n", "heap profile: 1: 2 @ heap/2\n",
                               "heap profile: 1: 2 [3: 4] @ heap/-2\n"}) {
    p = ParseHeapProfileDebug1(bad);
    EXPECT_FALSE(p.has_header) << bad;
    EXPECT_EQ(p.skipped_lines, 1u) << bad;
  }
  p = ParseHeapProfileDebug1("1: 8 [1: 8] @ 0x1\n#\t0x1\tmain.f+0x1\t/f.go:3\n");
  EXPECT_FALSE(p.has_header);
  EXPECT_EQ(p.records.size(), 1u) << "records without a header are still read";
  EXPECT_TRUE(ParseHeapProfileDebug1("").records.empty());
}

TEST(HeapProfileTest, CutLastLineIsNotUsed) {
  const HeapProfile p = ParseHeapProfileDebug1(
      "heap profile: 2: 64 [2: 64] @ heap/1024\n"
      "1: 32 [1: 32] @ 0x1\n"
      "#\t0x1\tmain.a+0x1\t/a.go:4");  // of ":42\n"
  EXPECT_TRUE(p.truncated);
  EXPECT_EQ(p.skipped_lines, 1u);
  ASSERT_EQ(p.records.size(), 1u);
  EXPECT_TRUE(p.records[0].frames.empty());
  const HeapProfile q = ParseHeapProfileDebug1("heap profile: 2: 64 [2: 64] @ heap/1024\n1: 3");
  EXPECT_TRUE(q.records.empty());
  EXPECT_TRUE(q.truncated);
}

TEST(HeapProfileTest, ScaleHeapSampleMatchesPprof) {
  // 1 / (1 - e^-1) = 1.5819767068693265
  EXPECT_EQ(ScaleHeapSample(1, 4096, 4096), (std::pair<int64_t, int64_t>{1, 6479}));
  EXPECT_EQ(ScaleHeapSample(2543, 10416128, 4096), (std::pair<int64_t, int64_t>{4022, 16478071}));
  EXPECT_EQ(ScaleHeapSample(1, 16, 512), (std::pair<int64_t, int64_t>{32, 520}));
  EXPECT_EQ(ScaleHeapSample(3, 96, 1), (std::pair<int64_t, int64_t>{3, 96})) << "rate 1: unsampled";
  EXPECT_EQ(ScaleHeapSample(3, 96, 0), (std::pair<int64_t, int64_t>{3, 96}));
  EXPECT_EQ(ScaleHeapSample(0, 96, 512), (std::pair<int64_t, int64_t>{0, 0}));
  EXPECT_EQ(ScaleHeapSample(3, 0, 512), (std::pair<int64_t, int64_t>{0, 0}));
  EXPECT_EQ(ScaleHeapSample(-3, 96, 512), (std::pair<int64_t, int64_t>{0, 0}));
  const int64_t max = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(ScaleHeapSample(max / 2, max, int64_t{1} << 40), (std::pair<int64_t, int64_t>{max, max}));
  EXPECT_EQ(ScaleHeapSample(max, 1, max), (std::pair<int64_t, int64_t>{max, max})) << "avg / rate underflows";
  // Regression (found by fuzz_heap_profile): a scale of 1.0 on bytes near 2^63 rounded the
  // product to the double below the input; the estimate never shrinks a sample.
  EXPECT_EQ(ScaleHeapSample(3, 7777777777777777796, 1048576), (std::pair<int64_t, int64_t>{3, 7777777777777777796}));
}

// Unsampled profiles (rate 1) so the expected deltas are the printed numbers.
constexpr std::string_view kBase =
    "heap profile: 0: 0 [0: 0] @ heap/2\n"
    "1: 100 [1: 100] @ 0x1\n"
    "#\t0x1\tmain.steady+0x1\t/m.go:10\n"
    "\n"
    "1: 50 [1: 50] @ 0x2 0x3\n"
    "#\t0x2\tmain.grow+0x1\t/m.go:20\n"
    "#\t0x3\tmain.main+0x1\t/m.go:1\n"
    "\n"
    "4: 400 [4: 400] @ 0x9\n"
    "#\t0x9\tmain.shrink+0x1\t/m.go:90\n"
    "\n";

constexpr std::string_view kFinal =
    "heap profile: 0: 0 [0: 0] @ heap/2\n"
    "1: 100 [1: 100] @ 0x1\n"
    "#\t0x1\tmain.steady+0x1\t/m.go:10\n"
    "\n"
    // main.grow:20 twice (different PCs, same lines, one via runtime frames Go printed
    // because of allFrames): one site.
    "3: 150 [3: 150] @ 0x2 0x3\n"
    "#\t0x2\tmain.grow+0x1\t/m.go:20\n"
    "#\t0x3\tmain.main+0x1\t/m.go:1\n"
    "\n"
    "2: 100 [2: 100] @ 0x5 0x6 0x7 0x3\n"
    "#\t0x5\truntime.mallocgc+0x1\t/go/src/runtime/malloc.go:1\n"
    "#\t0x6\tinternal/runtime/maps.newarray+0x1\t/go/src/internal/runtime/maps/x.go:1\n"
    "#\t0x7\tmain.grow+0x9\t/m.go:20\n"
    "#\t0x3\tmain.main+0x1\t/m.go:1\n"
    "\n"
    // Same bytes growth as main.grow's 200 but more objects: ranks before it.
    "20: 200 [20: 200] @ 0x8\n"
    "#\t0x8\tmain.many+0x1\t/m.go:30\n"
    "\n"
    // Ties on bytes and objects: by stack key.
    "1: 10 [1: 10] @ 0xb\n"
    "#\t0xb\tmain.zeta+0x1\t/m.go:50\n"
    "\n"
    "1: 10 [1: 10] @ 0xa\n"
    "#\t0xa\tmain.alpha+0x1\t/m.go:40\n"
    "\n"
    // Entirely runtime: the site is the first frame.
    "1: 5 [1: 5] @ 0xc 0xd\n"
    "#\t0xc\truntime.malg+0x1\t/go/src/runtime/proc.go:7\n"
    "#\t0xd\truntime/internal/sys.x+0x1\t/go/src/runtime/internal/sys/x.go:3\n"
    "\n"
    // No frames at all.
    "1: 1 [1: 1] @\n"
    "\n"
    "1: 100 [4: 400] @ 0x9\n"
    "#\t0x9\tmain.shrink+0x1\t/m.go:90\n"
    "\n";

TEST(HeapProfileTest, DiffGroupsBySiteAndStackAndOrdersByBytes) {
  const HeapProfile base = ParseHeapProfileDebug1(kBase);
  const HeapProfile fin = ParseHeapProfileDebug1(kFinal);
  ASSERT_EQ(base.sampling_rate, 1);
  ASSERT_EQ(fin.skipped_lines, 0u);
  const std::vector<HeapGrowth> g = DiffHeapProfiles(base, fin, 0);
  ASSERT_EQ(g.size(), 6u);

  EXPECT_EQ(g[0].stack_key, "main.many:30");
  EXPECT_EQ(g[0].bytes_delta, 200);
  EXPECT_EQ(g[0].objects_delta, 20);

  EXPECT_EQ(g[1].stack_key, "main.grow:20;main.main:1");
  EXPECT_EQ(g[1].site, (Frame{"main.grow", "/m.go", 20}));
  EXPECT_EQ(g[1].bytes_delta, 200);
  EXPECT_EQ(g[1].objects_delta, 4);
  EXPECT_EQ(g[1].sampled_bytes_delta, 200);
  EXPECT_EQ(g[1].final_bytes, 250);
  EXPECT_EQ(g[1].final_objects, 5);
  ASSERT_EQ(g[1].frames.size(), 2u) << "the largest record's stack (150 > 100 bytes)";
  EXPECT_EQ(g[1].frames[0].function, "main.grow");

  EXPECT_EQ(g[2].stack_key, "main.alpha:40");
  EXPECT_EQ(g[3].stack_key, "main.zeta:50");
  EXPECT_EQ(g[4].stack_key, "runtime.malg:7;runtime/internal/sys.x:3");
  EXPECT_EQ(g[4].site, (Frame{"runtime.malg", "/go/src/runtime/proc.go", 7}));
  EXPECT_EQ(g[5].stack_key, "");
  EXPECT_EQ(g[5].site, Frame{});
  EXPECT_EQ(g[5].bytes_delta, 1);

  EXPECT_EQ(DiffHeapProfiles(base, fin, 1).size(), 1u);
  EXPECT_EQ(DiffHeapProfiles(base, fin, 100).size(), 6u);
}

TEST(HeapProfileTest, DiffScalesEachProfileWithItsOwnRate) {
  const HeapProfile base = ParseHeapProfileDebug1(
      "heap profile: 1: 4096 [1: 4096] @ heap/2\n1: 4096 [1: 4096] @ 0x1\n#\t0x1\tmain.f+0x1\t/f.go:1\n\n");
  const HeapProfile fin = ParseHeapProfileDebug1(
      "heap profile: 1: 4096 [1: 4096] @ heap/8192\n1: 4096 [1: 4096] @ 0x1\n#\t0x1\tmain.f+0x1\t/f.go:1\n\n");
  const std::vector<HeapGrowth> g = DiffHeapProfiles(base, fin, 0);
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].bytes_delta, 6479 - 4096);
  EXPECT_EQ(g[0].objects_delta, 0);
  EXPECT_EQ(g[0].sampled_bytes_delta, 0);
}

TEST(HeapProfileTest, DiffSaturatesInsteadOfOverflowing) {
  const HeapProfile base = ParseHeapProfileDebug1("-9223372036854775807: -9223372036854775807 [0: 0] @ 0x1\n\n");
  const HeapProfile fin = ParseHeapProfileDebug1(
      "9223372036854775807: 9223372036854775807 [0: 0] @ 0x1\n\n"
      "9223372036854775807: 9223372036854775807 [0: 0] @ 0x1\n\n");
  const std::vector<HeapGrowth> g = DiffHeapProfiles(base, fin, 0);
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].bytes_delta, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(g[0].sampled_bytes_delta, std::numeric_limits<int64_t>::max());
}

// ---- the leaky target's heap?gc=1&debug=1, before and after its leaks, every Go version
// ---- (tests/fixtures/heap/<version>, captured with the goroutine fixtures) ---------------

class HeapProfileVersionFixtureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(HeapProfileVersionFixtureTest, BaselineAndLeakyParseCleanly) {
  int64_t gcs[2] = {0, 0};
  int i = 0;
  for (const char* name : {"baseline.debug1.txt", "leaky.debug1.txt"}) {
    SCOPED_TRACE(name);
    LOAD_FIXTURE(text, GetParam() + "/" + name);
    const HeapProfile p = ParseHeapProfileDebug1(text);
    EXPECT_TRUE(p.has_header);
    EXPECT_FALSE(p.truncated);
    EXPECT_EQ(p.skipped_lines, 0u);
    EXPECT_EQ(p.sampling_rate, 512 * 1024) << "heap/1048576: the default MemProfileRate, times two";
    EXPECT_FALSE(p.records.empty());
    for (const HeapRecord& r : p.records) EXPECT_FALSE(r.frames.empty());
    ASSERT_TRUE(p.memstats.contains("HeapAlloc"));
    EXPECT_GT(p.memstats.at("HeapAlloc"), 0);
    ASSERT_TRUE(p.memstats.contains("NumGC"));
    gcs[i++] = p.memstats.at("NumGC");
  }
  EXPECT_GT(gcs[1], gcs[0]) << "every heap?gc=1 forces a collection";
}

INSTANTIATE_TEST_SUITE_P(GoVersions, HeapProfileVersionFixtureTest, ::testing::Values("go1.26", "go1.27"),
                         test_support::VersionTestName);

}  // namespace heap_profile_test
}  // namespace leakgate::probes

#undef LOAD_FIXTURE  // file-local (unity batches compile several test files as one)
