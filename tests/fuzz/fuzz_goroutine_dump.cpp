// libFuzzer target for the goroutine dump parsers and leak attribution.
//
// Every input is fed to both parsers (debug=2 and debug=1) and the debug=2 result through
// grouping, diffing, ignore rules and formatting. Beyond "no crash, no sanitizer report",
// it checks the invariants the runner relies on and traps when one breaks:
//   * parsed strings never contain a line break (label keys and values may: Go escapes a
//     newline in them) and frame functions are non-empty;
//   * the label parsers never claim more than they were given, and what they claim ends
//     where a label set ("}") or a quoted string ("\"") ends;
//   * group counts are positive and add up to the number of goroutines;
//   * a dump diffed against itself has no growth; growth never exceeds the final count;
//   * the debug=1 fast-path total agrees with the full parse;
//   * StripArgumentsView / PackageOf return a prefix of their (trimmed) input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "probes/goroutine_attribution.h"
#include "probes/goroutine_dump.h"

namespace {

using namespace leakgate::probes;

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

bool OneLine(std::string_view s) { return s.find('\n') == std::string_view::npos; }

void CheckFrame(const Frame& f) {
  Check(!f.function.empty());
  Check(OneLine(f.function) && OneLine(f.file));
  Check(f.line >= 0);
}

void CheckDebug2(std::string_view text) {
  ParseStats stats;
  const GoroutineDump dump = ParseGoroutinesDebug2(text, &stats);
  for (const Goroutine& g : dump.goroutines) {
    Check(!g.state.empty() && OneLine(g.state));
    Check(g.wait_minutes >= 0);
    for (const Frame& f : g.frames) CheckFrame(f);
    if (g.created_by) CheckFrame(*g.created_by);
    if (g.truncated) Check(stats.truncated);
    if (const Frame* top = TopUserFrame(g)) {
      Check(top >= g.frames.data() && top < g.frames.data() + g.frames.size());
    } else {
      Check(g.frames.empty());
    }
  }

  const auto groups = GroupGoroutines(dump);
  int64_t sum = 0;
  for (const auto& group : groups) {
    Check(group.count > 0);
    sum += group.count;
    Check(!FormatGroup(group).empty());
  }
  Check(sum == static_cast<int64_t>(dump.goroutines.size()));
  Check(DiffGoroutineGroups(dump, dump).empty());

  // The first half of the input as a "baseline" of the whole.
  const GoroutineDump half = ParseGoroutinesDebug2(text.substr(0, text.size() / 2));
  int64_t grown = 0;
  const std::vector<IgnoreRule> rules = {{IgnoreRule::kAnyFunction, "runtime/pprof.writeGoroutineStacks"},
                                         {IgnoreRule::kTopFunction, "main.*"},
                                         {IgnoreRule::kCreatedBy, ""}};
  for (const auto& group : DiffGoroutineGroups(half, dump, rules)) {
    Check(group.count > 0);
    Check(!Matches(rules, group.representative));
    grown += group.count;
  }
  Check(grown <= static_cast<int64_t>(dump.goroutines.size()));
}

void CheckDebug1(std::string_view text) {
  ParseStats stats;
  const GroupedGoroutines grouped = ParseGoroutinesDebug1(text, &stats);
  for (const StackGroup& g : grouped.groups) {
    Check(g.count >= 0);
    for (const Frame& f : g.frames) CheckFrame(f);
  }
  const int64_t fast = GoroutineTotalFromDebug1(text);
  Check(fast >= -1);
  if (fast >= 0) Check(grouped.total == fast);
}

void CheckLabels(std::string_view text) {
  // Every "{" or quote in the first 4 KiB starts a probe of at most 512 bytes (label sets
  // are short; unbounded probes would make this quadratic on the large seeds).
  for (size_t start = text.find_first_of("{\""); start != std::string_view::npos && start < 4096;
       start = text.find_first_of("{\"", start + 1)) {
    const std::string_view from = text.substr(start, 512);
    PprofLabels labels;
    const size_t set = ParseLabelSet(from, labels);
    Check(set <= from.size());
    if (set > 0) Check(from[set - 1] == '}');
    if (set == 0) Check(labels.empty());
    std::string unquoted;
    const size_t quoted = UnquoteGoString(from, unquoted);
    Check(quoted <= from.size());
    if (quoted > 0) Check(from[quoted - 1] == '"' && quoted >= 2);
  }
}

void CheckNames(std::string_view text) {
  const std::string_view line = text.substr(0, text.find('\n'));
  const std::string stripped = StripArguments(line);
  Check(line.find(stripped) != std::string_view::npos);
  const std::string_view pkg = PackageOf(line);
  Check(line.substr(0, pkg.size()) == pkg);
  (void)IsStandardLibrary(line);
  (void)IsRuntimeFunction(line);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckDebug2(text);
  CheckDebug1(text);
  CheckLabels(text);
  CheckNames(text);
  return 0;
}
