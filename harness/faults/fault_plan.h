// FaultPlan: decides, per request, which client-side faults it carries — the one fault
// decision of every protocol (HTTP/1.1 requests and gRPC calls alike).
//
// Built once per phase from the phase's `faults:` list (scenario::Phase::cancel, ::faults
// and ::grpc.faults); Decide() is called per request with the worker's own random engine,
// so one FaultPlan is shared read-only by the phase's workers. Each fault item draws its
// own coin: a request may carry several faults, and they compose (see RequestFaults).
// A fault applies to the traffic entries it names (all when it names none) that speak a
// protocol it acts on: cancel and deadline act on every entry, grpc_cancel and
// grpc_abandon on gRPC entries, the other kinds on HTTP entries (the loader keeps the
// HTTP/1.1 kinds to HTTP/1.1 phases and the h2_* kinds to HTTP/2 phases).
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "harness/scenario/scenario.h"

namespace leakgate::faults {

// The faults one request carries, resolved to concrete values (ranges already drawn).
struct RequestFaults {
  // Planned aborts, from the start of the request; the earliest one acts.
  std::optional<scenario::Duration> cancel_after;  // close (FIN) / cancel the call
  std::optional<scenario::Duration> reset_after;   // close with RST (SO_LINGER 0)
  std::optional<scenario::Duration> deadline;      // per-request timeout, counted as a fault
  int64_t send_chunk = 0;                          // slow_send: bytes per interval (0: off)
  scenario::Duration send_interval{0};
  int64_t read_chunk = 0;                          // slow_read: bytes per interval (0: off)
  scenario::Duration read_interval{0};
  bool abandon_body = false;
  bool half_close = false;
  std::optional<double> truncate_keep;             // share of the body sent
  std::optional<scenario::Duration> truncate_wait; // then hold this long before closing
  std::string malformed;                           // "" or request_line | header | version
  std::optional<int> cancel_after_messages;        // grpc_cancel: after this many stream messages
  std::optional<scenario::Duration> abandon_hold;  // grpc_abandon: hold the stream this long (0: to the deadline)
  std::optional<int64_t> h2_reset_after_bytes;     // h2_rst_stream: RST_STREAM after this many body bytes (0: after the headers)
  std::optional<scenario::Duration> h2_stall_hold; // h2_stall: grant no flow-control window this long (0: to the deadline)
  bool h2_stall_connection = false;                // h2_stall: the connection's window, not only the stream's
  bool h2_abandon = false;                         // h2_abandon: stop reading the stream after its headers, never reset it
  bool h2_goaway = false;                          // h2_goaway: GOAWAY on the stream's connection once it is sent
  uint32_t kinds = 0;                              // bit (1 << Fault::Kind) per fault carried

  bool any() const { return kinds != 0; }
  bool has(scenario::Fault::Kind kind) const { return (kinds & (1u << kind)) != 0; }
  // The earliest planned abort (cancel, reset, deadline) and whether it is a reset.
  std::optional<scenario::Duration> abort_after(bool* reset) const;
};

class FaultPlan {
 public:
  FaultPlan(const scenario::Phase& phase, const std::vector<scenario::Traffic>& traffic);

  // True when the phase has no faults at all (Decide would always return nothing).
  bool empty() const { return items_.empty(); }

  // Thread-safe (const); `rng` is the caller's.
  RequestFaults Decide(size_t traffic_index, std::mt19937_64& rng) const;

 private:
  struct Item {
    scenario::Fault fault;
    std::vector<bool> applies_to;  // by traffic index
  };
  void Add(scenario::Fault fault, const std::vector<scenario::Traffic>& traffic);
  std::vector<Item> items_;
};

}  // namespace leakgate::faults
