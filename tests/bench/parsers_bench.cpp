// Throughput of the probe parsers on large synthetic inputs shaped like real Go output:
//
//   BM_PrometheusText   a /metrics page of 50,000 series (client_golang formatting)
//   BM_GoroutineDebug2  a debug=2 goroutine dump of 100,000 goroutines, 5-15 frames each
//   BM_GoroutineDebug2Labelled  the same with Go 1.27 label sets after each header
//   BM_GoroutineDebug2Go127Fixture  the real Go 1.27.3 dump tests/fixtures/goroutines/go1.27/leaky.debug2.txt
//   BM_GoroutineTwoDumpsParseAndGroup  parse and group two 100,000-goroutine dumps (a
//                       baseline and a final one)
//   BM_GoroutineDiff    DiffGoroutineGroups over two such parsed dumps
//   BM_GoroutineDebug1  the same goroutines as a debug=1 profile (grouped stacks)
//   BM_HeapProfile      a debug=1 heap profile of 20,000 records with a MemStats trailer
//   BM_HeapDiff         DiffHeapProfiles over two such profiles
//   BM_Expvar           /debug/vars with 20,000 published map entries
//
// Each reports bytes/s (MB/s of input text), items/s (series, goroutines, records) and
// peak_rss_MiB: the process's VmHWM from /proc/self/status after the run, which includes
// the input text and every earlier benchmark of the same process; run one benchmark per
// process (--benchmark_filter=BM_X) to read a parser's own peak. Inputs are built before
// the timed loop with a fixed seed, so runs are comparable.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "probes/expvar.h"
#include "probes/goroutine_attribution.h"
#include "probes/goroutine_dump.h"
#include "probes/heap_profile.h"
#include "probes/prometheus_text.h"

namespace leakgate::probes {
namespace {

// VmHWM (peak resident set) of this process in MiB; 0 if /proc is unavailable.
double PeakRssMiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

void Report(benchmark::State& state, size_t bytes, size_t items) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(items));
  state.counters["input_MiB"] = static_cast<double>(bytes) / (1024.0 * 1024.0);
  state.counters["peak_rss_MiB"] = PeakRssMiB();
}

// Go's strconv.FormatFloat(v, 'g', -1, 64) for the values used here.
std::string GoFloat(std::mt19937_64& rng) {
  switch (rng() % 6) {
    case 0:
      return std::to_string(rng() % 100000);
    case 1:
      return std::to_string(rng() % 1000) + "." + std::to_string(rng() % 1000) + "e+0" + std::to_string(6 + rng() % 3);
    case 2:
      return "0.00" + std::to_string(100000 + rng() % 900000);
    case 3:
      return std::to_string(1 + rng() % 9) + "." + std::to_string(rng() % 100000) + "e-0" + std::to_string(1 + rng() % 9);
    case 4:
      return rng() % 50 == 0 ? "NaN" : "1.7954197237130883e+09";
    default:
      return std::to_string(rng() % 10) + "." + std::to_string(rng() % 1000);
  }
}

// A client_golang page: counters with three labels, histograms (buckets, sum, count) and
// gauges, ~50 series per family.
std::string BuildMetricsPage(size_t series, size_t& sample_count) {
  std::mt19937_64 rng(42);
  std::string out;
  out.reserve(series * 110);
  sample_count = 0;
  static constexpr const char* kHandlers[] = {"/api/v1/items/{id}", "/api/v1/users", "/healthz",
                                              "/debug/pprof/heap", "/cache,all \\\"x\\\""};
  static constexpr const char* kBuckets[] = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"};
  for (size_t family = 0; sample_count < series; ++family) {
    const std::string name = "app_subsystem_" + std::to_string(family);
    switch (family % 3) {
      case 0:
        out += "# HELP " + name + "_requests_total Requests by handler, code and method.\n";
        out += "# TYPE " + name + "_requests_total counter\n";
        for (int i = 0; i < 50 && sample_count < series; ++i, ++sample_count) {
          out += name + "_requests_total{code=\"" + std::to_string(200 + (i % 5) * 100) + "\",handler=\"" +
                 kHandlers[i % 5] + "\",method=\"GET\"} " + GoFloat(rng) + "\n";
        }
        break;
      case 1:
        out += "# HELP " + name + "_duration_seconds Latency.\n";
        out += "# TYPE " + name + "_duration_seconds histogram\n";
        for (int h = 0; h < 4 && sample_count < series; ++h) {
          for (const char* le : kBuckets) {
            out += name + "_duration_seconds_bucket{handler=\"" + kHandlers[h] + "\",le=\"" + le + "\"} " +
                   std::to_string(rng() % 10000) + "\n";
            ++sample_count;
          }
          out += name + "_duration_seconds_sum{handler=\"" + kHandlers[h] + "\"} " + GoFloat(rng) + "\n";
          out += name + "_duration_seconds_count{handler=\"" + kHandlers[h] + "\"} " + std::to_string(rng() % 10000) + "\n";
          sample_count += 2;
        }
        break;
      default:
        out += "# HELP " + name + "_queue_depth Items waiting.\n";
        out += "# TYPE " + name + "_queue_depth gauge\n";
        for (int i = 0; i < 50 && sample_count < series; ++i, ++sample_count) {
          out += name + "_queue_depth{queue=\"q" + std::to_string(i) + "\"} " + GoFloat(rng) + "\n";
        }
        break;
    }
  }
  return out;
}

struct FrameTemplate {
  const char* function;  // as a traceback prints it, with arguments
  const char* file;
};

// Innermost first: a wait in the runtime, then library and user code.
constexpr FrameTemplate kRuntimeFrames[] = {
    {"runtime.gopark(0xc0000a6f48?, 0x2?, 0x0?, 0x0?, 0xc0000a6f1c?)", "/usr/local/go/src/runtime/proc.go"},
    {"runtime.selectgo(0xc0000a6f48, 0xc0000a6f18, 0x0?, 0x0, 0x0?, 0x1)", "/usr/local/go/src/runtime/select.go"},
    {"runtime.chansend(0xc0001a4060, 0xc0000a7f2f, 0x1, 0x6d1f2a)", "/usr/local/go/src/runtime/chan.go"},
    {"runtime.netpollblock(0x7f3c1c5e8f18?, 0x72?, 0x0?)", "/usr/local/go/src/runtime/netpoll.go"},
    {"internal/poll.runtime_pollWait(0x7f3c1c5e8e20, 0x72)", "/usr/local/go/src/runtime/netpoll.go"},
    {"internal/poll.(*pollDesc).wait(0xc0001b0000?, 0xc0001c2000?, 0x0)", "/usr/local/go/src/internal/poll/fd_poll_runtime.go"},
};
constexpr FrameTemplate kLibraryFrames[] = {
    {"net.(*conn).Read(0xc0000b2008, {0xc0001c2000?, 0x1000?, 0x1000?})", "/usr/local/go/src/net/net.go"},
    {"net/http.(*connReader).Read(0xc0001a0060, {0xc0001c2000, 0x1000, 0x1000})", "/usr/local/go/src/net/http/server.go"},
    {"bufio.(*Reader).fill(0xc0001a4000)", "/usr/local/go/src/bufio/bufio.go"},
    {"net/http.(*conn).readRequest(0xc0001b6000, {0x7a3f58, 0xc0001a2000})", "/usr/local/go/src/net/http/server.go"},
    {"net/http.HandlerFunc.ServeHTTP(0xc0001a2060?, {0x7a3c30?, 0xc0001c8000?}, 0x0?)", "/usr/local/go/src/net/http/server.go"},
    {"net/http.(*ServeMux).ServeHTTP(0x0?, {0x7a3c30, 0xc0001c8000}, 0xc0001d0000)", "/usr/local/go/src/net/http/server.go"},
    {"sync.(*WaitGroup).Wait(0xc0001a6010?)", "/usr/local/go/src/sync/waitgroup.go"},
    {"context.(*cancelCtx).Done(0xc0001a8000)", "/usr/local/go/src/context/context.go"},
};
constexpr FrameTemplate kUserFrames[] = {
    {"main.blockedSend.func1()", "/src/leaky/class01.go"},
    {"main.noCtxDoneWorker(0xc0001a4060)", "/src/leaky/class02.go"},
    {"main.(*Cache).Put(0xc0001aa000, {0xc0001ac000, 0x10}, {0xc0001ae000, 0x1000, 0x1000})", "/src/leaky/class10.go"},
    {"main.rangeUnclosedWorker(...)", "/src/leaky/class05.go"},
    {"github.com/acme/svc/internal/store.(*Store).Get[...](0xc0001b0000, {0x7a3f58, 0xc0001a2000})", "/root/go/pkg/mod/github.com/acme/svc@v1.4.2/internal/store/store.go"},
};
constexpr const char* kStates[] = {"chan send", "select", "IO wait", "chan receive", "sync.WaitGroup.Wait",
                                   "running", "select, 5 minutes", "chan receive, 12 minutes", "IO wait, locked to thread"};

// ":<line>" (appended piecewise: GCC 12 warns falsely about literal + std::string here).
void AppendLineNumber(std::string& out, std::mt19937_64& rng) {
  out += ':';
  out += std::to_string(40 + rng() % 2000);
}

std::vector<FrameTemplate> RandomStack(std::mt19937_64& rng) {
  const size_t depth = 5 + rng() % 11;  // 5..15
  std::vector<FrameTemplate> stack;
  stack.push_back(kRuntimeFrames[0]);
  stack.push_back(kRuntimeFrames[1 + rng() % 5]);
  while (stack.size() + 2 < depth) stack.push_back(kLibraryFrames[rng() % std::size(kLibraryFrames)]);
  while (stack.size() < depth) stack.push_back(kUserFrames[rng() % std::size(kUserFrames)]);
  return stack;
}

// Label sets as Go 1.27 prints them after a header (GODEBUG=tracebacklabels=1).
constexpr const char* kLabelSets[] = {"", " {method: GET, route: \"/api/v1/items/{id}\"}", " {method: POST, route: /api/v1/users}",
                                      " {method: GET, route: \"/cache,all \\\"x\\\"\", tenant: acme}"};

std::string BuildGoroutineDump(size_t goroutines, uint64_t seed = 7, bool labels = false) {
  std::mt19937_64 rng(seed);
  std::string out;
  out.reserve(goroutines * 1000);
  for (size_t i = 0; i < goroutines; ++i) {
    out += "goroutine " + std::to_string(18 + i * 3) + " [" + kStates[rng() % std::size(kStates)] + "]";
    if (labels) out += kLabelSets[i % std::size(kLabelSets)];
    out += ":\n";
    for (const FrameTemplate& f : RandomStack(rng)) {
      out += f.function;
      out += "\n\t";
      out += f.file;
      AppendLineNumber(out, rng);
      out += " +0x";
      out += std::to_string(10 + rng() % 89);
      out += '\n';
    }
    const FrameTemplate& creator = kUserFrames[rng() % std::size(kUserFrames)];
    const std::string_view creator_name = std::string_view(creator.function).substr(0, std::string_view(creator.function).find('('));
    out += "created by ";
    out += creator_name;
    out += " in goroutine " + std::to_string(1 + rng() % 50) + "\n\t";
    out += creator.file;
    AppendLineNumber(out, rng);
    out += " +0x8f\n\n";
  }
  return out;
}

// debug=1: the same kind of stacks, grouped ("N @ 0x..." + "#\t0x...\tfn+0x..\tfile:line").
std::string BuildGoroutineDebug1(size_t goroutines, size_t& groups) {
  std::mt19937_64 rng(9);
  std::string out = "goroutine profile: total " + std::to_string(goroutines) + "\n";
  size_t left = goroutines;
  groups = 0;
  while (left > 0) {
    const size_t count = std::min<size_t>(left, 1 + rng() % 200);
    left -= count;
    ++groups;
    const std::vector<FrameTemplate> stack = RandomStack(rng);
    out += std::to_string(count) + " @";
    for (size_t i = 0; i < stack.size(); ++i) out += " 0x4" + std::to_string(10000 + rng() % 89999);
    out += "\n";
    for (const FrameTemplate& f : stack) {
      const std::string_view fn = std::string_view(f.function).substr(0, std::string_view(f.function).find('('));
      out += "#\t0x4" + std::to_string(10000 + rng() % 89999) + "\t";
      out += fn;
      out += "+0x" + std::to_string(10 + rng() % 89) + "\t\t";
      out += f.file;
      AppendLineNumber(out, rng);
      out += '\n';
    }
    out += "\n";
  }
  return out;
}

std::string BuildHeapProfile(size_t records, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string body;
  body.reserve(records * 500);
  int64_t totals[4] = {0, 0, 0, 0};
  for (size_t i = 0; i < records; ++i) {
    const int64_t size = int64_t{16} << (rng() % 12);
    const int64_t alloc = 1 + static_cast<int64_t>(rng() % 50);
    const int64_t inuse = static_cast<int64_t>(rng() % static_cast<uint64_t>(alloc + 1));
    totals[0] += inuse;
    totals[1] += inuse * size;
    totals[2] += alloc;
    totals[3] += alloc * size;
    const std::vector<FrameTemplate> stack = RandomStack(rng);
    body += std::to_string(inuse) + ": " + std::to_string(inuse * size) + " [" + std::to_string(alloc) + ": " +
            std::to_string(alloc * size) + "] @";
    for (size_t f = 0; f < stack.size(); ++f) body += " 0x4" + std::to_string(10000 + rng() % 89999);
    body += "\n";
    // pprof hides the leading runtime frames of allocation stacks.
    for (size_t f = 2; f < stack.size(); ++f) {
      const std::string_view fn =
          std::string_view(stack[f].function).substr(0, std::string_view(stack[f].function).find('('));
      body += "#\t0x4" + std::to_string(10000 + rng() % 89999) + "\t";
      body += fn;
      body += "+0x" + std::to_string(10 + rng() % 89) + "\t\t";
      body += stack[f].file;
      AppendLineNumber(body, rng);
      body += '\n';
    }
    body += "\n";
  }
  std::string out = "heap profile: " + std::to_string(totals[0]) + ": " + std::to_string(totals[1]) + " [" +
                    std::to_string(totals[2]) + ": " + std::to_string(totals[3]) + "] @ heap/1048576\n";
  out += body;
  out += "\n# runtime.MemStats\n# Alloc = 17752160\n# TotalAlloc = 21437856\n# Sys = 30513416\n"
         "# HeapAlloc = 17752160\n# HeapInuse = 18554880\n# HeapObjects = 9521\n# Stack = 393216 / 393216\n"
         "# PauseNs = [63789 349863 58727 36473 230481 415336 94420 0 0 0]\n# NumGC = 7\n"
         "# GCCPUFraction = 0.011440906519452928\n# DebugGC = false\n";
  return out;
}

std::string BuildExpvar(size_t entries) {
  std::mt19937_64 rng(3);
  std::string out = "{\n\"cmdline\": [\"/srv/bin/svc\",\"-addr\",\":8080\"],\n\"handlers\": {";
  for (size_t i = 0; i < entries; ++i) {
    if (i != 0) out += ", ";
    out += "\"GET /api/v1/items/" + std::to_string(i) + "\": " + std::to_string(rng() % 100000);
  }
  out += "},\n\"memstats\": {\"Alloc\":18182608,\"HeapAlloc\":18182608,\"HeapInuse\":19226624,"
         "\"HeapObjects\":14230,\"NumGC\":7,\"GCCPUFraction\":0.011440906519452928,\"EnableGC\":true,"
         "\"PauseNs\":[63789,349863,58727,36473,230481,415336,94420]},\n\"requests_total\": 42\n}\n";
  return out;
}

void BM_PrometheusText(benchmark::State& state) {
  size_t series = 0;
  const std::string page = BuildMetricsPage(static_cast<size_t>(state.range(0)), series);
  for (auto _ : state) {
    PrometheusPage parsed = ParsePrometheusText(page);
    if (parsed.samples.size() != series || parsed.skipped_lines != 0) state.SkipWithError("unexpected parse result");
    benchmark::DoNotOptimize(parsed);
  }
  Report(state, page.size(), series);
}
BENCHMARK(BM_PrometheusText)->Arg(50000)->Unit(benchmark::kMillisecond);

void BM_GoroutineDebug2(benchmark::State& state) {
  const size_t goroutines = static_cast<size_t>(state.range(0));
  const std::string dump = BuildGoroutineDump(goroutines);
  for (auto _ : state) {
    ParseStats stats;
    GoroutineDump parsed = ParseGoroutinesDebug2(dump, &stats);
    if (parsed.goroutines.size() != goroutines || stats.skipped_blocks != 0) {
      state.SkipWithError("unexpected parse result");
    }
    benchmark::DoNotOptimize(parsed);
  }
  Report(state, dump.size(), goroutines);
}
BENCHMARK(BM_GoroutineDebug2)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_GoroutineDebug2Labelled(benchmark::State& state) {
  const size_t goroutines = static_cast<size_t>(state.range(0));
  const std::string dump = BuildGoroutineDump(goroutines, 7, true);
  for (auto _ : state) {
    ParseStats stats;
    GoroutineDump parsed = ParseGoroutinesDebug2(dump, &stats);
    if (parsed.goroutines.size() != goroutines || stats.skipped_blocks != 0 || parsed.goroutines[1].labels.empty()) {
      state.SkipWithError("unexpected parse result");
    }
    benchmark::DoNotOptimize(parsed);
  }
  Report(state, dump.size(), goroutines);
}
BENCHMARK(BM_GoroutineDebug2Labelled)->Arg(100000)->Unit(benchmark::kMillisecond);

// A real dump: 172 goroutines of the leaky target built as a go 1.27 module by Go 1.27.3,
// labels after every handler goroutine's header (tests/fixtures/README.md).
void BM_GoroutineDebug2Go127Fixture(benchmark::State& state) {
  std::ifstream in(LEAKGATE_FIXTURES_DIR "/goroutines/go1.27/leaky.debug2.txt", std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  const std::string dump = text.str();
  const size_t goroutines = ParseGoroutinesDebug2(dump).goroutines.size();
  if (dump.empty() || goroutines == 0) {
    state.SkipWithError("fixture goroutines/go1.27/leaky.debug2.txt missing or empty");
    return;
  }
  for (auto _ : state) {
    ParseStats stats;
    GoroutineDump parsed = ParseGoroutinesDebug2(dump, &stats);
    if (parsed.goroutines.size() != goroutines || stats.skipped_blocks != 0) state.SkipWithError("unexpected parse result");
    benchmark::DoNotOptimize(parsed);
  }
  Report(state, dump.size(), goroutines);
}
BENCHMARK(BM_GoroutineDebug2Go127Fixture)->Unit(benchmark::kMicrosecond);

// A baseline and a final dump of 100,000 goroutines each: parse both and group both (what
// the verdict does with the dumps of a run's start and end).
void BM_GoroutineTwoDumpsParseAndGroup(benchmark::State& state) {
  const size_t goroutines = static_cast<size_t>(state.range(0));
  const std::string baseline_text = BuildGoroutineDump(goroutines, 7);
  const std::string final_text = BuildGoroutineDump(goroutines, 8);
  size_t groups = 0;
  for (auto _ : state) {
    const GoroutineDump baseline = ParseGoroutinesDebug2(baseline_text);
    const GoroutineDump final = ParseGoroutinesDebug2(final_text);
    const std::vector<GoroutineGroup> a = GroupGoroutines(baseline);
    const std::vector<GoroutineGroup> b = GroupGoroutines(final);
    if (baseline.goroutines.size() != goroutines || final.goroutines.size() != goroutines || a.empty() || b.empty()) {
      state.SkipWithError("unexpected parse result");
    }
    groups = a.size() + b.size();
    benchmark::DoNotOptimize(b);
  }
  Report(state, baseline_text.size() + final_text.size(), 2 * goroutines);
  state.counters["groups"] = static_cast<double>(groups);
}
BENCHMARK(BM_GoroutineTwoDumpsParseAndGroup)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_GoroutineDiff(benchmark::State& state) {
  const size_t goroutines = static_cast<size_t>(state.range(0));
  const GoroutineDump baseline = ParseGoroutinesDebug2(BuildGoroutineDump(goroutines, 7));
  const GoroutineDump final = ParseGoroutinesDebug2(BuildGoroutineDump(goroutines, 8));
  for (auto _ : state) {
    std::vector<GoroutineGroup> grown = DiffGoroutineGroups(baseline, final);
    benchmark::DoNotOptimize(grown);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(2 * goroutines));
  state.counters["peak_rss_MiB"] = PeakRssMiB();
}
BENCHMARK(BM_GoroutineDiff)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_GoroutineDebug1(benchmark::State& state) {
  size_t groups = 0;
  const std::string text = BuildGoroutineDebug1(static_cast<size_t>(state.range(0)), groups);
  for (auto _ : state) {
    GroupedGoroutines parsed = ParseGoroutinesDebug1(text);
    if (parsed.groups.size() != groups || parsed.total != state.range(0)) state.SkipWithError("unexpected parse result");
    benchmark::DoNotOptimize(parsed);
  }
  Report(state, text.size(), groups);
}
BENCHMARK(BM_GoroutineDebug1)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_HeapProfile(benchmark::State& state) {
  const size_t records = static_cast<size_t>(state.range(0));
  const std::string text = BuildHeapProfile(records, 11);
  for (auto _ : state) {
    HeapProfile parsed = ParseHeapProfileDebug1(text);
    if (parsed.records.size() != records || parsed.skipped_lines != 0) state.SkipWithError("unexpected parse result");
    benchmark::DoNotOptimize(parsed);
  }
  Report(state, text.size(), records);
}
BENCHMARK(BM_HeapProfile)->Arg(20000)->Unit(benchmark::kMillisecond);

void BM_HeapDiff(benchmark::State& state) {
  const size_t records = static_cast<size_t>(state.range(0));
  const HeapProfile baseline = ParseHeapProfileDebug1(BuildHeapProfile(records, 11));
  const HeapProfile final = ParseHeapProfileDebug1(BuildHeapProfile(records, 12));
  for (auto _ : state) {
    std::vector<HeapGrowth> growth = DiffHeapProfiles(baseline, final, 20);
    benchmark::DoNotOptimize(growth);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(2 * records));
  state.counters["peak_rss_MiB"] = PeakRssMiB();
}
BENCHMARK(BM_HeapDiff)->Arg(20000)->Unit(benchmark::kMillisecond);

void BM_Expvar(benchmark::State& state) {
  const size_t entries = static_cast<size_t>(state.range(0));
  const std::string text = BuildExpvar(entries);
  for (auto _ : state) {
    ExpvarParseResult parsed = ParseExpvar(text);
    if (!parsed.snapshot || parsed.snapshot->published.size() != entries + 1) {
      state.SkipWithError("unexpected parse result");
    }
    benchmark::DoNotOptimize(parsed);
  }
  Report(state, text.size(), entries);
}
BENCHMARK(BM_Expvar)->Arg(20000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace leakgate::probes

BENCHMARK_MAIN();
