#include "harness/load/grpc/grpc_session.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <unordered_set>

#include "harness/base/asio_tokens.h"
#include "harness/load/grpc/grpc_call.h"
#include "harness/load/grpc/grpc_outcome.h"
#include "harness/load/grpc/grpc_protocol.h"

namespace leakgate::load::grpc_load {

namespace asio = boost::asio;
using scenario::Duration;

namespace {

struct Channel {
  Channel(const std::string& target, const GrpcTransport& transport) {
    ::grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // its own connection, not shared with other channels
    args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);             // every call once: the counts are what the server saw
    args.SetMaxReceiveMessageSize(-1);
    args.SetInt(GRPC_ARG_ENABLE_CHANNELZ, 0);            // no per-call bookkeeping nobody reads
    channel = transport.NewChannel(target, args);
    stub = std::make_unique<::grpc::GenericStub>(channel);
  }
  std::shared_ptr<::grpc::Channel> channel;
  std::unique_ptr<::grpc::GenericStub> stub;
  int64_t calls = 0;
};

// One call in flight: its context, and whether we cancelled it on purpose.
struct CallState {
  ::grpc::ClientContext ctx;
  CallTally tally;
  bool done = false;                // the call returned: a late cancel timer does nothing
  void CancelByFault() {
    tally.cancelled_by_fault = true;
    ctx.TryCancel();
  }
};

class GrpcSession final : public Session {
 public:
  GrpcSession(const GrpcProtocol& protocol, const SessionContext& ctx)
      : protocol_(protocol), phase_(ctx.phase), executor_(ctx.executor) {
    const int mine = GrpcProtocol::ChannelsOfWorker(ctx);
    for (int i = 0; i < mine; ++i) channels_.push_back(std::make_shared<Channel>(protocol.target(), protocol.transport()));
    opened_pending_ = mine;
  }

  asio::awaitable<RequestResult> Perform(const RequestPlan& plan) override;

  void Abort() override {
    stopping_ = true;
    for (auto* call : active_) call->ctx.TryCancel();
  }
  void Close() override { channels_.clear(); }

 private:
  // Round robin over the channels; one that carried channel_churn calls is replaced
  // (in-flight calls keep the old one alive until they end).
  std::shared_ptr<Channel> PickChannel(int* opened) {
    const size_t i = next_channel_++ % channels_.size();
    if (phase_.grpc.channel_churn > 0 && channels_[i]->calls >= phase_.grpc.channel_churn) {
      channels_[i] = std::make_shared<Channel>(protocol_.target(), protocol_.transport());
      ++*opened;
    }
    ++channels_[i]->calls;
    return channels_[i];
  }

  asio::awaitable<::grpc::Status> RunStream(const PreparedEntry& entry, const PreparedCall& call,
                                            const faults::RequestFaults& faults, Channel& channel, CallState& state);

  const GrpcProtocol& protocol_;
  const scenario::Phase& phase_;
  asio::any_io_executor executor_;
  std::vector<std::shared_ptr<Channel>> channels_;
  size_t next_channel_ = 0;
  int opened_pending_ = 0;  // channels opened at construction, reported with the first call
  std::unordered_set<CallState*> active_;  // cancelled on a run-wide stop
  bool stopping_ = false;
};

// A streaming call (every kind is a bidi stream on the wire): a writer and a reader
// coroutine, with grpc_cancel and grpc_abandon acting on them.
asio::awaitable<::grpc::Status> GrpcSession::RunStream(const PreparedEntry& entry, const PreparedCall& call,
                                                       const faults::RequestFaults& faults, Channel& channel,
                                                       CallState& state) {
  using namespace asio::experimental::awaitable_operators;
  Stream stream(*channel.stub, state.ctx, call.path);
  stream.Start();
  const int to_send = call.client_streaming ? entry.messages : 1;
  auto writer = [&]() -> asio::awaitable<void> {
    asio::steady_timer pause(executor_);
    for (int i = 0; i < to_send; ++i) {
      if (i > 0 && entry.interval > Duration::zero()) {
        pause.expires_after(entry.interval);
        co_await pause.async_wait(kUseTuple);
      }
      if (!co_await stream.Write(call.messages[static_cast<size_t>(i) % call.messages.size()])) co_return;
      ++state.tally.sent;
      if (faults.cancel_after_messages && !call.server_streaming && i + 1 >= *faults.cancel_after_messages) {
        state.CancelByFault();
        co_return;
      }
    }
    if (faults.abandon_hold) {
      // Abandon: no half-close, no more reading; hold the stream open, then go away.
      if (*faults.abandon_hold > Duration::zero()) {
        pause.expires_after(*faults.abandon_hold);
        co_await pause.async_wait(kUseTuple);
        state.CancelByFault();
      }
      co_return;  // hold 0: until the deadline
    }
    stream.CloseSend();
  };
  auto reader = [&]() -> asio::awaitable<void> {
    if (faults.abandon_hold) co_return;
    ::grpc::ByteBuffer message;
    while (co_await stream.Read(&message)) {
      ++state.tally.received;
      if (faults.cancel_after_messages && call.server_streaming && state.tally.received == *faults.cancel_after_messages) {
        state.CancelByFault();
      }
    }
  };
  co_await (writer() && reader());
  co_return co_await stream.Finish();
}

asio::awaitable<RequestResult> GrpcSession::Perform(const RequestPlan& plan) {
  using namespace asio::experimental::awaitable_operators;
  const auto& entry = protocol_.entry(plan.entry);
  const auto& call = entry.calls[static_cast<size_t>(plan.seq) % entry.calls.size()];
  const auto& faults = plan.faults;
  CallState state;
  const Duration timeout = faults.deadline ? *faults.deadline : entry.deadline.value_or(phase_.timeout);
  state.ctx.set_deadline(std::chrono::system_clock::now() + timeout);
  for (const auto& [key, value] : call.metadata) state.ctx.AddMetadata(key, value);
  int opened = std::exchange(opened_pending_, 0);
  const auto channel = PickChannel(&opened);
  RequestResult result;
  if (stopping_) {
    result.error = stats::ErrorKind::kConnect;
    co_return result;
  }
  active_.insert(&state);
  const auto sent_at = Clock::now();

  // The cancel fault races the call; both coroutines are awaited, so the timer's
  // continuation never outlives `state`.
  asio::steady_timer cancel_timer(executor_);
  auto canceller = [&]() -> asio::awaitable<void> {
    if (!faults.cancel_after) co_return;
    cancel_timer.expires_after(*faults.cancel_after);
    auto [ec] = co_await cancel_timer.async_wait(kUseTuple);
    if (!ec && !state.done) state.CancelByFault();
  };
  auto perform = [&]() -> asio::awaitable<::grpc::Status> {
    ::grpc::Status status;
    if (!call.client_streaming && !call.server_streaming && !faults.abandon_hold) {
      ::grpc::ByteBuffer response;
      status = co_await UnaryCall(*channel->stub, state.ctx, call.path, call.messages.front(), response);
      state.tally.sent = 1;
      state.tally.received = status.ok() ? 1 : 0;
    } else {
      status = co_await RunStream(entry, call, faults, *channel, state);
    }
    state.done = true;
    cancel_timer.cancel();
    co_return status;
  };
  const ::grpc::Status status = co_await (perform() && canceller());
  active_.erase(&state);
  result = ClassifyCall(static_cast<int>(status.error_code()), faults, state.tally);
  result.sent_at = sent_at;
  result.connections_opened = opened;
  co_return result;
}

}  // namespace

std::unique_ptr<Session> NewGrpcSession(const GrpcProtocol& protocol, const SessionContext& context) {
  return std::make_unique<GrpcSession>(protocol, context);
}

}  // namespace leakgate::load::grpc_load
