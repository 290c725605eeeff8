// Parser for the Go runtime's GC trace: the line GODEBUG=gctrace=1 makes every collection
// print to stderr (runtime/mgc.go, gcMarkTermination; the same format in Go 1.19 through
// 1.27):
//
//   gc 12 @3.104s 2%: 0.011+0.35+0.003 ms clock, 0.044+0.1/0.2/0+0.012 ms cpu,
//       4->5->2 MB, 5 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)
//
// (one line). "gc 12" counts collections since the program started; "@3.104s" is the time
// since it started; "2%" the share of CPU spent in GC since then. The clock part is the
// wall time of sweep termination (stop the world) + concurrent mark + mark termination
// (stop the world); the cpu part is sweep termination + mark assist / background mark
// (dedicated and fractional workers) / idle mark + mark termination. "4->5->2 MB" is the
// heap at the start of the cycle, at its end, and the live heap it marked; then the heap
// goal, the stacks and globals it scanned (Go 1.18+), the number of Ps. Optional parts:
// " (checking for goroutine leaks)" after the CPU share — a cycle run by a goroutineleak
// profile fetch (Go 1.26 with GOEXPERIMENT=goroutineleakprofile, Go 1.27) — and
// " (forced)" at the end — runtime.GC(), debug.FreeOSMemory, /debug/pprof/heap?gc=1. The
// runtime's periodic GC (every 2 minutes without one) prints "GC forced" on a line of its
// own before its gc line, which itself is not marked forced. Sizes are in MiB, rounded
// down (heap >> 20), times in ms with at most 3 decimals.
//
// Contracts (as the goroutine dump parsers'): lenient — never throws (beyond
// std::bad_alloc), never reads outside the text, skips what it cannot read and counts
// it; "\r\n" line ends are accepted; an unterminated last line is not used (it may be cut
// in the middle), so a trace read while the target runs is never misread.
//
// Thread-safety: the functions are pure; a GcTraceStream is owned by one reader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leakgate::probes {

// One collection, as its gctrace line says.
struct GcCycle {
  uint64_t number = 0;          // "gc 12"
  double seconds = 0;           // "@3.104s": since the program started
  int cpu_percent = 0;          // "2%": GC's share of the CPU since the program started
  bool leak_check = false;      // " (checking for goroutine leaks)"
  // Wall clock, ms: sweep termination (STW) + concurrent mark + mark termination (STW).
  double clock_sweep_termination_ms = 0;
  double clock_mark_ms = 0;
  double clock_mark_termination_ms = 0;
  // CPU, ms: sweep termination + mark assist / background mark / idle mark + mark termination.
  double cpu_sweep_termination_ms = 0;
  double cpu_mark_assist_ms = 0;
  double cpu_mark_background_ms = 0;
  double cpu_mark_idle_ms = 0;
  double cpu_mark_termination_ms = 0;
  int64_t heap_start_mb = 0;  // "4->5->2 MB": the heap when the cycle started,
  int64_t heap_end_mb = 0;    //   when it ended,
  int64_t heap_live_mb = 0;   //   and the live heap it marked
  int64_t goal_mb = 0;        // "5 MB goal"
  std::optional<int64_t> stacks_mb;   // "0 MB stacks" (Go 1.18+)
  std::optional<int64_t> globals_mb;  // "0 MB globals" (Go 1.18+)
  int procs = 0;                      // "2 P": GOMAXPROCS
  bool forced = false;                // " (forced)": asked for by the program
  bool periodic = false;              // after a "GC forced" line: the runtime's 2-minute GC

  // Stop-the-world pause of the cycle: sweep termination + mark termination, wall clock.
  double pause_ms() const { return clock_sweep_termination_ms + clock_mark_termination_ms; }
};

// Parses one gctrace line (surrounding blanks and a trailing "\r" allowed). nullopt when it
// is not a complete gctrace line.
std::optional<GcCycle> ParseGcTraceLine(std::string_view line);

struct GcTrace {
  std::vector<GcCycle> cycles;  // in the order printed
  // Lines that start like a gctrace line ("gc <digit>") but could not be read.
  size_t malformed_lines = 0;
  // Other lines (the program's own log): ignored.
  size_t other_lines = 0;
  // The text did not end with "\n": its last line was not used.
  bool truncated = false;
};

// Parses a log that mixes gctrace lines with anything else (a target's stderr).
GcTrace ParseGcTrace(std::string_view text);

// ParseGcTrace for a log that arrives in pieces (a running target's stderr): Feed each
// chunk as it is read; complete lines are parsed at once, a line's start is kept until its
// end arrives. A line longer than kMaxLineBytes is dropped (counted as an other line when
// its end arrives): the memory held stays bounded.
class GcTraceStream {
 public:
  static constexpr size_t kMaxLineBytes = 64 * 1024;

  // Parses the complete lines `chunk` finishes.
  void Feed(std::string_view chunk);
  // Everything parsed so far; `truncated` says whether an unfinished line is held.
  const GcTrace& trace() const { return trace_; }
  // Moves the cycles parsed so far out (the counters stay).
  std::vector<GcCycle> TakeCycles();

 private:
  void Line(std::string_view line);

  GcTrace trace_;
  std::string partial_;     // the start of a line whose "\n" has not arrived
  bool overlong_ = false;   // partial_ passed kMaxLineBytes: drop until the next "\n"
  bool periodic_ = false;   // the last line was "GC forced"
};

}  // namespace leakgate::probes
