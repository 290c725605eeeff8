// Session and Protocol: how a protocol plugs into the load engine (h2load's Session is the
// model). The engine (load_engine.h) owns arrivals, fault decisions, accounting, the
// timeline and the stop path; a protocol only carries out single requests.
//
//   Protocol  one per protocol per engine: the protocol's traffic entries, prepared once
//             (HTTP request bytes, gRPC methods and wire messages) and shared read-only by
//             every worker of every phase. Thread-safety: const methods from any thread.
//   Session   one per protocol per worker per phase, living on that worker's
//             single-threaded io_context: its connections or channels, its in-flight
//             requests. Thread-safety: none; every method on the worker's thread.
//
// Lifetime: the engine creates a worker's sessions before its io_context runs and
// destroys them after run() returned, so a Session outlives every Perform() coroutine it
// started.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <string_view>

#include "harness/faults/fault_plan.h"
#include "harness/scenario/scenario.h"
#include "harness/stats/request_stats.h"

namespace leakgate::load {

using Clock = std::chrono::steady_clock;

// One request as the engine decided it; a Session carries it out.
struct RequestPlan {
  size_t entry = 0;               // index into the engine's traffic entries
  int64_t seq = 0;                // arrival number: template variables ({{seq}}) and the
                                  // replay record (seq mod records) come from it
  faults::RequestFaults faults;   // the client-side faults it carries
  Clock::time_point started;      // when the engine handed it over
  Clock::time_point deadline;     // started + the phase's timeout: the request is over by
                                  // then (an entry with a deadline of its own, a gRPC call's
                                  // `deadline:`, uses that one instead)
};

// How a request ended, in protocol-neutral terms.
enum class Outcome {
  kOk,       // a successful response (HTTP status < 400, gRPC OK)
  kError,    // failed; RequestResult::error says how
  kFaulted,  // ended the way a planned client fault wanted (counted as cancelled)
};

struct RequestResult {
  Outcome outcome = Outcome::kError;
  stats::ErrorKind error = stats::ErrorKind::kRead;  // kError only
  bool responded = false;          // a response (status) arrived: its latency is recorded
  Clock::time_point sent_at;       // when the first byte went out; {} when never (for `late`)
  int connections_opened = 0;      // connections (or channels) this request opened
  int handshakes = 0;              // TLS handshakes completed on them
  int resumed = 0;                 // ... of which resumed an earlier session
  int handshake_failures = 0;      // TLS handshakes that failed (verification, refused certificate)
  Clock::duration handshake_time{0};  // time spent in those handshakes (TCP connect excluded)
  int grpc_status = -1;            // gRPC calls: the final status code
  int64_t messages_sent = 0;       // gRPC: request messages written
  int64_t messages_received = 0;   // gRPC: response messages read
};

// What a worker's Session is created with.
struct SessionContext {
  boost::asio::any_io_executor executor;  // the worker's io_context (single-threaded)
  const scenario::Phase& phase;
  int worker_index = 0;
  int worker_count = 1;

  // This worker's share of a phase-wide bound `total` (connections): at least 1; 0 stays 0 (no bound).
  int PerWorker(int total) const {
    return total <= 0 ? 0 : std::max(1, (total + worker_count - 1) / worker_count);
  }
};

class Session {
 public:
  virtual ~Session() = default;
  // Carries out one request; completes by plan.deadline (plus the time to close a socket)
  // and never throws for network or protocol errors.
  virtual boost::asio::awaitable<RequestResult> Perform(const RequestPlan& plan) = 0;
  // Run-wide stop: ends every request in flight at once (they complete as errors).
  virtual void Abort() = 0;
  // The phase is over and nothing is in flight: closes every connection it opened.
  virtual void Close() = 0;
};

class Protocol {
 public:
  virtual ~Protocol() = default;
  // "http" or "grpc": the protocol's name in reports.
  virtual std::string_view name() const = 0;
  // A session for one worker of one phase; called on that worker's thread.
  virtual std::unique_ptr<Session> NewSession(const SessionContext& context) const = 0;
  // The most workers `phase` may spread this protocol over (gRPC: one per channel).
  virtual int MaxWorkers(const scenario::Phase& /*phase*/) const { return std::numeric_limits<int>::max(); }
  // True when its sessions' operations complete only on the worker's thread (nothing is
  // posted to the worker's io_context from another thread): the worker's io_context then
  // runs without locks. False for grpc++, whose callbacks run on its own threads.
  virtual bool CompletesOnWorkerThread() const { return true; }
};

}  // namespace leakgate::load
