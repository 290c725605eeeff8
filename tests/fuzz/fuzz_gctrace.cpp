// libFuzzer target for the gctrace parser (probes/gctrace.h).
//
// Every input is parsed whole, line by line and streamed in pieces. Beyond "no crash, no
// sanitizer report", it traps when an invariant the runner relies on breaks:
//   * streaming the input in any two pieces gives the whole parse's result;
//   * every cycle the log parse returns is also what ParseGcTraceLine makes of its line;
//   * counts are consistent: every complete line is a cycle, malformed or other;
//   * sizes and times are non-negative, the live heap is a number the line printed.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "probes/gctrace.h"

namespace {

using namespace leakgate::probes;

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

void CheckCycle(const GcCycle& g) {
  Check(g.seconds >= 0 && g.cpu_percent >= 0 && g.procs >= 0);
  Check(g.clock_sweep_termination_ms >= 0 && g.clock_mark_ms >= 0 && g.clock_mark_termination_ms >= 0);
  Check(g.cpu_sweep_termination_ms >= 0 && g.cpu_mark_assist_ms >= 0 && g.cpu_mark_background_ms >= 0 &&
        g.cpu_mark_idle_ms >= 0 && g.cpu_mark_termination_ms >= 0);
  Check(g.heap_start_mb >= 0 && g.heap_end_mb >= 0 && g.heap_live_mb >= 0 && g.goal_mb >= 0);
  Check(g.stacks_mb.has_value() == g.globals_mb.has_value());
  Check(g.pause_ms() >= 0);
}

bool Same(const GcCycle& a, const GcCycle& b) {
  return a.number == b.number && a.seconds == b.seconds && a.heap_live_mb == b.heap_live_mb && a.forced == b.forced &&
         a.leak_check == b.leak_check && a.periodic == b.periodic && a.procs == b.procs;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const GcTrace whole = ParseGcTrace(text);
  for (const GcCycle& g : whole.cycles) CheckCycle(g);

  size_t lines = 0;
  size_t parsed = 0;
  for (size_t pos = 0; pos < text.size();) {
    const size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) break;
    ++lines;
    const bool dropped = nl - pos > GcTraceStream::kMaxLineBytes;  // the stream's cap
    if (const auto g = dropped ? std::nullopt : ParseGcTraceLine(text.substr(pos, nl - pos))) {
      Check(parsed < whole.cycles.size());
      Check(g->number == whole.cycles[parsed].number && g->heap_live_mb == whole.cycles[parsed].heap_live_mb);
      ++parsed;
    }
    pos = nl + 1;
  }
  Check(parsed == whole.cycles.size());
  // Every complete line is counted once.
  Check(whole.cycles.size() + whole.malformed_lines + whole.other_lines == lines);

  const size_t split = size == 0 ? 0 : data[0] % (size + 1);
  GcTraceStream stream;
  stream.Feed(text.substr(0, split));
  stream.Feed(text.substr(split));
  const GcTrace& streamed = stream.trace();
  Check(streamed.cycles.size() == whole.cycles.size());
  for (size_t i = 0; i < whole.cycles.size(); ++i) Check(Same(streamed.cycles[i], whole.cycles[i]));
  Check(streamed.malformed_lines == whole.malformed_lines && streamed.other_lines == whole.other_lines);
  Check(streamed.truncated == whole.truncated);
  return 0;
}
