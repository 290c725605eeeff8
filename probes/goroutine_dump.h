// Parsers for Go goroutine dumps, as served by net/http/pprof's /debug/pprof/goroutine.
//
//   debug=2  one block per goroutine; the same text as a panic / SIGQUIT traceback
//            (runtime/traceback.go), parsed by ParseGoroutinesDebug2.
//   debug=1  goroutines grouped by identical stack (runtime/pprof printCountProfile),
//            parsed by ParseGoroutinesDebug1; GoroutineTotalFromDebug1 reads only the
//            "goroutine profile: total N" line (the sampler's cheap goroutine count).
//
// Contracts shared by all parsers here:
//   * Lenient: they never throw on bad input and never read outside `text`. Malformed parts
//     are skipped and, where a ParseStats is passed, counted.
//   * "\r\n" line ends are accepted everywhere.
//   * Function names are normalized by StripArgumentsView: "main.(*T).run(0xc000, {0x1})"
//     becomes "main.(*T).run", "main.f(...)" (an inlined frame) becomes "main.f".
//   * Single pass over string_views; the only copies are the strings kept in the result.
//     Results do not refer to `text` after return.
//   * Every version's real dumps parse the same (tests/fixtures/goroutines: Go 1.19, 1.26,
//     1.27), including pprof labels in both of their debug=2 forms (goroutine_labels.h).
//
// Thread-safety: pure functions; results are plain values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "probes/goroutine_labels.h"

namespace leakgate::probes {

// One stack frame. `function` is normalized (no argument list), e.g. "main.(*T).run",
// "main.blockedSend.func1", "net/http.(*conn).serve", "panic" (runtime.gopanic as Go
// prints it). `file` and `line` are empty / 0 when the dump did not carry a location.
struct Frame {
  std::string function;
  std::string file;
  int line = 0;

  friend bool operator==(const Frame&, const Frame&) = default;
};

// One goroutine of a debug=2 dump. Its header, with every optional part:
//   goroutine 18 gp=0xc000 m=3 mp=0xc001 [chan send (leaked), 5 minutes, locked to thread,
//       synctest bubble 4 labels:{"k": "v"}] {k: v}:
// (gp/m/mp: GOTRACEBACK=system or a fatal error; labels inside the bracket: Go 1.26,
// after it: Go 1.27 — one or the other, with GODEBUG=tracebacklabels=1.)
struct Goroutine {
  uint64_t id = 0;
  // The wait reason or status Go printed, e.g. "chan send", "select", "IO wait",
  // "running", "sync.WaitGroup.Wait", "GC worker (idle)", "chan receive (nil chan)",
  // "select (durable)", "sleep (durable)" (a synctest bubble's durably blocked goroutine:
  // the runtime appends " (durable)" where the wait reason lacks it). The decorations below are removed from it and reported in their
  // own fields; the transient GC " (scan)" marker is dropped. Any other ", ..." part Go
  // may add in the future is kept, appended to the state as printed.
  std::string state;
  int wait_minutes = 0;           // "[chan send, 5 minutes]" -> 5
  bool locked_to_thread = false;  // ", locked to thread"
  // " (leaked)": the goroutine leak detector proved it can never run again (goroutineleak
  // profile: Go 1.26 with GOEXPERIMENT=goroutineleakprofile, Go 1.27); removed from state.
  bool leaked = false;
  uint64_t synctest_bubble = 0;   // ", synctest bubble N" (Go 1.25+), 0 if absent
  // pprof labels, in the order Go printed them (sorted by key), unescaped; empty when the
  // header has none (GODEBUG=tracebacklabels=0, the default before Go 1.27) or when they
  // could not be read (ParseStats::malformed_labels).
  PprofLabels labels;
  std::vector<Frame> frames;      // innermost first
  // "...additional frames elided..." (end of a deep stack) or "...N frames elided..."
  // (middle of a deep stack, Go 1.21+) was printed.
  bool frames_elided = false;
  // "created by main.f in goroutine 7" -> function "main.f" with the go statement's
  // location; nullopt for goroutine 1 and for runtime-created goroutines Go hides.
  std::optional<Frame> created_by;
  uint64_t creator_goroutine = 0;  // 7 above (Go >= 1.21 prints it), 0 if absent
  // The dump ended inside this goroutine's block: frames/created_by may be incomplete.
  bool truncated = false;
};

struct GoroutineDump {
  std::vector<Goroutine> goroutines;  // in dump order
};

struct ParseStats {
  // Blocks (debug=2: "goroutine N ..." headers; debug=1: "N @ ..." group lines) that
  // looked like the start of a record but could not be parsed; their lines are ignored.
  size_t skipped_blocks = 0;
  // Label sets that could not be read; their goroutine or group is kept without labels.
  size_t malformed_labels = 0;
  // The input ended in the middle of a record (debug=2: no final newline, or a frame or
  // "created by" line without its location line). Complete records are still returned.
  bool truncated = false;
};

// Parses a debug=2 dump or a Go traceback (panic, SIGQUIT, runtime.Stack(buf, true)).
//
// A goroutine block starts at a header line "goroutine N [state...]:", also with the
// "gp=0x... m=N mp=0x..." fields GOTRACEBACK=system / fatal errors add and the labels of
// GODEBUG=tracebacklabels=1 (see Goroutine), and ends at the next blank line or header.
// Lines outside blocks (panic messages, "SIGQUIT: quit", "PC=... m=0 sigcode=0", register
// dumps) are ignored, as are unrecognized lines inside a block. Ancestor stacks
// ("[originating from goroutine N]:", GODEBUG=tracebackancestors) are not part of the
// goroutine's own frames and are skipped. A header that starts like "goroutine <digits>"
// but is malformed skips its block (counted in stats->skipped_blocks); a label set that
// cannot be read leaves the goroutine without labels (stats->malformed_labels).
//
// Truncation (runtime/pprof cuts debug=2 output at 64 MB, anywhere): goroutines before
// the cut are complete; the one being printed is kept with its complete lines and marked
// `truncated`. A last line without "\n" is only used where a cut cannot change its
// meaning: a cut header or a "created by" line without " in goroutine " is dropped (a
// cut-off creator name would be a wrong one), a function line needs its closing ")".
// `stats`, when given, is reset and then filled.
GoroutineDump ParseGoroutinesDebug2(std::string_view text, ParseStats* stats = nullptr);

// One stack of a debug=1 profile: "1204 @ 0x43e8ee 0x40a3c5 ..." followed by
// "# labels: {...}" (when the goroutines carry pprof labels) and frame lines
// "#\t0x4fe2a1\tmain.blockedSend.func1+0x65\t/path/main.go:42" (columns may be padded
// with several tabs). Frames printed without a symbol ("#\t0x4fe2a1") are left out.
struct StackGroup {
  int64_t count = 0;
  std::vector<Frame> frames;  // innermost first
  PprofLabels labels;         // "# labels: {...}", in the order printed; empty if none
};

struct GroupedGoroutines {
  int64_t total = -1;  // from "goroutine profile: total N"; -1 when that line is absent
  std::vector<StackGroup> groups;
};

// Parses a debug=1 goroutine profile (also the debug=1 "goroutineleak" profile, whose
// first line is "goroutineleak profile: total N"). A group line that does not parse
// ("12x @ ...", a count overflowing int64) skips its group (stats->skipped_blocks); frame
// lines whose location has no line number are left out. A group may have no frames
// ("1 @ 0x491161": pprof hides a lone runtime.goexit). `stats`, when given, is reset.
GroupedGoroutines ParseGoroutinesDebug1(std::string_view text, ParseStats* stats = nullptr);

// Fast path for sampling: reads only the first non-blank line, which must be
// "goroutine profile: total N" (or "goroutineleak profile: total N"). Returns N, or -1
// when the line is absent or malformed.
int64_t GoroutineTotalFromDebug1(std::string_view text);

// The function name of a traceback function line, without its argument list:
//   "main.(*T).m(0xc000, {0x1, 0x2})" -> "main.(*T).m"    "main.f(...)" -> "main.f"
//   "main.Map[...](...)" -> "main.Map[...]"                "main.f(0x1, g(h))" -> "main.f"
// The argument list is the balanced "(...)" at the end of the line, unless that
// would leave a receiver like "(*T)" as the name; with unbalanced parentheses (a cut
// line) the name ends at the first "(" that does not follow a ".". Surrounding
// whitespace is trimmed. A string without an argument list is returned trimmed.
// The result views into `function_line`.
std::string_view StripArgumentsView(std::string_view function_line);

}  // namespace leakgate::probes
