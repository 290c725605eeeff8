// ChaosProxy: leakgate's fault proxy between the target and its dependencies, driven by
// the scenario's phases (issue 10; Toxiproxy's model, with protocol-aware faults and a
// log of which fault fired when).
//
// Start() opens one loopback listener per scenario::Dependency (127.0.0.1:listen_port, or
// an ephemeral port when 0) and, for stub dependencies, the stub server leakgate answers
// with (an HTTP/1.1 server, or a gRPC server via grpc++'s generic service) behind it, so
// TCP faults act on stubs as on real upstreams. Every accepted connection is relayed to
// its dependency; the faults of the current phase (SetPhase) act on it:
//
//  - TCP faults act on bytes, per direction (upstream = target → dependency), on a
//    `probability` share of the connections (one coin per connection and fault, drawn
//    when the fault takes effect). Per chunk they compose in a fixed order: blackhole
//    (drop; sticky for the connection's lifetime), reset (hold the first data `after`,
//    then RST; or RST once `after_bytes` passed), stall (hold while on), latency (due at
//    arrival + delay ± jitter), limit_data (close after `bytes`), then the writes are cut
//    by slicer and paced by bandwidth; slow_close holds a FIN. `down` pauses the listener
//    (connects get ECONNREFUSED) and closes the dependency's connections.
//  - HTTP faults act per request on dependencies relayed as HTTP/1.1
//    (scenario::Dependency::http, set by the loader when any phase lists an http_* fault
//    for it: the relay mode is fixed for the whole run, so a connection never switches
//    between byte and message relaying). Requests and responses are parsed with Beast
//    (keep-alive, pipelining, Content-Length, chunked and read-until-close bodies, 1xx
//    interim responses; Upgrade/CONNECT switch the connection to bytes) and forwarded
//    byte for byte. Per request: http_drop wins over http_error, which wins over
//    http_delay and http_slow_body (those two compose).
//  - A fault is on only while its phase is current. When SetPhase() removes it, held data
//    is delivered (stall, http_delay, http_slow_body end early), `down` listeners accept
//    again, pending resets are cancelled; blackholed connections stay blackholed, and data
//    that latency delayed keeps its due time (it was in flight: a dependency slowed by a
//    long latency answers late even after it healed; new data is not delayed).
//
// Every operation has a bound: connect to the upstream (connect_timeout), no byte either
// way for idle_timeout closes both sides, Stop() returns within stop_timeout. Per
// connection and direction the proxy holds at most ~buffer_bytes before it stops reading,
// so a stalled or slow destination pushes back on the source through TCP's window.
//
// Threads: `threads` workers, each with its own io_context and thread; listeners accept
// on worker 0 and hand connections to the workers round robin. A connection's coroutines
// (a reader and a writer per direction, plus a request and a response processor in HTTP
// mode) all run on its worker.
//
// Thread-safety: every public method may be called from any thread, concurrently, except
// from the proxy's own threads (SetPhase waits for the workers). After Stop(), Stats(),
// FaultLog() and WriteFaultLog() still answer; SetPhase() fails.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "harness/base/status.h"
#include "harness/faults/proxy/fault_log.h"
#include "harness/faults/proxy/proxy_stats.h"
#include "harness/scenario/scenario.h"

namespace leakgate::faults::proxy {

struct ProxyOptions {
  int threads = 1;                                                      // worker threads, ≥ 1
  std::chrono::nanoseconds connect_timeout = std::chrono::seconds(5);  // to the upstream; then the target's side is closed
  std::chrono::nanoseconds idle_timeout = std::chrono::minutes(10);    // no byte either way: both sides closed
  std::chrono::nanoseconds stop_timeout = std::chrono::seconds(2);     // bound on Stop() and on SetPhase()'s wait
  size_t buffer_bytes = 256 * 1024;   // per direction of a connection, held before reading stops
  size_t read_bytes = 64 * 1024;      // one read's cap
  size_t max_log_events = 100000;     // fault log bound; later events are counted as dropped
  uint64_t seed = 0;                  // coins; 0 = from std::random_device
};

class ProxyCore;

class ChaosProxy {
 public:
  // Opens the listeners and stubs and starts the workers. InvalidArgument for a
  // malformed dependency, Unavailable when a port cannot be bound or an upstream host
  // not resolved. No phase is current: nothing is faulted until SetPhase().
  static StatusOr<std::unique_ptr<ChaosProxy>> Start(const std::vector<scenario::Dependency>& dependencies,
                                                     const ProxyOptions& options = {});
  ~ChaosProxy();  // Stop()
  ChaosProxy(const ChaosProxy&) = delete;
  ChaosProxy& operator=(const ChaosProxy&) = delete;

  // "127.0.0.1:PORT" of dependency `name` (what ${dep.NAME} expands to); "" if unknown.
  std::string Address(const std::string& name) const;
  // Its port; 0 if unknown.
  int Port(const std::string& name) const;

  // Makes `phase` current with `faults` (the phase's dependency_faults; empty: no fault).
  // When it returns OK every worker has switched: new connections, new requests and
  // every byte relayed from now on see the new faults, and faults that are gone have
  // released what they held. InvalidArgument for a fault naming an unknown dependency,
  // an http_* fault on a TCP relay or a parameter out of range (nothing changes then);
  // Cancelled after Stop(); DeadlineExceeded if a worker did not answer in stop_timeout.
  Status SetPhase(const std::string& phase, const std::vector<scenario::DependencyFault>& faults);

  // Counters so far, per phase (in the order first named), dependency and fault.
  std::vector<PhaseStats> Stats() const;
  // The fault log so far, in order.
  std::vector<FaultEvent> FaultLog() const;
  // Writes it as JSON lines, atomically (temp file + rename).
  Status WriteFaultLog(const std::string& path) const;

  // Closes every listener, connection and stub, within stop_timeout. Idempotent.
  void Stop();

 private:
  explicit ChaosProxy(std::unique_ptr<ProxyCore> core);

  std::unique_ptr<ProxyCore> core_;
  mutable std::mutex mu_;  // serialises SetPhase() and Stop()
  uint64_t generation_ = 1;
  bool stopped_ = false;
};

}  // namespace leakgate::faults::proxy
