// Leak attribution over parsed goroutine dumps: which code owns the goroutines that are
// present at the end of a run and were not at its baseline.
//
// Goroutines are grouped by (top user function, created-by function, state): the
// function a leaked goroutine is stuck in, the function whose `go` statement started
// it, and what it waits for — and, with Grouping::label_keys, by the values of those
// pprof labels too (route=/v2/nil and route=/v1/ok become two groups). Every group
// carries the labels all of its goroutines share. "Top user function" skips runtime internals and then
// prefers code outside the standard library (see TopUserFrame), so a goroutine parked
// in runtime.gopark <- runtime.chansend <- main.blockedSend.func1 is attributed to
// main.blockedSend.func1.
//
// All functions are pure and deterministic (same input, same output order); none throws
// except std::bad_alloc.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "probes/goroutine_dump.h"

namespace leakgate::probes {

// The function name of a traceback function line without its argument list, as a new
// string (see StripArgumentsView for the rules):
//   "main.(*T).m(0xc000, {0x1, 0x2})" -> "main.(*T).m", "main.f(...)" -> "main.f".
std::string StripArguments(std::string_view function_line);

// The import path of a function's package: "net/http.(*conn).serve" -> "net/http",
// "main.(*T).m" -> "main", "github.com/x/y.F" -> "github.com/x/y". Empty for "".
std::string_view PackageOf(std::string_view function);

// Runtime internals a goroutine passes through but nobody "owns": package runtime,
// runtime/internal/..., internal/... (internal/poll, internal/runtime/..., internal/sync),
// sync/atomic, the sync.runtime_* hooks, and "panic" (runtime.gopanic as tracebacks print
// it). Not runtime/pprof, runtime/trace, runtime/debug or other public runtime packages.
bool IsRuntimeFunction(std::string_view function);
bool IsRuntimeFrame(const Frame& frame);

// True for a function of the standard library: the first element of its import path
// has no dot and is not "main" ("net/http.(*conn).serve", "sync.(*WaitGroup).Wait",
// "runtime.gopark"). False for "main.f", "github.com/x/y.F", "leakgate.dev/x.F", and for
// "command-line-arguments.F" (`go run file.go`). A module path without a dot ("module
// leaky") cannot be told apart from the standard library by name and counts as standard.
bool IsStandardLibrary(std::string_view function);

// The frame that names the goroutine's owner: the first frame that is neither a runtime
// frame nor standard library; else the first non-runtime frame (a goroutine entirely
// inside net/http); else the first frame. nullptr when the goroutine has no frames.
// The pointer is into `g.frames`.
const Frame* TopUserFrame(const Goroutine& g);

// Goroutines with the same (function, created_by, state).
struct GoroutineGroup {
  std::string function;             // TopUserFrame's function, "" when there are no frames
  std::string created_by;           // "" when the dump shows no creator
  std::string created_by_location;  // "file:line" of the go statement, "" if unknown
  std::string state;                // Goroutine::state, e.g. "chan send"
  int64_t count = 0;
  // The pprof labels every goroutine of the group carries with the same value, in the
  // order Go printed them; with Grouping::label_keys those keys always (when present).
  PprofLabels labels;
  // One goroutine of the group (for a diff: from the final dump): the one with the most
  // frames, the lowest id among those.
  Goroutine representative;
};

// How goroutines are grouped beyond (function, created_by, state).
struct Grouping {
  std::vector<std::string> label_keys;  // also by these pprof labels' values (assert.group_by: [label:K])
};

// Groups the dump, largest group first; ties by function, created_by, state, then labels.
std::vector<GoroutineGroup> GroupGoroutines(const GoroutineDump& dump, const Grouping& grouping = {});

// Goroutines to leave out of attribution, e.g. the goroutine serving leakgate's own
// pprof request. `function` is an exact function name as normalized by the parsers
// ("runtime/pprof.writeGoroutineStacks"), or a prefix when it ends with "*"
// ("net/http.*").
struct IgnoreRule {
  enum Kind {
    kTopFunction,  // the innermost frame or the TopUserFrame has this function
    kAnyFunction,  // any frame has this function
    kCreatedBy,    // the created-by function is this function
    // every frame is standard library or runtime (no user code on the stack) and one of
    // them has this function: e.g. an idle keep-alive connection in net/http.(*conn).serve,
    // but not a handler stuck under it.
    kLibraryOnlyWith,
    // a pprof label: `function` holds "key=value" ("route=/healthz"), the value exact or
    // a prefix when it ends with "*" ("route=/internal/*"); "key" alone: any value.
    kLabel,
  };
  Kind kind = kAnyFunction;
  std::string function;
};

// True when any rule matches `g`.
bool Matches(const std::vector<IgnoreRule>& rules, const Goroutine& g);

// Groups whose count grew from `baseline` to `final`, with count = final − baseline,
// largest growth first; ties by function, created_by, then state. Goroutines matching
// `ignore` are dropped from both dumps before grouping. The representative comes from
// `final`.
std::vector<GoroutineGroup> DiffGoroutineGroups(const GoroutineDump& baseline, const GoroutineDump& final,
                                                const std::vector<IgnoreRule>& ignore = {},
                                                const Grouping& grouping = {});

// goleak-style text, every line ending in "\n":
//   1200 goroutines [chan send]: main.blockedSend.func1
//     created by main.blockedSend at /path/main.go:40
//     stack:
//       main.blockedSend.func1
//           /path/main.go:42
// ("1 goroutine" for one; no "created by" line without a creator; a "labels: k=v, ..."
// line when the group has labels; a "...additional frames elided..." line when the
// representative's stack was cut.)
std::string FormatGroup(const GoroutineGroup& group);

}  // namespace leakgate::probes
