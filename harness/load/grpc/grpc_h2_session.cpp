#include "harness/load/grpc/grpc_h2_session.h"

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/base/asio_tokens.h"
#include "harness/load/grpc/grpc_outcome.h"
#include "harness/load/grpc/grpc_protocol.h"
#include "harness/load/grpc/grpc_wire.h"
#include "harness/load/h2/h2_connection.h"

namespace leakgate::load::grpc_load {

namespace asio = boost::asio;
using scenario::Duration;

namespace {

// One channel: an HTTP/2 connection and the calls that use it.
struct Channel {
  Channel(const asio::any_io_executor& ex, bool manual_window) : conn(ex, manual_window), ready(ex) {
    ready.expires_at(Clock::time_point::max());
  }
  h2::H2Connection conn;
  asio::steady_timer ready;  // cancelled when the connect attempt ends
  int64_t calls = 0;         // calls it was picked for (channel_churn)
  int users = 0;             // calls holding a pointer to it: it is not destroyed meanwhile
};

// A call's hold on its channel, released when the call ends.
struct ChannelUse {
  Channel* channel = nullptr;
  ~ChannelUse() {
    if (channel != nullptr) --channel->users;
  }
};

// The status of a stream that ended on its own (no timer or fault of ours acted).
int StatusOf(const h2::Stream& s) {
  if (s.grpc_status == kGrpcOk && !s.messages.at_boundary()) return kGrpcInternal;  // a message cut short
  if (s.grpc_status >= 0) return s.grpc_status;
  if (s.connection_failed) return kGrpcUnavailable;
  if (s.error_code != 0) return StatusFromReset(s.error_code);
  if (s.status != 200) return s.status == 0 ? kGrpcInternal : StatusFromHttp(s.status);
  return kGrpcInternal;  // a 200 that ended without trailers
}

// A header field nghttp2 reads in place: `name` and `value` outlive the run (the prepared
// call's strings).
nghttp2_nv Field(const std::string& name, const std::string& value, uint8_t flags) {
  return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                    reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(), flags};
}

void CopyConnectionCounts(const RequestResult& from, RequestResult& to) {
  to.connections_opened = from.connections_opened;
  to.handshakes = from.handshakes;
  to.resumed = from.resumed;
  to.handshake_failures = from.handshake_failures;
  to.handshake_time = from.handshake_time;
}

// Whether the phase abandons streams: an abandoned stream is not read, so its window must
// stay spent (the server's sends then block in flow control, as with a client that stopped
// reading); that needs the 64 KiB windows granted by hand (h2_connection.h).
bool AbandonsStreams(const scenario::Phase& phase) {
  return std::any_of(phase.grpc.faults.begin(), phase.grpc.faults.end(),
                     [](const scenario::GrpcFault& f) { return f.kind == scenario::GrpcFault::kAbandon; });
}

class GrpcH2Session final : public Session {
 public:
  GrpcH2Session(const GrpcProtocol& protocol, const SessionContext& ctx)
      : protocol_(protocol), phase_(ctx.phase), executor_(ctx.executor), manual_window_(AbandonsStreams(ctx.phase)) {
    channels_.resize(static_cast<size_t>(GrpcProtocol::ChannelsOfWorker(ctx)));
  }

  asio::awaitable<RequestResult> Perform(const RequestPlan& plan) override;

  void Abort() override {
    stopping_ = true;
    ForEachChannel([](Channel& c) { c.conn.ResetAll(); });
  }
  void Close() override {
    ForEachChannel([](Channel& c) { c.conn.Close(); });
  }

 private:
  template <typename F>
  void ForEachChannel(F f) {
    for (auto& c : channels_) {
      if (c) f(*c);
    }
    for (auto& c : retired_) f(*c);
  }
  // The next channel round robin, connected (opened by this call when it has none yet);
  // null with `why` when it cannot be had. `out` gets the connect's counts.
  asio::awaitable<Channel*> Acquire(Clock::time_point deadline, RequestResult& out, stats::ErrorKind& why);
  // Closes retired channels nobody uses and destroys the ones whose loops have ended.
  void Reap();

  const GrpcProtocol& protocol_;
  const scenario::Phase& phase_;
  asio::any_io_executor executor_;
  const bool manual_window_;
  std::vector<std::unique_ptr<Channel>> channels_;  // this worker's; null until first used
  std::vector<std::unique_ptr<Channel>> retired_;   // churned or broken, until they are done
  size_t next_channel_ = 0;
  std::vector<nghttp2_nv> headers_;  // a call's header fields, rebuilt per call (Submit copies)
  bool stopping_ = false;
};

void GrpcH2Session::Reap() {
  for (size_t i = 0; i < retired_.size();) {
    Channel& c = *retired_[i];
    if (c.users == 0 && !c.conn.connecting()) c.conn.Close();
    if (c.users == 0 && c.conn.finished()) {
      retired_[i] = std::move(retired_.back());
      retired_.pop_back();
    } else {
      ++i;
    }
  }
}

asio::awaitable<Channel*> GrpcH2Session::Acquire(Clock::time_point deadline, RequestResult& out,
                                                 stats::ErrorKind& why) {
  if (!retired_.empty()) Reap();
  auto& slot = channels_[next_channel_++ % channels_.size()];
  if (slot && ((phase_.grpc.channel_churn > 0 && slot->calls >= phase_.grpc.channel_churn) ||
               (!slot->conn.connecting() && !slot->conn.usable()))) {
    retired_.push_back(std::move(slot));  // its calls in flight finish on it
  }
  if (!slot) {
    slot = std::make_unique<Channel>(executor_, manual_window_);
    Channel* c = slot.get();
    ++c->calls;
    ++c->users;
    Clock::duration handshake{0};
    const http::TlsPeer* tls = protocol_.tls_peer();
    const auto r = co_await c->conn.Connect(protocol_.address().endpoint, tls, deadline, handshake);
    c->ready.cancel();
    h2::CountConnect(r, c->conn, tls != nullptr, handshake, out);
    if (r == h2::H2Connection::ConnectResult::kOk) co_return c;
    c->conn.Close();
    --c->users;
    why = h2::ConnectErrorKind(r);
    co_return nullptr;
  }
  Channel* c = slot.get();
  ++c->calls;
  ++c->users;
  if (c->conn.connecting()) co_await c->ready.async_wait(kUseTuple);
  if (c->conn.usable()) co_return c;
  --c->users;
  why = stats::ErrorKind::kConnect;
  co_return nullptr;
}

asio::awaitable<RequestResult> GrpcH2Session::Perform(const RequestPlan& plan) {
  const auto& entry = protocol_.entry(plan.entry);
  const auto& call = entry.calls[static_cast<size_t>(plan.seq) % entry.calls.size()];
  const auto& faults = plan.faults;
  const Duration timeout = faults.deadline ? *faults.deadline : entry.deadline.value_or(phase_.timeout);
  const auto deadline = Clock::now() + timeout;
  RequestResult counts;
  if (stopping_) {
    counts.error = stats::ErrorKind::kConnect;
    co_return counts;
  }
  stats::ErrorKind why = stats::ErrorKind::kConnect;
  ChannelUse use{co_await Acquire(deadline, counts, why)};
  if (use.channel != nullptr && stopping_) {
    counts.error = stats::ErrorKind::kConnect;
    co_return counts;
  }
  // A call that got no stream ends with `code`, counted as error `kind` unless a planned
  // fault explains it (a short deadline spent connecting).
  const auto no_stream = [&](int code, stats::ErrorKind kind) {
    RequestResult out = ClassifyCall(code, faults, CallTally{});
    if (out.outcome == Outcome::kError) {
      out.error = kind;
      out.responded = false;
    }
    CopyConnectionCounts(counts, out);
    return out;
  };
  if (use.channel == nullptr) {
    co_return no_stream(why == stats::ErrorKind::kTimeout ? kGrpcDeadlineExceeded : kGrpcUnavailable, why);
  }
  h2::H2Connection& conn = use.channel->conn;

  // The request: the prepared fields, then grpc-timeout (copied by nghttp2: it is ours).
  const std::string timeout_value = GrpcTimeoutValue(timeout);
  static const std::string kTimeoutName = "grpc-timeout";
  headers_.clear();
  for (const auto& [name, value] : call.h2_headers) {
    headers_.push_back(Field(name, value, NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE));
  }
  headers_.push_back(Field(kTimeoutName, timeout_value, NGHTTP2_NV_FLAG_NO_COPY_NAME));
  h2::Stream stream(executor_);
  stream.grpc = true;
  stream.headers = headers_.data();
  stream.header_count = headers_.size();

  // Request messages: a unary or server-streaming call sends one, a client or bidi stream
  // `messages`, each `interval` after the last; grpc_cancel on a client stream stops after
  // N (then resets), grpc_abandon never half-closes.
  const bool abandon = faults.abandon_hold.has_value();
  const int to_send = call.client_streaming ? entry.messages : 1;
  const std::optional<int> cancel_after_sent =
      faults.cancel_after_messages && call.client_streaming && !call.server_streaming ? faults.cancel_after_messages
                                                                                       : std::nullopt;
  if (faults.cancel_after_messages && call.server_streaming && !abandon) {
    stream.fault_after_messages = *faults.cancel_after_messages;
  }
  const int stop_sending_at = cancel_after_sent ? std::min(to_send, std::max(1, *cancel_after_sent)) : to_send;
  const bool one_part = to_send == 1 && !abandon && !cancel_after_sent;  // one prepared frame, END_STREAM with it
  std::string body;                                // a stream's messages so far
  int sent = 0;
  Clock::time_point next_message = Clock::now();
  const auto frame = [&](int i) -> const std::string& { return call.frames[static_cast<size_t>(i) % call.frames.size()]; };
  // Appends the messages due by `now`; true when no more will be sent.
  const auto append_due = [&](Clock::time_point now) {
    while (sent < stop_sending_at && now >= next_message) {
      body += frame(sent);
      ++sent;
      next_message = now + entry.interval;
    }
    return sent >= stop_sending_at;
  };
  CallTally tally;
  int local_code = -1;  // set when our timer or fault ended the call
  const auto end_by_fault = [&] {
    conn.Cancel(stream);
    tally.cancelled_by_fault = true;
    local_code = kGrpcCancelled;
  };
  std::optional<Clock::time_point> abandon_end;
  const auto after_writes = [&](Clock::time_point now) {
    if (abandon) {
      if (*faults.abandon_hold > Duration::zero()) abandon_end = now + *faults.abandon_hold;  // 0: to the deadline
    } else if (!cancel_after_sent) {
      conn.MoreBody(stream, body, /*last=*/true);  // half-close
    }
  };

  bool writes_done = true;
  if (one_part) {
    stream.body = frame(0);
    sent = 1;
  } else {
    writes_done = append_due(Clock::now());
    stream.body = body;
    stream.body_open = !writes_done || abandon || cancel_after_sent.has_value();
  }
  const auto sent_at = Clock::now();
  if (!conn.Submit(stream)) co_return no_stream(kGrpcUnavailable, stats::ErrorKind::kWrite);
  if (abandon) conn.HoldWindow(stream, /*connection=*/false);  // never read: its window stays spent
  if (!one_part && writes_done) after_writes(sent_at);
  const std::optional<Clock::time_point> cancel_at =
      faults.cancel_after ? std::optional(sent_at + *faults.cancel_after) : std::nullopt;

  while (!stream.closed) {
    if (stream.fault_due) {  // grpc_cancel on a server stream: the Nth message arrived
      end_by_fault();
      break;
    }
    const auto now = Clock::now();
    if (now >= deadline) {
      conn.Cancel(stream);
      local_code = kGrpcDeadlineExceeded;
      break;
    }
    if ((cancel_at && now >= *cancel_at) || (abandon_end && now >= *abandon_end)) {
      end_by_fault();
      break;
    }
    if (!writes_done && now >= next_message) {
      writes_done = append_due(now);
      conn.MoreBody(stream, body, /*last=*/false);
      if (writes_done) after_writes(now);
      continue;
    }
    if (writes_done && cancel_after_sent) {  // grpc_cancel on a client stream: reset once N messages are out
      if (stream.body_sent >= body.size()) {
        end_by_fault();
        break;
      }
      stream.wake_on_drain = true;
    }
    auto wake = deadline;
    if (cancel_at) wake = std::min(wake, *cancel_at);
    if (abandon_end) wake = std::min(wake, *abandon_end);
    if (!writes_done) wake = std::min(wake, next_message);
    stream.done.expires_at(wake);
    co_await stream.done.async_wait(kUseTuple);
  }
  tally.sent = sent;
  tally.received = abandon ? 0 : stream.messages.count();  // an abandoned stream is not read
  RequestResult out = ClassifyCall(local_code >= 0 ? local_code : StatusOf(stream), faults, tally);
  out.sent_at = sent_at;
  CopyConnectionCounts(counts, out);
  co_return out;
}

}  // namespace

std::unique_ptr<Session> NewGrpcH2Session(const GrpcProtocol& protocol, const SessionContext& context) {
  return std::make_unique<GrpcH2Session>(protocol, context);
}

}  // namespace leakgate::load::grpc_load
