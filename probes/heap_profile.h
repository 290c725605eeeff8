// Parser for Go's legacy text heap profile (/debug/pprof/heap?debug=1, written by
// runtime/pprof.writeHeapInternal) and heap growth attribution between two of them.
//
//   heap profile: 2548: 11214720 [2685: 14412640] @ heap/8192
//   32: 131072 [32: 131072] @ 0x488aac 0x7e6455 0x7e65d2 0x44e16b 0x4929e1
//   #	0x7e6454	main.fillCache+0xb4	/src/svc/main.go:25
//   #	0x7e65d1	main.main+0x1d1		/src/svc/main.go:105
//   #	0x44e16a	runtime.main+0x28a	/usr/local/go/src/runtime/proc.go:290
//
//   # runtime.MemStats
//   # Alloc = 17752160
//   # HeapInuse = 18554880
//   # Stack = 393216 / 393216
//   # PauseNs = [63789 349863 ...]
//   # NumGC = 7
//
// Record counts are "in-use objects: in-use bytes [allocated objects: allocated bytes]"
// of the *sampled* allocations, as printed (not scaled up by the sampling rate; see
// ScaleHeapSample for the estimate `go tool pprof` shows).
//
// Contracts:
//   * Lenient and total: never throws (except std::bad_alloc) and never reads outside
//     `text`. Unrecognized or malformed lines are skipped and counted in
//     HeapProfile::skipped_lines; the frame lines under a malformed record line are
//     skipped (and counted) with it.
//   * "\r\n" line ends are accepted.
//   * A last line without "\n" may have been cut ("main.go:4" of "main.go:42", "3: 12" of
//     "3: 1234"), so it is never used: it is counted in skipped_lines (unless blank) and
//     HeapProfile::truncated is set. Go always ends the profile with "\n".
//   * Results do not refer to `text` after return. All functions are pure and safe to call
//     concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "probes/goroutine_dump.h"  // Frame

namespace leakgate::probes {

// One record: a distinct allocation stack with its sampled counts.
struct HeapRecord {
  int64_t inuse_objects = 0;
  int64_t inuse_bytes = 0;
  int64_t alloc_objects = 0;
  int64_t alloc_bytes = 0;
  // Innermost first, as printed: `function` without the "+0x5b" offset, `file` and `line`
  // from "file:line". Go hides the runtime frames above the first non-runtime one (unless
  // the whole stack is runtime). Frames printed without a symbol ("#\t0x4a1b2b") are left
  // out; frame lines that do not parse (no "file:line", ...) are skipped and counted.
  std::vector<Frame> frames;
};

struct HeapProfile {
  bool has_header = false;  // a "heap profile: ..." line was found (the first one counts)
  // Totals from the header line (the sums of all records as Go printed them).
  int64_t inuse_objects = 0;
  int64_t inuse_bytes = 0;
  int64_t alloc_objects = 0;
  int64_t alloc_bytes = 0;
  // runtime.MemProfileRate: the average number of bytes between samples. The header's
  // "@ heap/N" carries 2 × rate (N / 2 is stored here); "@ heap_v2/N" carries the rate
  // itself; 1 (every allocation recorded) when the header has no rate.
  int64_t sampling_rate = 1;
  std::vector<HeapRecord> records;  // profile order
  // The integer fields of the "# runtime.MemStats" trailer by Go field name: "HeapInuse",
  // "HeapObjects", "NumGC", ...; "true"/"false" as 1/0; the "in use / sys" pairs as two
  // fields ("Stack = 1 / 2" -> "StackInuse" 1, "StackSys" 2; also "MSpan", "MCache").
  // Floats ("GCCPUFraction") and arrays ("PauseNs") are left out.
  std::map<std::string, int64_t> memstats;
  size_t skipped_lines = 0;
  bool truncated = false;  // the text did not end with "\n" (its last line was dropped)
};

// Parses a debug=1 heap profile (also the allocs profile, which has the same format).
HeapProfile ParseHeapProfileDebug1(std::string_view text);

// The estimate `go tool pprof` reports for a sampled (count, bytes) pair under Go's
// Poisson sampling at `sampling_rate` bytes: both scaled by 1 / (1 − e^(−avg/rate)) with
// avg = bytes / count. Returns {0, 0} when count or bytes is <= 0, the input unchanged when
// the rate is <= 1; saturates at INT64_MAX.
std::pair<int64_t, int64_t> ScaleHeapSample(int64_t count, int64_t bytes, int64_t sampling_rate);

// In-use heap growth at one allocation site between two profiles.
struct HeapGrowth {
  // The allocation site: the first frame that is not runtime-internal (package runtime,
  // runtime/internal/..., internal/..., i.e. not runtime.mallocgc & co.), or the first
  // frame when all are. Its function, file and line.
  Frame site;
  // The normalized stack from the site outward, "function:line" joined by ";" (innermost
  // first), e.g. "main.fillCache:25;main.main:105;runtime.main:290". Records with the same
  // key (same call path, whatever the PCs and the runtime frames above the site) are one
  // entry. "" for records without frames.
  std::string stack_key;
  std::vector<Frame> frames;  // the stack of the key's largest record in `final`, as printed
  // Growth final − baseline of the estimated in-use bytes and objects (ScaleHeapSample per
  // record, with each profile's own rate): what a leak costs in the process.
  int64_t bytes_delta = 0;
  int64_t objects_delta = 0;
  // The same growth in sampled units, as the profiles print them.
  int64_t sampled_bytes_delta = 0;
  int64_t sampled_objects_delta = 0;
  // Estimated in-use bytes and objects at this key in `final`.
  int64_t final_bytes = 0;
  int64_t final_objects = 0;
};

// Sites whose estimated in-use bytes grew from `baseline` to `final`, largest bytes_delta
// first (ties: larger objects_delta, then stack_key ascending), at most `top_n` of them
// (0: all). Deterministic; the profiles should come from the same process (the key
// includes line numbers, not PCs, so profiles of two builds of the same source also
// compare).
std::vector<HeapGrowth> DiffHeapProfiles(const HeapProfile& baseline, const HeapProfile& final, size_t top_n);

// leakgate resources (keys of a probes::ResourceSample) from the MemStats trailer:
//   HeapInuse -> "heap_inuse_bytes"   HeapObjects -> "heap_objects"
//   HeapAlloc -> "heap_alloc_bytes"   NumGC -> "gc_cycles"
// A field the trailer lacks is left out.
std::map<std::string, double> HeapProfileResources(const HeapProfile& profile);

}  // namespace leakgate::probes
