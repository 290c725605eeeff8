// GrpcEngine: drives one phase of gRPC traffic at the target, like load::RunPhase does for
// HTTP/1.1 — the same phases (open model with optional ramp, closed model), the same
// client-side faults where they apply (cancel after a delay, short deadlines) plus the
// gRPC ones (cancel after N stream messages, abandon a stream, channel churn).
//
// Workers: one thread per core, each with its own io_context(1), channels, random engine
// and stats, merged after the phase (as the HTTP engine). Calls are grpc++ generic calls
// with serialized messages (no generated stubs), bridged into the worker's coroutines by
// grpc_call.h. Latency is measured from the intended send time (open model).
//
// Contract of RunPhase: returns once the phase's duration has elapsed and every call it
// started has ended (status received); the channels it opened are closed when it
// returns. A raised `stop` cancels in-flight calls within ~20 ms.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "harness/load/load_engine.h"
#include "harness/scenario/scenario.h"
#include "harness/stats/request_stats.h"

namespace leakgate::load::grpc_load {

inline constexpr int kStatusCodes = 17;  // grpc::StatusCode OK (0) .. UNAUTHENTICATED (16)
// "OK", "CANCELLED", ..., "UNAUTHENTICATED"; "UNKNOWN_CODE" out of range.
const char* StatusCodeName(int code);

struct GrpcPhaseResult {
  PhaseLoadResult load;                          // the HTTP-shaped summary (ok, errors, latency...)
  std::array<int64_t, kStatusCodes> status{};    // calls per final status code (every call that ended)
  int64_t messages_sent = 0;                     // request messages written (all calls)
  int64_t messages_received = 0;                 // response messages read (all calls)
  int64_t channels_opened = 0;                   // = load.stats.connections_opened
};

class PreparedTraffic;

class GrpcEngine {
 public:
  // Loads the message types (scenario grpc.protos, or the server's reflection when
  // grpc.reflection is set) and turns every request of every gRPC traffic entry into wire
  // bytes. `target` is the server's "host:port". Throws scenario::ScenarioError (with the
  // traffic entry's file:line:column) for unknown methods and requests that do not fit
  // their message type, std::runtime_error when protos or reflection fail.
  static std::unique_ptr<GrpcEngine> Prepare(const scenario::Scenario& scenario, const std::string& target);
  ~GrpcEngine();
  GrpcEngine(const GrpcEngine&) = delete;
  GrpcEngine& operator=(const GrpcEngine&) = delete;

  // Runs one phase (see the contract above). Thread-safety: one RunPhase at a time.
  GrpcPhaseResult RunPhase(const scenario::Phase& phase, const std::atomic<bool>& stop) const;

  // "host:port" of a base URL "http://host:port[/...]" (the gRPC target of a scenario).
  static std::string TargetOfUrl(const std::string& url);

 private:
  GrpcEngine();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace leakgate::load::grpc_load
