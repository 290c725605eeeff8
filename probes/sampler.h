// Sampler: reads the target's resources from every source the scenario gives:
//   pprof    goroutines (goroutine?debug=1 total), heap_inuse_bytes / heap_objects /
//            heap_alloc_bytes / gc_cycles (heap?debug=1 MemStats trailer; gc=1 forces a GC)
//   /proc    fds, fds_file, fds_pipe, sockets, tcp_<state>, rss_bytes, threads (started targets)
//   expvar   memstats heap figures, published numbers as "expvar.<name>"
//   metrics  go_goroutines, go_memstats_*, process_open_fds, process_resident_memory_bytes
// When several sources give the same resource, pprof wins over /proc, /proc over expvar,
// expvar over /metrics (the most direct reading counts).
//
// Every fetch is bounded (http_fetch.h): `timeout` for the whole exchange, a body cap, and
// the address policy (loopback unless `allow` names the host).
//
// Sample() and the dump fetchers are synchronous and may be called from the runner thread
// while a timeline thread (StartTimeline/StopTimeline) samples in the background; the
// sampler's own state is guarded, the HTTP fetches use separate connections.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "harness/base/status.h"
#include "harness/net/address_policy.h"
#include "probes/http_fetch.h"
#include "probes/proc_reader.h"
#include "probes/settle.h"

namespace leakgate::probes {

struct SamplerConfig {
  std::string pprof_url;               // absolute URL of net/http/pprof, e.g. http://127.0.0.1:8080/debug/pprof
  std::string metrics_url;             // absolute URL of Prometheus /metrics; "" = not scraped
  std::string expvar_url;              // absolute URL of expvar /debug/vars; "" = not scraped
  bool heap_profile = true;            // read heap?debug=1 in every sample
  std::optional<pid_t> pid;            // set when leakgate started the target: enables /proc readings
  std::chrono::nanoseconds timeout{std::chrono::seconds(5)};  // bounds each fetch, whole exchange
  std::uint64_t pprof_body_cap = kDumpBodyCap;   // pprof: goroutine dumps and profiles
  std::uint64_t body_cap = kSmallBodyCap;        // expvar and /metrics
  net::AllowList allow;                // hosts the URLs may name besides loopback (http_fetch.h)
  const std::atomic<bool>* stop = nullptr;  // raised: every fetch gives up at once (http_fetch.h)
  // TLS of each source when its URL is https:// (nullopt: verify against the system store).
  std::optional<net::TlsSettings> pprof_tls, metrics_tls, expvar_tls;
};

// One reading of every source: what could be read, and why something could not. The
// values are kept when a source fails (the timeline records partial samples).
struct SampleReading {
  ResourceSample values;  // every resource that could be read
  Status status;          // OK, or the first source that failed: "heap profile: GET …: HTTP 500"
};

// Resource names used in samples, assertions and reports.
inline constexpr const char* kGoroutines = "goroutines";
inline constexpr const char* kFds = "fds";
inline constexpr const char* kRssBytes = "rss_bytes";
inline constexpr const char* kThreads = "threads";
inline constexpr const char* kSockets = "sockets";
inline constexpr const char* kHeapInuseBytes = "heap_inuse_bytes";
inline constexpr const char* kHeapObjects = "heap_objects";

struct TimelinePoint {
  double t_seconds = 0;   // since the sampler was created
  std::string phase;
  ResourceSample values;
};

class Sampler {
 public:
  explicit Sampler(SamplerConfig config);
  ~Sampler();
  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;

  // One reading of every resource that can be read now. With `force_gc`, first asks the
  // runtime for a GC (heap?gc=1) so finalizers can release what only garbage holds.
  SampleReading Sample(bool force_gc);

  // The goroutine profile as text: debug=1 (grouped) or debug=2 (every goroutine).
  StatusOr<std::string> GoroutineProfile(int debug);

  // The body of any pprof endpoint answering 200 (any other status is an error), e.g.
  // Pprof("heap?debug=1"), Pprof("goroutineleak?debug=1"), Pprof("heap") (gzipped
  // protobuf, for `go tool pprof`). Capped at pprof_body_cap.
  StatusOr<std::string> Pprof(const std::string& path_and_query);
  // Pprof for an endpoint that answers after recording for `length` (trace?seconds=N,
  // profile?seconds=N): the deadline is the recording plus the probe timeout. Const and
  // safe to call from any thread, as Pprof.
  StatusOr<std::string> PprofRecording(const std::string& path_and_query, std::chrono::nanoseconds length) const;

  std::optional<FdSnapshot> Fds() const;

  // Background sampling every `interval`, labelled with `phase`, until StopTimeline().
  void StartTimeline(std::chrono::nanoseconds interval, std::string phase);
  void StopTimeline();
  std::vector<TimelinePoint> Timeline() const;

  double SecondsSinceStart() const;

 private:
  // Fetch options for the URL held by `key`, with that source's body cap.
  FetchOptions Options(std::string_view key, std::uint64_t body_cap, const std::optional<net::TlsSettings>& tls) const;

  SamplerConfig config_;
  std::chrono::steady_clock::time_point origin_;
  mutable std::mutex mu_;
  std::vector<TimelinePoint> timeline_;  // guarded by mu_
  std::jthread timeline_thread_;
};

}  // namespace leakgate::probes
