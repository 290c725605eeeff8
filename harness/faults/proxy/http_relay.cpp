#include "harness/faults/proxy/http_relay.h"

#include <algorithm>
#include <cstring>
#include <random>
#include <string_view>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>

#include "harness/faults/proxy/connection.h"
#include "harness/faults/proxy/http_message.h"
#include "harness/faults/proxy/worker.h"

namespace leakgate::faults::proxy {

namespace asio = boost::asio;
namespace beast = boost::beast;
using boost::system::error_code;
using scenario::DependencyFault;
using K = DependencyFault::Kind;

namespace {

// No co_await inside an `if` condition in this file: for `if (!co_await f()) co_return;`
// GCC 12.2 laid out one frame with flags before its resume pointer, and resuming it
// crashed (tools/check_coroutine_frames.py finds such frames). Await into a const first.

// Pipelined requests queued before the request side waits for responses.
constexpr size_t kMaxPending = 64;

enum class ParseEnd { kDone, kEof, kError, kClosed };

std::string_view View(const beast::flat_buffer& buf, size_t n) {
  return {static_cast<const char*>(buf.data().data()), n};
}

// Appends the inbox's front chunk to `buf` (or notes its EOF), waiting for one if needed.
// False when the connection closed.
asio::awaitable<bool> Fill(Connection& c, ChunkQueue& inbox, beast::flat_buffer& buf, bool& eof) {
  while (!c.closed() && inbox.empty()) co_await inbox.consumer().Wait();
  if (c.closed()) co_return false;
  Chunk& chunk = inbox.front();
  if (chunk.kind == Chunk::Kind::kData) {
    const std::string_view d = chunk.rest();
    std::memcpy(buf.prepare(d.size()).data(), d.data(), d.size());
    buf.commit(d.size());
  } else {
    eof = true;
  }
  inbox.Pop();
  co_return true;
}

// Queues a copy of `d` for the leg's writer, waiting while the outbox is full.
asio::awaitable<bool> Forward(Connection& c, ChunkQueue& outbox, std::string_view d) {
  while (!c.closed() && outbox.full()) co_await outbox.producer().Wait();
  if (c.closed()) co_return false;
  if (!d.empty()) outbox.Push(outbox.Copy(d));
  co_return true;
}

// Everything from here on as bytes: `buf`, then the inbox up to its EOF, then the EOF.
asio::awaitable<void> PassThrough(Connection& c, ChunkQueue& inbox, ChunkQueue& outbox, beast::flat_buffer& buf,
                                  bool& eof) {
  for (;;) {
    if (buf.size() > 0) {
      const bool open = co_await Forward(c, outbox, View(buf, buf.size()));
      if (!open) co_return;
      buf.consume(buf.size());
    }
    if (eof) {
      outbox.Push(ChunkQueue::Marker(Chunk::Kind::kEof));
      co_return;
    }
    const bool open = co_await Fill(c, inbox, buf, eof);
    if (!open) co_return;
  }
}

// Feeds `p` until its head is parsed; `used` = the head's size at the front of `buf`.
asio::awaitable<ParseEnd> ReadHead(Connection& c, ChunkQueue& inbox, beast::flat_buffer& buf, Scanner& p, bool& eof,
                                   size_t& used) {
  p.Eager(false);
  for (;;) {
    if (buf.size() > 0) {
      error_code ec;
      used = p.Put(buf.data(), ec);
      if (!ec && p.HeadDone()) co_return ParseEnd::kDone;
      if (ec && ec != beast::http::error::need_more) co_return ParseEnd::kError;
    }
    if (eof) co_return ParseEnd::kEof;
    const bool open = co_await Fill(c, inbox, buf, eof);
    if (!open) co_return ParseEnd::kClosed;
  }
}

// Waits until `until`, or until `spec` is no longer on, or the connection closed.
asio::awaitable<void> Hold(Connection& c, Signal& wake, const DependencyFault& spec, Clock::time_point until) {
  while (!c.closed() && Clock::now() < until && c.faults().StillOn(spec)) co_await wake.Wait(until);
}

// Where RelayBody's raw bytes go: `outbox` (nullptr: nowhere, a request answered here),
// whole or, with `trickle`, in slow_bytes pieces slow_interval apart.
struct BodyTarget {
  ChunkQueue* outbox = nullptr;
  const DependencyFault* trickle = nullptr;
  Signal* wake = nullptr;  // the trickle's pauses wait here
  bool first_piece = true;
};

// Passes `d` on to `to`; false when the connection closed.
asio::awaitable<bool> Deliver(Connection& c, BodyTarget& to, std::string_view d) {
  if (!to.outbox) co_return !c.closed();
  while (!d.empty()) {
    size_t n = d.size();
    if (to.trickle && c.faults().StillOn(*to.trickle)) {  // healed: the rest at once
      if (!to.first_piece) co_await Hold(c, *to.wake, *to.trickle, Clock::now() + to.trickle->slow_interval);
      n = std::min(n, static_cast<size_t>(to.trickle->slow_bytes));
    }
    to.first_piece = false;
    const bool open = co_await Forward(c, *to.outbox, d.substr(0, n));
    if (!open) co_return false;
    d.remove_prefix(n);
  }
  co_return true;
}

// Feeds the rest of the message through `p`, delivering each run of consumed raw bytes
// (body and framing) to `to`.
asio::awaitable<ParseEnd> RelayBody(Connection& c, ChunkQueue& inbox, beast::flat_buffer& buf, Scanner& p, bool& eof,
                                    BodyTarget& to) {
  p.Eager(true);
  while (!p.Done()) {
    if (buf.size() > 0) {
      error_code ec;
      const size_t used = p.Put(buf.data(), ec);
      if (ec && ec != beast::http::error::need_more) co_return ParseEnd::kError;
      if (used > 0) {
        const bool open = co_await Deliver(c, to, View(buf, used));
        if (!open) co_return ParseEnd::kClosed;
        buf.consume(used);
        continue;
      }
    }
    if (eof) {
      error_code ec;
      p.PutEof(ec);  // a response body that ends with the connection
      co_return !ec && p.Done() ? ParseEnd::kDone : ParseEnd::kEof;
    }
    const bool open = co_await Fill(c, inbox, buf, eof);
    if (!open) co_return ParseEnd::kClosed;
  }
  co_return ParseEnd::kDone;
}

std::optional<ActiveFault>& Slot(PendingExchange& ex, K kind) {
  switch (kind) {
    case K::kHttpDrop: return ex.drop;
    case K::kHttpError: return ex.error;
    case K::kHttpDelay: return ex.delay;
    default: return ex.slow_body;
  }
}

std::string Describe(const ActiveFault& f, const PendingExchange& ex) {
  const auto& s = f.spec;
  switch (s.kind) {
    case K::kHttpDrop: return fmt::format("dropping {} {}: closing without an answer", ex.method, ex.target);
    case K::kHttpError: return fmt::format("answering {} to {} {}", s.status, ex.method, ex.target);
    case K::kHttpDelay:
      return fmt::format("delaying the response {} of {} {} by {}", s.before == DependencyFault::DelayPoint::kHead ? "head" : "body",
                         ex.method, ex.target, s.delay);
    default:
      return fmt::format("trickling the response body of {} {}: {} bytes per {}", ex.method, ex.target, s.slow_bytes, s.slow_interval);
  }
}

// Draws the HTTP faults of one request (per request coin, path glob, method), keeps the
// winners (drop > error > delay, slow_body), counts and logs them.
PendingExchange Decide(Connection& c, const MessageScanner<true>& p) {
  PendingExchange ex;
  ex.method = p.method;
  ex.target = p.target;
  ex.head = p.method == "HEAD";
  ex.keep_alive = p.keep_alive();
  ex.tunnel = p.upgrade() || p.method == "CONNECT";
  c.RefreshFaults();
  std::vector<CarriedFault*> drawn;
  for (CarriedFault& cf : c.faults().all()) {
    const DependencyFault& spec = cf.active->spec;
    if (!scenario::IsHttpFault(spec.kind) || !MatchesRequest(spec, ex.method, ex.target)) continue;
    std::optional<ActiveFault>& slot = Slot(ex, spec.kind);
    if (slot || !std::bernoulli_distribution(spec.probability)(c.worker().rng())) continue;
    slot = *cf.active;
    drawn.push_back(&cf);
  }
  if (ex.drop) {
    ex.error.reset();
    ex.delay.reset();
    ex.slow_body.reset();
  } else if (ex.error) {
    ex.delay.reset();
    ex.slow_body.reset();
  }
  for (CarriedFault* cf : drawn) {
    if (!Slot(ex, cf->active->spec.kind)) continue;
    cf->CountConnection();
    Add(cf->active->counters->requests, 1);
    c.Log(cf->active, Describe(*cf->active, ex));
  }
  return ex;
}

void PopPending(Connection& c) {
  c.exchanges().pending.pop_front();
  c.leg(Leg::kUpstream).inbox.consumer().Notify();  // the request side may wait for room
}

}  // namespace

asio::awaitable<void> RelayRequests(std::shared_ptr<Connection> self) {
  Connection& c = *self;
  LegState& up = c.leg(Leg::kUpstream);
  Signal& response_side = c.leg(Leg::kDownstream).inbox.consumer();
  HttpExchanges& x = c.exchanges();
  beast::flat_buffer buf;
  bool eof = false;
  for (;;) {
    while (!c.closed() && x.pending.size() >= kMaxPending) co_await up.inbox.consumer().Wait();
    if (c.closed()) co_return;
    MessageScanner<true> p;
    size_t used = 0;
    ParseEnd end = co_await ReadHead(c, up.inbox, buf, p, eof, used);
    if (end == ParseEnd::kClosed) co_return;
    if (end != ParseEnd::kDone) {  // EOF between requests, or not HTTP/1.1: bytes from here on
      co_await PassThrough(c, up.inbox, up.outbox, buf, eof);
      co_return;
    }
    PendingExchange ex = Decide(c, p);
    Add(c.counters().requests, 1);
    ex.seq = ++x.queued;
    const bool forward = !ex.local();
    const bool drop = ex.drop.has_value();
    const bool last = ex.tunnel || !ex.keep_alive;
    x.pending.push_back(std::move(ex));
    response_side.Notify();

    if (forward) {
      const bool open = co_await Forward(c, up.outbox, View(buf, used));
      if (!open) co_return;
    }
    buf.consume(used);
    BodyTarget to;
    if (forward) to.outbox = &up.outbox;
    end = co_await RelayBody(c, up.inbox, buf, p, eof, to);
    if (end == ParseEnd::kClosed) co_return;
    if (end != ParseEnd::kDone) {  // cut off or garbled mid-body
      if (forward) {
        co_await PassThrough(c, up.inbox, up.outbox, buf, eof);
      } else {
        c.Close(false);
      }
      co_return;
    }
    ++x.read;
    response_side.Notify();
    if (drop) co_return;  // the response side closes the connection in its turn
    if (last) {
      if (forward) co_await PassThrough(c, up.inbox, up.outbox, buf, eof);
      co_return;
    }
  }
}

// GCC 12 sees asio's frame allocator (aligned_alloc, released with free by its matching
// operator delete) as mismatched once it inlines both into a large coroutine; Boost 1.81
// + GCC 12 false positive (as reported by silkworm #2046). Nothing here allocates by hand.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
asio::awaitable<void> RelayResponses(std::shared_ptr<Connection> self) {
  Connection& c = *self;
  LegState& down = c.leg(Leg::kDownstream);
  Signal& wake = down.inbox.consumer();
  HttpExchanges& x = c.exchanges();
  beast::flat_buffer buf;
  bool eof = false;
  for (;;) {
    if (c.closed()) co_return;
    if (x.pending.empty()) {  // nothing asked: pass on what the upstream sends unasked (a 408, its close)
      if (buf.size() > 0) {
        const bool open = co_await Forward(c, down.outbox, View(buf, buf.size()));
        if (!open) co_return;
        buf.consume(buf.size());
      } else if (eof) {
        down.outbox.Push(ChunkQueue::Marker(Chunk::Kind::kEof));
        co_return;
      } else if (down.inbox.empty()) {
        co_await wake.Wait();
      } else {
        const bool open = co_await Fill(c, down.inbox, buf, eof);
        if (!open) co_return;
      }
      continue;
    }
    PendingExchange& ex = x.pending.front();
    if (ex.local()) {
      if (x.read < ex.seq) {  // answer once the request has been read to its end
        co_await wake.Wait();
        continue;
      }
      if (ex.drop) {
        Add(ex.drop->counters->connections_closed, 1);
        down.outbox.Push(ChunkQueue::Marker(Chunk::Kind::kClose));
        co_return;
      }
      const bool keep_alive = ex.keep_alive;
      const DependencyFault& e = ex.error->spec;
      const std::string answer = RenderResponse(e.status, e.headers, e.body, keep_alive, ex.head);
      PopPending(c);
      const bool open = co_await Forward(c, down.outbox, answer);
      if (!open) co_return;
      if (!keep_alive) {
        down.outbox.Push(ChunkQueue::Marker(Chunk::Kind::kClose));
        co_return;
      }
      continue;
    }

    MessageScanner<false> p;
    if (ex.head) p.skip(true);
    size_t used = 0;
    ParseEnd end = co_await ReadHead(c, down.inbox, buf, p, eof, used);
    if (end == ParseEnd::kClosed) co_return;
    if (end != ParseEnd::kDone) {  // the upstream closed without answering, or does not speak HTTP/1.1
      co_await PassThrough(c, down.inbox, down.outbox, buf, eof);
      co_return;
    }
    if (p.status / 100 == 1 && p.status != 101) {  // 100 Continue and friends: the final response follows
      const bool open = co_await Forward(c, down.outbox, View(buf, used));
      if (!open) co_return;
      buf.consume(used);
      continue;
    }
    const std::optional<ActiveFault> delay = ex.delay;
    const std::optional<ActiveFault> slow = ex.slow_body;
    const bool tunnel = p.status == 101 || (ex.method == "CONNECT" && p.status / 100 == 2);
    const bool hold_head = delay && delay->spec.before == DependencyFault::DelayPoint::kHead;
    if (hold_head) co_await Hold(c, wake, delay->spec, Clock::now() + delay->spec.delay);
    const bool open = co_await Forward(c, down.outbox, View(buf, used));
    if (!open) co_return;
    buf.consume(used);
    if (delay && !hold_head) co_await Hold(c, wake, delay->spec, Clock::now() + delay->spec.delay);

    BodyTarget to;
    to.outbox = &down.outbox;
    to.trickle = slow ? &slow->spec : nullptr;
    to.wake = &wake;
    end = co_await RelayBody(c, down.inbox, buf, p, eof, to);
    if (end == ParseEnd::kClosed) co_return;
    PopPending(c);
    if (end != ParseEnd::kDone || tunnel) {  // cut off (pass on the rest and the close), or a tunnel
      co_await PassThrough(c, down.inbox, down.outbox, buf, eof);
      co_return;
    }
  }
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace leakgate::faults::proxy
