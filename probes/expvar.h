// Parser for Go's expvar page (/debug/vars): one JSON object, one member per published
// variable, always including "cmdline" (os.Args) and "memstats" (runtime.MemStats):
//
//   {"cmdline": ["/bin/svc", "-addr", ":8080"], "requests_total": 42,
//    "handlers": {"GET /cache": 17, "latency_p99_ms": 12.5},
//    "memstats": {"Alloc": 18182608, "HeapInuse": 19226624, "NumGC": 7, "PauseNs": [...], ...}}
//
// Contracts:
//   * Never throws (except std::bad_alloc) and never crashes on any input: malformed JSON
//     is reported as an error value naming the position.
//   * Go's expvar.Float writes NaN and infinities as "NaN", "+Inf", "-Inf", which is not
//     JSON and would make the whole page unreadable; such values (outside strings) are
//     accepted and dropped, and counted in ExpvarSnapshot::non_finite.
//   * Results do not refer to the input after return. All functions are pure and safe to
//     call concurrently.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leakgate::probes {

struct ExpvarSnapshot {
  // The numeric scalar members of "memstats" by their Go field name ("HeapInuse",
  // "NumGC", "GCCPUFraction", ...). Booleans ("EnableGC") and arrays ("PauseNs",
  // "BySize") are left out. Empty when the page has no "memstats" object.
  std::map<std::string, double> memstats;
  std::vector<std::string> cmdline;  // the string elements of "cmdline"
  // Every other published number ("memstats" and "cmdline" of any shape never count): a top-level member by its name ("requests_total"),
  // and numbers inside published objects by the keys on the way joined with "."
  // ("handlers.GET /cache"; at most 16 levels deep). Strings, booleans, nulls and arrays
  // are left out.
  std::map<std::string, double> published;
  size_t non_finite = 0;  // NaN / +Inf / -Inf values dropped (see the header comment)
};

// Exactly one of `snapshot` and a non-empty `error` is set.
struct ExpvarParseResult {
  std::optional<ExpvarSnapshot> snapshot;
  // e.g. "expvar: invalid JSON: [json.exception.parse_error.101] parse error at line 1,
  // column 7: ..." or "expvar: the top-level JSON value is an array, not an object".
  std::string error;
};

ExpvarParseResult ParseExpvar(std::string_view json);

// leakgate resources (keys of a probes::ResourceSample) from a snapshot:
//   memstats.HeapInuse -> "heap_inuse_bytes"     memstats.HeapObjects -> "heap_objects"
//   memstats.HeapAlloc -> "heap_alloc_bytes"     memstats.NumGC -> "gc_cycles"
// and every `published` number as "expvar.<key>" ("expvar.requests_total",
// "expvar.handlers.GET /cache"). A memstats field the page lacks is left out.
std::map<std::string, double> ExpvarResources(const ExpvarSnapshot& snapshot);

}  // namespace leakgate::probes
