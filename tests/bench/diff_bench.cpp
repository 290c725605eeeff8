// `leakgate diff` on big dumps: two goroutine?debug=2 dumps of 100,000 goroutines each,
// built from the real Go 1.26 fixtures (tests/fixtures/goroutines/go1.26): BEFORE repeats
// the blocks of baseline.debug2.txt, AFTER those of leaky.debug2.txt, with fresh goroutine
// ids, until each holds 100,000 goroutines. So the stacks, states and creators are real
// Go output; only their multiplicity is synthetic.
//
//   BM_DiffParse      ParseGoroutinesDebug2 of both dumps
//   BM_DiffGroups     DiffGoroutineGroups (default ignore rules) of the parsed dumps
//   BM_DiffGroupsNoIgnores   the same without ignore rules
//   BM_DiffCommand    both: what `leakgate diff` does after reading the files
//
//   leakgate_diff_bench --write-dumps DIR   writes DIR/before.txt and DIR/after.txt and
//                                           exits (tests/bench/diff_timing.sh times the
//                                           binary on them)
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "probes/goroutine_attribution.h"
#include "probes/goroutine_dump.h"
#include "probes/ignore_rules.h"

namespace leakgate::probes {
namespace {

constexpr size_t kGoroutines = 100'000;

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(LEAKGATE_FIXTURES_DIR) + "/goroutines/go1.26/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  if (ss.str().empty()) {
    std::cerr << "missing fixture " << name << "\n";
    std::exit(1);
  }
  return ss.str();
}

// The fixture's goroutine blocks repeated until `count` goroutines, ids renumbered from 1.
std::string Inflate(const std::string& dump, size_t count) {
  std::vector<std::string_view> blocks;  // each "goroutine N [...]:\n...\n" without the id
  std::string_view rest = dump;
  while (!rest.empty()) {
    const size_t end = rest.find("\n\n");
    const std::string_view block = rest.substr(0, end == std::string_view::npos ? rest.size() : end + 1);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 2);
    if (block.starts_with("goroutine ")) blocks.push_back(block.substr(block.find(' ', 10)));  // " [state]:\n..."
  }
  std::string out;
  out.reserve(dump.size() * (count / blocks.size() + 1));
  for (size_t id = 1; id <= count; ++id) {
    out += "goroutine " + std::to_string(id);
    out += blocks[(id - 1) % blocks.size()];
    out += "\n";
  }
  return out;
}

struct Dumps {
  std::string before = Inflate(ReadFixture("baseline.debug2.txt"), kGoroutines);
  std::string after = Inflate(ReadFixture("leaky.debug2.txt"), kGoroutines);
};

const Dumps& TheDumps() {
  static const Dumps dumps;
  return dumps;
}

void Report(benchmark::State& state) {
  const auto& d = TheDumps();
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * (d.before.size() + d.after.size())));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * 2 * kGoroutines));
  state.counters["input_MiB"] = static_cast<double>(d.before.size() + d.after.size()) / (1024.0 * 1024.0);
}

void BM_DiffParse(benchmark::State& state) {
  const auto& d = TheDumps();
  for (auto _ : state) {
    auto before = ParseGoroutinesDebug2(d.before);
    auto after = ParseGoroutinesDebug2(d.after);
    benchmark::DoNotOptimize(before.goroutines.data());
    benchmark::DoNotOptimize(after.goroutines.data());
  }
  Report(state);
}
BENCHMARK(BM_DiffParse)->Unit(benchmark::kMillisecond);

void BM_DiffGroups(benchmark::State& state) {
  const auto& d = TheDumps();
  const auto before = ParseGoroutinesDebug2(d.before);
  const auto after = ParseGoroutinesDebug2(d.after);
  const auto ignore = DefaultIgnoreRules();
  for (auto _ : state) {
    auto grew = DiffGoroutineGroups(before, after, ignore);
    benchmark::DoNotOptimize(grew.data());
  }
  Report(state);
}
BENCHMARK(BM_DiffGroups)->Unit(benchmark::kMillisecond);

// The same without ignore rules (--no-default-ignores): what the rules cost.
void BM_DiffGroupsNoIgnores(benchmark::State& state) {
  const auto& d = TheDumps();
  const auto before = ParseGoroutinesDebug2(d.before);
  const auto after = ParseGoroutinesDebug2(d.after);
  for (auto _ : state) {
    auto grew = DiffGoroutineGroups(before, after, {});
    benchmark::DoNotOptimize(grew.data());
  }
  Report(state);
}
BENCHMARK(BM_DiffGroupsNoIgnores)->Unit(benchmark::kMillisecond);

void BM_DiffCommand(benchmark::State& state) {
  const auto& d = TheDumps();
  const auto ignore = DefaultIgnoreRules();
  for (auto _ : state) {
    auto grew = DiffGoroutineGroups(ParseGoroutinesDebug2(d.before), ParseGoroutinesDebug2(d.after), ignore);
    benchmark::DoNotOptimize(grew.data());
  }
  Report(state);
}
BENCHMARK(BM_DiffCommand)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace leakgate::probes

int main(int argc, char** argv) {
  if (argc == 3 && std::string_view(argv[1]) == "--write-dumps") {
    const auto& d = leakgate::probes::TheDumps();
    std::ofstream(std::string(argv[2]) + "/before.txt", std::ios::binary) << d.before;
    std::ofstream(std::string(argv[2]) + "/after.txt", std::ios::binary) << d.after;
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
