// The writer of one leg: takes chunks from the leg's outbox and passes them to the
// destination, applying the TCP faults the connection carries (see chaos_proxy.h for
// their order). Every hold is a wait on the outbox's consumer Signal with a deadline, so a
// phase change (OnFaultsChanged notifies it) re-evaluates the chunk at once: a fault that
// is gone holds nothing any more.
#include <algorithm>
#include <random>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <boost/asio/error.hpp>
#include <boost/asio/write.hpp>

#include "harness/base/asio_tokens.h"
#include "harness/faults/proxy/connection.h"
#include "harness/faults/proxy/proxy_core.h"
#include "harness/faults/proxy/worker.h"

namespace leakgate::faults::proxy {

namespace asio = boost::asio;
using boost::system::error_code;
using K = scenario::DependencyFault::Kind;

namespace {

// Bandwidth paces in slices of 10 ms worth of bytes (at least 1), and lets a schedule
// that fell behind catch up by at most this much (so the average holds on a busy host).
constexpr int64_t kSlicesPerSecond = 100;
constexpr Clock::duration kCatchUp = std::chrono::milliseconds(100);

struct Step {
  enum Action {
    kWrite,          // write `bytes` of the chunk now
    kDrop,           // discard the chunk
    kWait,           // hold until `until` (or a wake-up), then decide again
    kReset,          // RST both sides (`fault`)
    kClose,          // close both sides (`fault`, if a fault did it)
    kHalfClose,      // pass the EOF on: shut down the destination's sending side
    kCloseUpstream,  // blackholed downstream leg got the upstream's EOF
  };
  Action action = kWrite;
  Clock::time_point until = Clock::time_point::max();
  size_t bytes = 0;
  const ActiveFault* fault = nullptr;
};

std::string_view Towards(Leg leg) { return leg == Leg::kUpstream ? "to the dependency" : "to the target"; }

Clock::duration DrawLatency(const scenario::DependencyFault& f, std::mt19937_64& rng) {
  if (f.jitter.count() <= 0) return f.delay;
  const auto d = std::uniform_int_distribution<int64_t>((f.delay - f.jitter).count(), (f.delay + f.jitter).count())(rng);
  return std::chrono::nanoseconds(std::max<int64_t>(0, d));
}

int64_t DrawSegment(const scenario::DependencyFault& f, std::mt19937_64& rng) {
  if (f.size_variation <= 0) return f.size;
  return std::uniform_int_distribution<int64_t>(f.size - f.size_variation, f.size + f.size_variation)(rng);
}

// What to do with the front chunk now. Counts and logs the first action of each fault.
Step Decide(Connection& c, LegState& s, Chunk& chunk, Clock::time_point now) {
  ConnectionFaults& f = c.faults();
  const Leg leg = s.leg;
  const bool data = chunk.kind == Chunk::Kind::kData;

  if (!s.blackholed) {
    if (CarriedFault* bh = f.Find(K::kBlackhole, leg)) {
      s.blackholed = true;
      s.blackhole_counters = bh->active->counters;
      if (bh->CountConnection()) c.Log(bh->active, fmt::format("blackholed: data {} dropped for the connection's lifetime", Towards(leg)));
    }
  }
  if (s.blackholed) {
    if (data) {
      Add(s.blackhole_counters->bytes_dropped, static_cast<int64_t>(chunk.size - chunk.written));
      return {Step::kDrop};
    }
    if (chunk.kind == Chunk::Kind::kEof && leg == Leg::kDownstream) return {Step::kCloseUpstream};
    return {Step::kClose};  // the target hung up (or the proxy closes): nobody is left to answer
  }
  if (leg == Leg::kUpstream && c.upstream_gone()) return {Step::kDrop};

  if (CarriedFault* r = f.Find(K::kReset, leg); r && data && r->active->spec.after_bytes <= 0) {
    auto& at = r->reset_at[LegIndex(leg)];
    if (!at) at = now + r->active->spec.after;
    if (now < *at) return {Step::kWait, *at};
    return {Step::kReset, {}, 0, r->active};
  }
  if (CarriedFault* st = f.Find(K::kStall, leg)) {
    if (!chunk.held_counted) {
      chunk.held_counted = true;
      Add(st->active->counters->bytes_held, static_cast<int64_t>(chunk.size - chunk.written));
      if (st->CountConnection()) c.Log(st->active, fmt::format("stalled: holding data {} until the fault ends", Towards(leg)));
    }
    return {Step::kWait};
  }
  if (CarriedFault* lat = f.Find(K::kLatency, leg); lat && data) {
    if (!chunk.due) {
      chunk.due = chunk.arrived + DrawLatency(lat->active->spec, c.worker().rng());
      Add(lat->active->counters->bytes_delayed, static_cast<int64_t>(chunk.size - chunk.written));
      if (lat->CountConnection()) {
        c.Log(lat->active, fmt::format("delaying data {} by {} ± {}", Towards(leg), lat->active->spec.delay, lat->active->spec.jitter));
      }
    }
  }
  // Data that came while latency was on keeps its due time after the fault ends (it was
  // "in flight"); data that comes later is not delayed, except behind it (order holds).
  if (chunk.due && now < *chunk.due) return {Step::kWait, *chunk.due};
  if (!data) {
    if (CarriedFault* sc = f.Find(K::kSlowClose, leg); sc && chunk.kind == Chunk::Kind::kEof) {
      const auto due = chunk.arrived + sc->active->spec.delay;
      if (now < due) {
        if (sc->CountConnection()) c.Log(sc->active, fmt::format("holding the close {} for {}", Towards(leg), sc->active->spec.delay));
        return {Step::kWait, due};
      }
    }
    return {chunk.kind == Chunk::Kind::kEof ? Step::kHalfClose : Step::kClose};
  }

  size_t n = chunk.size - chunk.written;
  if (CarriedFault* ld = f.Find(K::kLimitData, leg)) {
    n = std::min<size_t>(n, static_cast<size_t>(std::max<int64_t>(0, ld->active->spec.bytes - ld->passed[LegIndex(leg)])));
  }
  if (CarriedFault* r = f.Find(K::kReset, leg); r && r->active->spec.after_bytes > 0) {
    n = std::min<size_t>(n, static_cast<size_t>(std::max<int64_t>(0, r->active->spec.after_bytes - r->passed[LegIndex(leg)])));
  }
  if (CarriedFault* sl = f.Find(K::kSlicer, leg)) {
    if (now < s.next_segment_at) return {Step::kWait, s.next_segment_at};
    if (s.segment_left <= 0) s.segment_left = DrawSegment(sl->active->spec, c.worker().rng());
    n = std::min<size_t>(n, static_cast<size_t>(s.segment_left));
  }
  if (CarriedFault* bw = f.Find(K::kBandwidth, leg)) {
    if (now < s.paced_until) return {Step::kWait, s.paced_until};
    n = std::min<size_t>(n, static_cast<size_t>(std::max<int64_t>(1, bw->active->spec.rate / kSlicesPerSecond)));
  }
  return {Step::kWrite, {}, n};
}

// Bookkeeping after `n` bytes were written at `t0`. Returns the fault whose byte budget is
// now spent (limit_data: close; reset after_bytes: RST), or nullptr.
const ActiveFault* AfterWrite(Connection& c, LegState& s, size_t n, Clock::time_point t0, bool* reset) {
  const Leg leg = s.leg;
  const size_t li = LegIndex(leg);
  DependencyCounters& dc = c.counters();
  Add(leg == Leg::kUpstream ? dc.bytes_upstream : dc.bytes_downstream, static_cast<int64_t>(n));
  const ActiveFault* spent = nullptr;
  for (CarriedFault& cf : c.faults().all()) {
    if (!cf.Acts(leg)) continue;
    const scenario::DependencyFault& spec = cf.active->spec;
    switch (spec.kind) {
      case K::kLimitData:
        cf.passed[li] += static_cast<int64_t>(n);
        if (cf.passed[li] >= spec.bytes && !spent) spent = cf.active;
        break;
      case K::kReset:
        if (spec.after_bytes <= 0) break;
        cf.passed[li] += static_cast<int64_t>(n);
        if (cf.passed[li] >= spec.after_bytes && !spent) {
          spent = cf.active;
          *reset = true;
        }
        break;
      case K::kSlicer:
        cf.CountConnection();
        Add(cf.active->counters->bytes_delayed, static_cast<int64_t>(n));
        s.segment_left -= static_cast<int64_t>(n);
        if (s.segment_left <= 0) s.next_segment_at = Clock::now() + spec.delay;
        break;
      case K::kBandwidth:
        if (cf.CountConnection()) c.Log(cf.active, fmt::format("pacing data {} at {} bytes/s", Towards(leg), spec.rate));
        Add(cf.active->counters->bytes_delayed, static_cast<int64_t>(n));
        // A schedule that fell behind (the writer ran late) catches up, up to kCatchUp;
        // after a longer pause (or at the start) it restarts from now.
        if (s.paced_until < t0 - kCatchUp) s.paced_until = t0;
        s.paced_until += std::chrono::nanoseconds(static_cast<int64_t>(n) * 1'000'000'000 / spec.rate);
        break;
      default:
        break;
    }
  }
  return spent;
}

void EndByFault(Connection& c, const ActiveFault* fault, bool reset, Leg leg, int64_t unsent) {
  CarriedFault* cf = nullptr;
  for (CarriedFault& x : c.faults().all()) {
    if (x.active == fault) cf = &x;
  }
  if (cf) cf->CountConnection();
  Add(reset ? fault->counters->connections_reset : fault->counters->connections_closed, 1);
  if (unsent > 0) Add(fault->counters->bytes_dropped, unsent);
  const int64_t passed = cf ? cf->passed[LegIndex(leg)] : 0;
  std::string what;
  if (fault->spec.kind == K::kLimitData) {
    what = fmt::format("closed after {} bytes {}", passed, Towards(leg));
  } else if (fault->spec.after_bytes > 0) {
    what = fmt::format("reset (RST) after {} bytes {}", passed, Towards(leg));
  } else {
    what = fmt::format("reset (RST) {} after the first data {}", fault->spec.after, Towards(leg));
  }
  c.Close(reset, fault, what);
}

}  // namespace

asio::awaitable<void> WriteLeg(std::shared_ptr<Connection> self, Leg which) {
  Connection& c = *self;
  LegState& s = c.leg(which);
  asio::ip::tcp::socket& destination = c.destination(which);
  for (;;) {
    if (c.closed()) co_return;
    c.RefreshFaults();
    if (s.outbox.empty()) {
      co_await s.outbox.consumer().Wait();
      continue;
    }
    Chunk& chunk = s.outbox.front();
    const auto now = Clock::now();
    const Step step = Decide(c, s, chunk, now);
    switch (step.action) {
      case Step::kDrop:
        s.outbox.Pop();
        continue;
      case Step::kWait:
        co_await s.outbox.consumer().Wait(step.until);
        continue;
      case Step::kReset:
        EndByFault(c, step.fault, true, which, static_cast<int64_t>(chunk.size - chunk.written));
        co_return;
      case Step::kClose:
        if (step.fault) {
          EndByFault(c, step.fault, false, which, static_cast<int64_t>(chunk.size - chunk.written));
        } else {
          c.Close(false);
        }
        co_return;
      case Step::kCloseUpstream:
        c.CloseUpstreamOnly();
        co_return;
      case Step::kHalfClose: {
        error_code ignored;
        destination.shutdown(asio::socket_base::shutdown_send, ignored);
        s.outbox.Pop();
        c.LegFinished(which);
        co_return;
      }
      case Step::kWrite:
        break;
    }
    auto [ec, n] = co_await c.WriteTo(which, asio::buffer(chunk.rest().data(), step.bytes));
    if (c.closed()) co_return;
    if (ec) {
      c.Close(ec == asio::error::connection_reset);
      co_return;
    }
    c.Touch();
    bool reset = false;
    const ActiveFault* spent = AfterWrite(c, s, n, now, &reset);
    chunk.written += n;
    const int64_t unsent = static_cast<int64_t>(chunk.size - chunk.written);
    if (chunk.written == chunk.size) s.outbox.Pop();
    if (spent) {
      EndByFault(c, spent, reset, which, unsent);
      co_return;
    }
  }
}

}  // namespace leakgate::faults::proxy
