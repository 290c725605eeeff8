#include "harness/load/h2/h2_session.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "harness/base/asio_tokens.h"
#include "harness/load/h2/h2_connection.h"
#include "harness/load/h2/h2_request.h"

namespace leakgate::load::h2 {

namespace asio = boost::asio;

namespace {

// A connection and the requests that chose it (streams in flight plus those waiting for it
// to connect).
struct Slot {
  Slot(const asio::any_io_executor& ex, bool manual_window) : conn(ex, manual_window), ready(ex) {
    ready.expires_at(Clock::time_point::max());
  }
  H2Connection conn;
  asio::steady_timer ready;  // cancelled when the connect attempt ends
  int reserved = 0;
  bool alive() const { return conn.connecting() || conn.usable(); }
};

// One endpoint's connections.
struct Pool {
  std::vector<std::unique_ptr<Slot>> slots;  // every connection opened (closed ones stay until the end)
  std::deque<asio::steady_timer*> waiters;   // requests waiting for a free stream slot
};


// Whether the phase holds, abandons or resets streams mid-response: its connections then
// grant the default 64 KiB windows by hand, so the server is still writing when the fault
// acts (with h2load-sized windows a loopback server has written 2 MiB before a reset lands).
bool NeedsManualWindow(const scenario::Phase& phase) {
  return std::any_of(phase.faults.begin(), phase.faults.end(), [](const scenario::Fault& f) {
    return f.kind == scenario::Fault::kH2Stall || f.kind == scenario::Fault::kH2Abandon ||
           f.kind == scenario::Fault::kH2RstStream;
  });
}

class H2Session final : public Session {
 public:
  H2Session(const http::HttpProtocol& protocol, const SessionContext& ctx)
      : protocol_(protocol),
        executor_(ctx.executor),
        streams_per_connection_(std::max(1, ctx.phase.streams_per_connection)),
        max_connections_(ctx.PerWorker(ctx.phase.connections.max)),
        tls_(ctx.phase.protocol == scenario::Phase::Wire::kH2),
        manual_window_(NeedsManualWindow(ctx.phase)),
        rng_(std::random_device{}() ^ (static_cast<uint64_t>(ctx.worker_index) * 0x9e3779b97f4a7c15ull)),
        pools_(protocol.endpoint_count()) {}

  asio::awaitable<RequestResult> Perform(const RequestPlan& plan) override;
  void Abort() override {
    stopping_ = true;
    Close();
  }
  void Close() override {
    for (auto& pool : pools_) {
      for (auto& s : pool.slots) s->conn.Close();
      for (auto* w : pool.waiters) w->cancel();
      pool.waiters.clear();
    }
  }

 private:
  int CapacityOf(const Slot& s) const {
    return s.conn.connecting() ? streams_per_connection_ : std::min(streams_per_connection_, s.conn.max_streams());
  }
  // A connection with a free stream slot for a request, or null with `why` (the error it counts as).
  asio::awaitable<Slot*> Acquire(size_t endpoint, Clock::time_point deadline, RequestResult& out, stats::ErrorKind& why);
  void Release(size_t endpoint, Slot& slot);
  const H2Request* Parsed(std::string_view bytes, H2Request& own);

  // Prebuilt requests (entries without template variables, replay records) keep their
  // bytes' address for the whole run: each is parsed once per session, up to
  // kMaxParsedRequests of them; rendered ones (in scratch_) are parsed per request.
  static constexpr size_t kMaxParsedRequests = 4096;
  std::unordered_map<const char*, std::unique_ptr<H2Request>> parsed_;

  const http::HttpProtocol& protocol_;
  asio::any_io_executor executor_;
  const int streams_per_connection_;
  const int max_connections_;  // 0: no bound
  const bool tls_;
  const bool manual_window_;
  std::mt19937_64 rng_;
  std::string scratch_;
  std::vector<Pool> pools_;
  bool stopping_ = false;
};

asio::awaitable<Slot*> H2Session::Acquire(size_t endpoint, Clock::time_point deadline, RequestResult& out,
                                          stats::ErrorKind& why) {
  Pool& pool = pools_[endpoint];
  while (!stopping_ && Clock::now() < deadline) {
    Slot* best = nullptr;
    int live = 0;
    for (auto& s : pool.slots) {
      if (!s->alive()) continue;
      ++live;
      if (s->reserved < CapacityOf(*s) && (best == nullptr || s->reserved < best->reserved)) best = s.get();
    }
    if (best != nullptr) {
      ++best->reserved;
      if (best->conn.connecting()) co_await best->ready.async_wait(kUseTuple);
      if (best->conn.usable()) co_return best;
      Release(endpoint, *best);
      continue;
    }
    if (max_connections_ == 0 || live < max_connections_) {
      pool.slots.push_back(std::make_unique<Slot>(executor_, manual_window_));
      Slot& s = *pool.slots.back();
      ++s.reserved;
      Clock::duration handshake{0};
      const auto* tls = tls_ ? protocol_.h2_tls_peer(endpoint) : nullptr;
      const auto r = co_await s.conn.Connect(protocol_.endpoint(endpoint).endpoint, tls, deadline, handshake);
      s.ready.cancel();
      CountConnect(r, s.conn, tls != nullptr, handshake, out);
      if (r == H2Connection::ConnectResult::kOk) co_return &s;
      s.conn.Close();
      Release(endpoint, s);
      why = ConnectErrorKind(r);
      co_return nullptr;
    }
    asio::steady_timer wait(executor_);
    wait.expires_at(deadline);
    pool.waiters.push_back(&wait);
    co_await wait.async_wait(kUseTuple);
    const auto it = std::find(pool.waiters.begin(), pool.waiters.end(), &wait);
    if (it != pool.waiters.end()) pool.waiters.erase(it);
  }
  why = stats::ErrorKind::kTimeout;  // the deadline passed, or the run stopped
  co_return nullptr;
}

// The HTTP/2 form of `bytes`: a cached parse, or `own` parsed now; null when it has none.
const H2Request* H2Session::Parsed(std::string_view bytes, H2Request& own) {
  const bool prebuilt = bytes.data() != scratch_.data();
  if (prebuilt) {
    if (const auto it = parsed_.find(bytes.data()); it != parsed_.end()) return it->second.get();
  }
  if (!prebuilt || parsed_.size() >= kMaxParsedRequests) return own.Parse(bytes, tls_) ? &own : nullptr;
  auto request = std::make_unique<H2Request>();
  if (!request->Parse(bytes, tls_)) return nullptr;
  return parsed_.emplace(bytes.data(), std::move(request)).first->second.get();
}

void H2Session::Release(size_t endpoint, Slot& slot) {
  --slot.reserved;
  Pool& pool = pools_[endpoint];
  if (!pool.waiters.empty()) {
    pool.waiters.front()->cancel();
    pool.waiters.pop_front();
  }
}

asio::awaitable<RequestResult> H2Session::Perform(const RequestPlan& plan) {
  RequestResult out;
  const size_t endpoint = protocol_.endpoint_of(plan.entry);
  H2Request own;
  const H2Request* request = Parsed(protocol_.factory().Build(plan.entry, plan.seq, rng_, scratch_), own);
  if (request == nullptr) {
    out.error = stats::ErrorKind::kWrite;  // nothing HTTP/2 can carry (a malformed fault's damage)
    co_return out;
  }
  bool reset = false;
  const auto abort_after = plan.faults.abort_after(&reset);
  const auto abort_at = abort_after ? std::optional(plan.started + *abort_after) : std::nullopt;

  stats::ErrorKind why = stats::ErrorKind::kTimeout;
  Slot* slot = co_await Acquire(endpoint, plan.deadline, out, why);
  if (slot == nullptr) {
    out.error = why;
    co_return out;
  }
  const auto& faults = plan.faults;
  Stream stream(executor_);
  stream.headers = request->headers().data();
  stream.header_count = request->headers().size();
  stream.body = request->body();
  stream.reset_after_bytes = faults.h2_reset_after_bytes.value_or(-1);
  stream.abandon_after_headers = faults.h2_abandon;
  const bool planned_abort = abort_at && *abort_at < plan.deadline;
  const auto end_at = planned_abort ? *abort_at : plan.deadline;
  out.sent_at = Clock::now();
  if (!slot->conn.Submit(stream)) {
    Release(endpoint, *slot);
    out.error = stats::ErrorKind::kWrite;
    co_return out;
  }
  // h2_stall: no window granted until `stall_end` (hold 0: until the request ends).
  std::optional<Clock::time_point> stall_end;
  if (faults.h2_stall_hold) {
    slot->conn.HoldWindow(stream, faults.h2_stall_connection);
    stall_end = *faults.h2_stall_hold > scenario::Duration::zero() ? std::min(end_at, plan.started + *faults.h2_stall_hold)
                                                                   : end_at;
  }
  if (faults.h2_goaway) slot->conn.Goaway(stream);
  while (!stream.closed && !stream.fault_due) {
    stream.done.expires_at(stall_end && *stall_end < end_at ? *stall_end : end_at);
    co_await stream.done.async_wait(kUseTuple);
    if (stream.closed || stream.fault_due) break;
    if (stall_end && *stall_end < end_at && Clock::now() >= *stall_end) {
      slot->conn.ReleaseWindow(stream);  // the stall is over: the server's writes go on
      stall_end.reset();
      continue;
    }
    if (Clock::now() >= end_at) break;
  }
  if (!stream.closed) {
    const bool faulted = stream.fault_due || planned_abort || stall_end.has_value();
    if (stream.fault_due && stream.abandon_after_headers) {
      slot->conn.Abandon(stream);  // no RST_STREAM: the server's handler stays blocked in its writes
    } else {
      slot->conn.Cancel(stream);  // RST_STREAM(CANCEL): the server's handler sees its context end
    }
    Release(endpoint, *slot);
    if (faulted) {
      out.outcome = Outcome::kFaulted;
    } else {
      out.error = stats::ErrorKind::kTimeout;
    }
    co_return out;
  }
  Release(endpoint, *slot);
  if (stream.connection_failed || stream.error_code != 0 || stream.status == 0) {
    out.error = stats::ErrorKind::kRead;  // reset by the server, or the connection broke
    co_return out;
  }
  out.responded = true;
  if (stream.status >= 400) {
    out.error = stream.status >= 500 ? stats::ErrorKind::kStatus5xx : stats::ErrorKind::kStatus4xx;
  } else {
    out.outcome = Outcome::kOk;
  }
  co_return out;
}

}  // namespace

std::unique_ptr<Session> NewH2Session(const http::HttpProtocol& protocol, const SessionContext& context) {
  return std::make_unique<H2Session>(protocol, context);
}

}  // namespace leakgate::load::h2
