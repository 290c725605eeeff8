#include "harness/faults/fault_plan.h"

#include <algorithm>

#include "harness/stats/request_stats.h"

namespace leakgate::faults {

static_assert(stats::kFaultKinds == scenario::Fault::kKinds, "stats counts every fault kind");

namespace {

scenario::Fault FromCancel(const scenario::CancelFault& c) {
  scenario::Fault f;
  f.kind = scenario::Fault::kCancel;
  f.scope = {c.probability, c.traffic};
  f.after = {c.after, std::max(c.after, c.after_max)};
  return f;
}

scenario::Duration Draw(const scenario::DurationRange& range, std::mt19937_64& rng) {
  if (range.max <= range.min) return range.min;
  std::uniform_int_distribution<int64_t> d(range.min.count(), range.max.count());
  return scenario::Duration(d(rng));
}

scenario::Fault FromGrpc(const scenario::GrpcFault& g) {
  scenario::Fault f;
  f.kind = g.kind == scenario::GrpcFault::kCancelAfterMessages ? scenario::Fault::kGrpcCancel
                                                              : scenario::Fault::kGrpcAbandon;
  f.scope = {g.probability, g.traffic};
  f.after_messages = g.after_messages;
  f.hold = g.hold;
  return f;
}

void KeepEarliest(std::optional<scenario::Duration>& slot, scenario::Duration d) {
  slot = slot ? std::min(*slot, d) : d;
}

// Whether a fault of `kind` can act on a request of entry `t`.
bool ActsOn(scenario::Fault::Kind kind, const scenario::Traffic& t) {
  switch (kind) {
    case scenario::Fault::kCancel:
    case scenario::Fault::kDeadline: return true;
    case scenario::Fault::kGrpcCancel:
    case scenario::Fault::kGrpcAbandon: return t.grpc.has_value();
    default: return !t.grpc.has_value();
  }
}

}  // namespace

std::optional<scenario::Duration> RequestFaults::abort_after(bool* reset) const {
  std::optional<scenario::Duration> best;
  bool is_reset = false;
  for (const auto& [d, r] : {std::pair{cancel_after, false}, std::pair{reset_after, true}, std::pair{deadline, false}}) {
    if (d && (!best || *d < *best)) {
      best = d;
      is_reset = r;
    }
  }
  if (reset != nullptr) *reset = is_reset;
  return best;
}

FaultPlan::FaultPlan(const scenario::Phase& phase, const std::vector<scenario::Traffic>& traffic) {
  for (const auto& c : phase.cancel) Add(FromCancel(c), traffic);
  for (const auto& f : phase.faults) Add(f, traffic);
  for (const auto& g : phase.grpc.faults) Add(FromGrpc(g), traffic);
}

void FaultPlan::Add(scenario::Fault fault, const std::vector<scenario::Traffic>& traffic) {
  Item item{std::move(fault), std::vector<bool>(traffic.size(), false)};
  const auto& names = item.fault.scope.traffic;
  bool any = false;
  for (size_t i = 0; i < traffic.size(); ++i) {
    const bool named = names.empty() || std::find(names.begin(), names.end(), traffic[i].name) != names.end();
    item.applies_to[i] = named && ActsOn(item.fault.kind, traffic[i]);
    any = any || item.applies_to[i];
  }
  if (any) items_.push_back(std::move(item));
}

RequestFaults FaultPlan::Decide(size_t traffic_index, std::mt19937_64& rng) const {
  RequestFaults out;
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  for (const auto& item : items_) {
    if (traffic_index >= item.applies_to.size() || !item.applies_to[traffic_index]) continue;
    const auto& f = item.fault;
    if (f.scope.probability < 1.0 && coin(rng) >= f.scope.probability) continue;
    out.kinds |= 1u << f.kind;
    switch (f.kind) {
      case scenario::Fault::kCancel: KeepEarliest(out.cancel_after, Draw(f.after, rng)); break;
      case scenario::Fault::kReset: KeepEarliest(out.reset_after, Draw(f.after, rng)); break;
      case scenario::Fault::kDeadline: KeepEarliest(out.deadline, Draw(f.after, rng)); break;
      case scenario::Fault::kSlowSend:
        out.send_chunk = f.bytes;
        out.send_interval = f.interval;
        break;
      case scenario::Fault::kSlowRead:
        out.read_chunk = f.bytes;
        out.read_interval = f.interval;
        break;
      case scenario::Fault::kAbandonBody: out.abandon_body = true; break;
      case scenario::Fault::kHalfClose: out.half_close = true; break;
      case scenario::Fault::kTruncateBody:
        out.truncate_keep = f.keep;
        if (f.then_wait) out.truncate_wait = f.wait;
        break;
      case scenario::Fault::kMalformed: out.malformed = f.malformed; break;
      case scenario::Fault::kGrpcCancel:
        out.cancel_after_messages = out.cancel_after_messages ? std::min(*out.cancel_after_messages, f.after_messages)
                                                              : f.after_messages;
        break;
      case scenario::Fault::kGrpcAbandon: out.abandon_hold = f.hold; break;
      case scenario::Fault::kH2RstStream: {
        const int64_t after = std::max<int64_t>(0, f.after_bytes);
        out.h2_reset_after_bytes = out.h2_reset_after_bytes ? std::min(*out.h2_reset_after_bytes, after) : after;
        break;
      }
      case scenario::Fault::kH2Stall:
        out.h2_stall_hold = f.hold;
        out.h2_stall_connection = out.h2_stall_connection || f.connection_window;
        break;
      case scenario::Fault::kH2Abandon: out.h2_abandon = true; break;
      case scenario::Fault::kH2Goaway: out.h2_goaway = true; break;
    }
  }
  return out;
}

}  // namespace leakgate::faults
