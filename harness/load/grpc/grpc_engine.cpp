#include "harness/load/grpc/grpc_engine.h"

#include <absl/synchronization/mutex.h>
#include <fmt/format.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/url/parse.hpp>
#include <cmath>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>
#include <unordered_set>

#include "harness/load/grpc/grpc_call.h"
#include "harness/load/grpc/proto_catalog.h"
#include "harness/scenario/scenario_loader.h"

namespace leakgate::load::grpc_load {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using scenario::Duration;

const char* StatusCodeName(int code) {
  static constexpr const char* kNames[kStatusCodes] = {
      "OK",        "CANCELLED",         "UNKNOWN",        "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
      "OUT_OF_RANGE", "UNIMPLEMENTED",  "INTERNAL",       "UNAVAILABLE",      "DATA_LOSS",         "UNAUTHENTICATED"};
  return code >= 0 && code < kStatusCodes ? kNames[code] : "UNKNOWN_CODE";
}

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kStopPollInterval = std::chrono::milliseconds(20);

// One concrete call: a method with its wire messages and metadata.
struct PreparedCall {
  std::string path;                  // "/package.Service/Method"
  bool client_streaming = false;
  bool server_streaming = false;
  std::vector<::grpc::ByteBuffer> messages;  // sent in order, cycled
  std::vector<std::pair<std::string, std::string>> metadata;
  Duration offset{0};                // replay: since the first recorded call
};

::grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  ::grpc::Slice slice(bytes);
  return ::grpc::ByteBuffer(&slice, 1);
}

// A gRPC status the way the HTTP taxonomy counts it (grpc-gateway's HTTP mapping).
stats::ErrorKind ErrorKindOf(::grpc::StatusCode code) {
  switch (code) {
    case ::grpc::StatusCode::DEADLINE_EXCEEDED: return stats::ErrorKind::kTimeout;
    case ::grpc::StatusCode::CANCELLED: return stats::ErrorKind::kRead;
    case ::grpc::StatusCode::INVALID_ARGUMENT:
    case ::grpc::StatusCode::NOT_FOUND:
    case ::grpc::StatusCode::ALREADY_EXISTS:
    case ::grpc::StatusCode::PERMISSION_DENIED:
    case ::grpc::StatusCode::FAILED_PRECONDITION:
    case ::grpc::StatusCode::OUT_OF_RANGE:
    case ::grpc::StatusCode::UNAUTHENTICATED:
    case ::grpc::StatusCode::RESOURCE_EXHAUSTED: return stats::ErrorKind::kStatus4xx;
    default: return stats::ErrorKind::kStatus5xx;
  }
}

}  // namespace

// One traffic entry, ready to send.
class PreparedTraffic {
 public:
  std::string name;
  std::vector<PreparedCall> calls;   // 1 for a call template, the recording for a replay
  int messages = 1;
  Duration interval{0};
  std::optional<Duration> deadline;
  bool recorded_pace = false;
  double speed = 1.0;
  double weight = 1.0;
};

struct GrpcEngine::Impl {
  std::string target;
  std::unique_ptr<ProtoCatalog> catalog;
  std::vector<PreparedTraffic> traffic;   // parallel to scenario.traffic
};

namespace {

// Per phase, per traffic entry: which faults apply.
struct FaultRules {
  struct Cancel {
    Duration min, max;
    double probability;
    std::vector<bool> applies;
  };
  std::vector<Cancel> cancels;     // after a delay (cancel:)
  std::vector<Cancel> deadlines;   // short deadline (deadline:)
  struct Messages {
    int after;
    double probability;
    std::vector<bool> applies;
  };
  std::vector<Messages> after_messages;
  struct Abandon {
    Duration hold;
    double probability;
    std::vector<bool> applies;
  };
  std::vector<Abandon> abandons;
};

std::vector<bool> Applies(const std::vector<std::string>& names, const std::vector<PreparedTraffic>& traffic) {
  std::vector<bool> out(traffic.size(), names.empty());
  for (const auto& n : names) {
    for (size_t i = 0; i < traffic.size(); ++i) {
      if (traffic[i].name == n) out[i] = true;
    }
  }
  return out;
}

FaultRules MakeFaultRules(const scenario::Phase& phase, const std::vector<PreparedTraffic>& traffic) {
  FaultRules r;
  for (const auto& c : phase.cancel) {
    r.cancels.push_back({c.after, std::max(c.after, c.after_max), c.probability, Applies(c.traffic, traffic)});
  }
  for (const auto& f : phase.faults) {
    if (f.kind != scenario::Fault::kDeadline) continue;
    r.deadlines.push_back({f.after.min, std::max(f.after.min, f.after.max), f.scope.probability, Applies(f.scope.traffic, traffic)});
  }
  for (const auto& f : phase.grpc.faults) {
    if (f.kind == scenario::GrpcFault::kCancelAfterMessages) {
      r.after_messages.push_back({f.after_messages, f.probability, Applies(f.traffic, traffic)});
    } else {
      r.abandons.push_back({f.hold, f.probability, Applies(f.traffic, traffic)});
    }
  }
  return r;
}

// What one call carries.
struct CallFaults {
  std::optional<Duration> cancel_after;
  std::optional<Duration> deadline;
  std::optional<int> cancel_after_messages;
  std::optional<Duration> abandon_hold;  // 0: until the deadline
};

struct PhaseContext {
  const scenario::Phase& phase;
  const std::string& target;
  const std::vector<PreparedTraffic>& traffic;
  const std::vector<double>& weights;   // rate/closed-model picks (recorded-pace entries: 0)
  bool any_weight = false;
  const FaultRules& faults;
  const std::atomic<bool>& stop;
  Clock::time_point start;
  Clock::time_point end;
  int worker_count;
  int total_channels;
};

// A channel (one HTTP/2 connection: local subchannel pool) and its generic stub.
struct ChannelSlot {
  explicit ChannelSlot(const std::string& target) {
    ::grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // its own connection, not shared with other channels
    args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);             // every call once: the counts are what the server saw
    args.SetMaxReceiveMessageSize(-1);
    args.SetInt(GRPC_ARG_ENABLE_CHANNELZ, 0);            // no per-call bookkeeping nobody reads
    channel = ::grpc::CreateCustomChannel(target, ::grpc::InsecureChannelCredentials(), args);
    stub = std::make_unique<::grpc::GenericStub>(channel);
  }
  std::shared_ptr<::grpc::Channel> channel;
  std::unique_ptr<::grpc::GenericStub> stub;
  int64_t calls = 0;
};

// Per-second counters of one worker.
struct Second {
  int64_t completed = 0, ok = 0, errors = 0;
  stats::LatencyHistogram latency;
};

// One worker: its own io_context, channels, rng and stats. Run() on one thread.
class Worker {
 public:
  Worker(const PhaseContext& ctx, int index)
      : ctx_(ctx),
        index_(index),
        max_in_flight_(std::max(1, (ctx.phase.max_in_flight + ctx.worker_count - 1) / ctx.worker_count)),
        rng_(std::random_device{}() ^ (static_cast<uint64_t>(index) << 32)),
        picker_(ctx.weights.begin(), ctx.weights.end()),
        schedule_timer_(ioc_) {
    int channels = ctx.total_channels / ctx.worker_count + (index < ctx.total_channels % ctx.worker_count ? 1 : 0);
    channels = std::max(1, channels);
    for (int i = 0; i < channels; ++i) OpenChannel();
  }

  void Run() {
    int schedulers = 0;
    if (ctx_.any_weight) {
      ++schedulers;
      if (ctx_.phase.concurrency > 0) {
        asio::co_spawn(ioc_, ClosedModel(), asio::detached);
      } else if (ctx_.phase.rate > 0 || ctx_.phase.rate_to > 0) {
        asio::co_spawn(ioc_, OpenModel(), asio::detached);
      } else {
        --schedulers;
      }
    }
    for (size_t t = 0; t < ctx_.traffic.size(); ++t) {
      if (ctx_.traffic[t].recorded_pace) {
        ++schedulers;
        asio::co_spawn(ioc_, RecordedPace(t), asio::detached);
      }
    }
    schedulers_left_ = schedulers;
    asio::co_spawn(ioc_, WatchStop(), asio::detached);
    ioc_.run();
    channels_.clear();
  }

  stats::RequestStats& stats() { return stats_; }
  const std::array<int64_t, kStatusCodes>& status() const { return status_; }
  int64_t messages_sent() const { return messages_sent_; }
  int64_t messages_received() const { return messages_received_; }
  const std::vector<Second>& seconds() const { return seconds_; }

 private:
  // Arrival j of the phase is due when the (possibly ramping) rate has produced j arrivals.
  std::optional<Clock::time_point> DueTime(int64_t j) const {
    const double r0 = ctx_.phase.rate;
    const double r1 = ctx_.phase.rate_to >= 0 ? ctx_.phase.rate_to : r0;
    const double total = std::chrono::duration<double>(ctx_.phase.duration).count();
    double t = 0;
    if (std::abs(r1 - r0) < 1e-9) {
      if (r0 <= 0) return std::nullopt;
      t = static_cast<double>(j) / r0;
    } else {
      const double a = (r1 - r0) / (2 * total);
      const double disc = r0 * r0 + 4 * a * static_cast<double>(j);
      if (disc < 0) return std::nullopt;
      t = (-r0 + std::sqrt(disc)) / (2 * a);
      if (t < 0) return std::nullopt;
    }
    if (t >= total) return std::nullopt;
    return ctx_.start + std::chrono::nanoseconds(static_cast<int64_t>(t * 1e9));
  }

  void SchedulerDone() { --schedulers_left_; }

  asio::awaitable<void> OpenModel() {
    for (int64_t j = index_; !stopping_; j += ctx_.worker_count) {
      const auto due = DueTime(j);
      if (!due || *due >= ctx_.end) break;
      schedule_timer_.expires_at(*due);
      co_await schedule_timer_.async_wait(kUseTuple);
      if (stopping_) break;
      ++stats_.scheduled;
      if (in_flight_ >= max_in_flight_) {
        ++stats_.dropped;
        continue;
      }
      const size_t t = picker_(rng_);
      ++in_flight_;
      asio::co_spawn(ioc_, Call(t, NextCall(t), *due), asio::detached);
    }
    SchedulerDone();
  }

  // Closed model: this worker's share of the users, each calling back to back.
  asio::awaitable<void> ClosedModel() {
    const int users = ctx_.phase.concurrency / ctx_.worker_count + (index_ < ctx_.phase.concurrency % ctx_.worker_count ? 1 : 0);
    for (int u = 0; u < users; ++u) {
      ++users_left_;
      asio::co_spawn(ioc_, User(), asio::detached);
    }
    co_return SchedulerDone();
  }

  asio::awaitable<void> User() {
    asio::steady_timer think(ioc_);
    while (!stopping_ && Clock::now() < ctx_.end) {
      ++stats_.scheduled;
      const size_t t = picker_(rng_);
      ++in_flight_;
      co_await Call(t, NextCall(t), Clock::now());
      if (ctx_.phase.think_time > Duration::zero()) {
        think.expires_after(ctx_.phase.think_time);
        co_await think.async_wait(kUseTuple);
      }
    }
    --users_left_;
  }

  // A replay at its recorded pace: this worker's share (call i with i mod W == index).
  asio::awaitable<void> RecordedPace(size_t t) {
    const auto& traffic = ctx_.traffic[t];
    asio::steady_timer timer(ioc_);
    for (size_t i = static_cast<size_t>(index_); i < traffic.calls.size() && !stopping_;
         i += static_cast<size_t>(ctx_.worker_count)) {
      const auto offset = std::chrono::nanoseconds(
          static_cast<int64_t>(static_cast<double>(traffic.calls[i].offset.count()) / traffic.speed));
      const auto due = ctx_.start + offset;
      if (due >= ctx_.end) break;
      timer.expires_at(due);
      co_await timer.async_wait(kUseTuple);
      if (stopping_) break;
      ++stats_.scheduled;
      if (in_flight_ >= max_in_flight_) {
        ++stats_.dropped;
        continue;
      }
      ++in_flight_;
      asio::co_spawn(ioc_, Call(t, i, due), asio::detached);
    }
    SchedulerDone();
  }

  // The call index of traffic t to send next (replays at the phase rate go round).
  size_t NextCall(size_t t) {
    const auto& calls = ctx_.traffic[t].calls;
    if (calls.size() == 1) return 0;
    if (replay_cursor_.size() <= t) replay_cursor_.resize(ctx_.traffic.size(), 0);
    const size_t i = (static_cast<size_t>(index_) + replay_cursor_[t] * static_cast<size_t>(ctx_.worker_count)) % calls.size();
    ++replay_cursor_[t];
    return i;
  }

  // Ends when scheduling is done and nothing is in flight; on a run-wide stop it cancels
  // every call in flight.
  asio::awaitable<void> WatchStop() {
    asio::steady_timer timer(ioc_);
    while (schedulers_left_ > 0 || users_left_ > 0 || in_flight_ > 0) {
      timer.expires_after(kStopPollInterval);
      co_await timer.async_wait(kUseTuple);
      if (!stopping_ && ctx_.stop.load(std::memory_order_relaxed)) {
        stopping_ = true;
        schedule_timer_.cancel();
        for (auto* call : active_) call->TryCancel();
      }
    }
  }

  void OpenChannel() {
    channels_.push_back(std::make_shared<ChannelSlot>(ctx_.target));
    ++stats_.connections_opened;
  }

  // Round robin over the worker's channels; a channel that carried channel_churn calls is
  // replaced (in-flight calls keep the old one alive until they end).
  std::shared_ptr<ChannelSlot> PickChannel() {
    const size_t i = next_channel_++ % channels_.size();
    if (ctx_.phase.grpc.channel_churn > 0 && channels_[i]->calls >= ctx_.phase.grpc.channel_churn) {
      channels_[i] = std::make_shared<ChannelSlot>(ctx_.target);
      ++stats_.connections_opened;
    }
    ++channels_[i]->calls;
    return channels_[i];
  }

  bool Draw(double probability) { return probability >= 1.0 || std::uniform_real_distribution<double>(0, 1)(rng_) < probability; }
  Duration DrawIn(Duration min, Duration max) {
    if (max <= min) return min;
    return Duration(std::uniform_int_distribution<int64_t>(min.count(), max.count())(rng_));
  }

  CallFaults Decide(size_t t) {
    CallFaults f;
    for (const auto& c : ctx_.faults.cancels) {
      if (!c.applies[t] || !Draw(c.probability)) continue;
      const auto after = DrawIn(c.min, c.max);
      if (!f.cancel_after || after < *f.cancel_after) f.cancel_after = after;
    }
    for (const auto& c : ctx_.faults.deadlines) {
      if (!c.applies[t] || !Draw(c.probability)) continue;
      const auto after = DrawIn(c.min, c.max);
      if (!f.deadline || after < *f.deadline) f.deadline = after;
    }
    for (const auto& m : ctx_.faults.after_messages) {
      if (!m.applies[t] || !Draw(m.probability)) continue;
      if (!f.cancel_after_messages || m.after < *f.cancel_after_messages) f.cancel_after_messages = m.after;
    }
    for (const auto& a : ctx_.faults.abandons) {
      if (!a.applies[t] || !Draw(a.probability)) continue;
      f.abandon_hold = a.hold;
    }
    if (f.cancel_after) ++stats_.faulted[scenario::Fault::kCancel];
    if (f.deadline) ++stats_.faulted[scenario::Fault::kDeadline];
    return f;
  }

  struct CallState {
    ::grpc::ClientContext ctx;
    bool cancelled_by_fault = false;  // we cancelled it on purpose (cancel, grpc_cancel, grpc_abandon)
  };

  asio::awaitable<void> Call(size_t t, size_t call_index, Clock::time_point intended) {
    using namespace asio::experimental::awaitable_operators;
    const auto& traffic = ctx_.traffic[t];
    const auto& call = traffic.calls[call_index];
    const auto faults = Decide(t);
    CallState state;
    const auto started = Clock::now();
    const Duration timeout = faults.deadline ? *faults.deadline : traffic.deadline.value_or(ctx_.phase.timeout);
    state.ctx.set_deadline(std::chrono::system_clock::now() + timeout);
    for (const auto& [key, value] : call.metadata) state.ctx.AddMetadata(key, value);
    const auto channel = PickChannel();
    active_.insert(&state.ctx);
    ++stats_.sent;
    if (started - intended >= stats::kLateAfter) ++stats_.late;

    asio::steady_timer cancel_timer(ioc_);
    if (faults.cancel_after) {
      cancel_timer.expires_after(*faults.cancel_after);
      cancel_timer.async_wait([s = &state](boost::system::error_code ec) {
        if (ec) return;  // the call ended first; `s` may be gone
        s->cancelled_by_fault = true;
        s->ctx.TryCancel();
      });
    }

    ::grpc::Status status;
    if (!call.client_streaming && !call.server_streaming && !faults.abandon_hold) {
      ::grpc::ByteBuffer response;
      status = co_await UnaryCall(*channel->stub, state.ctx, call.path, call.messages.front(), response);
      ++messages_sent_;
      if (status.ok()) ++messages_received_;
    } else {
      Stream stream(*channel->stub, state.ctx, call.path);
      stream.Start();
      const int to_send = call.client_streaming ? traffic.messages : 1;
      auto cancel_now = [&] {
        state.cancelled_by_fault = true;
        state.ctx.TryCancel();
      };
      auto writer = [&]() -> asio::awaitable<void> {
        asio::steady_timer pause(ioc_);
        for (int i = 0; i < to_send; ++i) {
          if (i > 0 && traffic.interval > Duration::zero()) {
            pause.expires_after(traffic.interval);
            co_await pause.async_wait(kUseTuple);
          }
          if (!co_await stream.Write(call.messages[static_cast<size_t>(i) % call.messages.size()])) co_return;
          ++messages_sent_;
          if (faults.cancel_after_messages && !call.server_streaming && i + 1 >= *faults.cancel_after_messages) {
            cancel_now();
            co_return;
          }
        }
        if (faults.abandon_hold) {
          // Abandon: no half-close, no more reading; hold the stream open, then go away.
          if (*faults.abandon_hold > Duration::zero()) {
            pause.expires_after(*faults.abandon_hold);
            co_await pause.async_wait(kUseTuple);
            cancel_now();
          }
          co_return;  // hold 0: until the deadline
        }
        stream.CloseSend();
      };
      auto reader = [&]() -> asio::awaitable<void> {
        if (faults.abandon_hold) co_return;
        ::grpc::ByteBuffer message;
        int received = 0;
        while (co_await stream.Read(&message)) {
          ++received;
          ++messages_received_;
          if (faults.cancel_after_messages && call.server_streaming && received == *faults.cancel_after_messages) {
            cancel_now();
          }
        }
      };
      co_await (writer() && reader());
      status = co_await stream.Finish();
    }
    active_.erase(&state.ctx);
    cancel_timer.cancel();

    const auto now = Clock::now();
    const auto code = status.error_code();
    const int code_index = static_cast<int>(code);
    ++status_[code_index >= 0 && code_index < kStatusCodes ? code_index : static_cast<int>(::grpc::StatusCode::UNKNOWN)];
    auto& second = SecondOf(now);
    ++second.completed;
    // A short deadline ends as DEADLINE_EXCEEDED (our timer) or CANCELLED (the server's RST_STREAM
    // when its copy of the deadline fired first): both are the planned fault.
    const bool planned_deadline = faults.deadline && (code == ::grpc::StatusCode::DEADLINE_EXCEEDED ||
                                                     code == ::grpc::StatusCode::CANCELLED);
    const bool planned_abandon = faults.abandon_hold && code == ::grpc::StatusCode::DEADLINE_EXCEEDED;
    if (stopping_ && !status.ok()) {
      ++stats_.aborted;
    } else if (status.ok()) {
      ++stats_.ok;
      ++second.ok;
      stats_.corrected.Record(now - intended);
      stats_.uncorrected.Record(now - started);
      second.latency.Record(now - intended);
    } else if ((state.cancelled_by_fault && code == ::grpc::StatusCode::CANCELLED) || planned_deadline || planned_abandon) {
      ++stats_.cancelled;
    } else {
      stats_.AddError(ErrorKindOf(code));
      ++second.errors;
      if (code != ::grpc::StatusCode::DEADLINE_EXCEEDED && code != ::grpc::StatusCode::CANCELLED) {
        stats_.corrected.Record(now - intended);
        stats_.uncorrected.Record(now - started);
      }
    }
    --in_flight_;
  }

  Second& SecondOf(Clock::time_point when) {
    const auto s = std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::seconds>(when - ctx_.start).count());
    if (seconds_.size() <= static_cast<size_t>(s)) seconds_.resize(static_cast<size_t>(s) + 1);
    return seconds_[static_cast<size_t>(s)];
  }

  const PhaseContext& ctx_;
  const int index_;
  const int max_in_flight_;
  asio::io_context ioc_{1};
  std::mt19937_64 rng_;
  std::discrete_distribution<size_t> picker_;
  asio::steady_timer schedule_timer_;
  std::vector<std::shared_ptr<ChannelSlot>> channels_;
  size_t next_channel_ = 0;
  std::unordered_set<::grpc::ClientContext*> active_;  // cancelled on a run-wide stop
  std::vector<size_t> replay_cursor_;
  stats::RequestStats stats_;
  std::array<int64_t, kStatusCodes> status_{};
  int64_t messages_sent_ = 0;
  int64_t messages_received_ = 0;
  std::vector<Second> seconds_;
  int in_flight_ = 0;
  int schedulers_left_ = 1;  // set in Run(); > 0 keeps WatchStop going
  int users_left_ = 0;
  bool stopping_ = false;
};

void SleepPhase(Clock::time_point end, const std::atomic<bool>& stop) {
  while (Clock::now() < end && !stop.load()) {
    std::this_thread::sleep_for(std::min<Clock::duration>(kStopPollInterval, end - Clock::now()));
  }
}

[[noreturn]] void FailAt(const scenario::Traffic& t, const std::string& message) {
  throw scenario::ScenarioError(t.mark, fmt::format("traffic {}: {}", t.name, message));
}

}  // namespace

GrpcEngine::GrpcEngine() : impl_(std::make_unique<Impl>()) {}
GrpcEngine::~GrpcEngine() = default;

std::string GrpcEngine::TargetOfUrl(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) throw std::invalid_argument(fmt::format("invalid URL \"{}\"", url));
  const std::string port = parsed->has_port() ? std::string(parsed->port()) : "80";
  return fmt::format("{}:{}", std::string(parsed->encoded_host()), port);
}

std::unique_ptr<GrpcEngine> GrpcEngine::Prepare(const scenario::Scenario& s, const std::string& target) {
  // Debian's abseil checks every Mutex acquisition for lock-order cycles (GraphCycles in
  // profiles of grpc's hot path); leakgate does not debug grpc's locking.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  std::unique_ptr<GrpcEngine> engine(new GrpcEngine());
  auto& impl = *engine->impl_;
  impl.target = target;
  if (!s.grpc) throw std::invalid_argument("the scenario has no grpc: section");
  if (!s.grpc->protos.empty()) {
    try {
      impl.catalog = ProtoCatalog::FromFiles(s.grpc->protos, s.grpc->import_paths);
    } catch (const std::runtime_error& e) {
      throw scenario::ScenarioError(scenario::SourceMark{s.file, s.grpc->line, s.grpc->column}, fmt::format("grpc: {}", e.what()));
    }
  } else {
    std::set<std::string> services;
    for (const auto& t : s.traffic) {
      if (!t.grpc) continue;
      auto add = [&](const std::string& method) { services.insert(method.substr(0, method.find('/'))); };
      if (!t.grpc->method.empty()) add(t.grpc->method);
      for (const auto& r : t.grpc->replay) add(r.method);
    }
    impl.catalog = ProtoCatalog::FromReflection(target, {services.begin(), services.end()}, std::chrono::seconds(10));
  }
  auto prepare = [&](const scenario::Traffic& t, const std::string& method, const std::vector<std::string>& requests,
                     const std::vector<std::pair<std::string, std::string>>& metadata, int line) {
    const std::string where = line > 0 ? fmt::format("{}:{}: ", t.grpc->replay_file, line) : std::string();
    std::string error;
    const auto* m = impl.catalog->FindMethod(method, &error);
    if (m == nullptr) FailAt(t, where + error);
    PreparedCall call;
    call.path = "/" + std::string(m->service()->full_name()) + "/" + std::string(m->name());
    call.client_streaming = m->client_streaming();
    call.server_streaming = m->server_streaming();
    call.metadata = metadata;
    for (const auto& json : requests) {
      std::string wire;
      if (!impl.catalog->JsonToWire(m->input_type(), json, &wire, &error)) FailAt(t, where + error);
      call.messages.push_back(ToBuffer(wire));
    }
    return call;
  };
  for (const auto& t : s.traffic) {
    if (!t.grpc) throw std::invalid_argument(fmt::format("traffic {} is not a gRPC call", t.name));
    const auto& g = *t.grpc;
    PreparedTraffic p;
    p.name = t.name;
    p.messages = g.messages;
    p.interval = g.interval;
    p.deadline = g.deadline;
    p.recorded_pace = g.recorded_pace;
    p.speed = g.speed;
    p.weight = t.weight;
    if (g.replay.empty()) {
      p.calls.push_back(prepare(t, g.method, g.requests, g.metadata, 0));
    } else {
      for (const auto& r : g.replay) {
        auto metadata = g.metadata;
        metadata.insert(metadata.end(), r.metadata.begin(), r.metadata.end());
        auto call = prepare(t, r.method, r.requests, metadata, r.line);
        call.offset = r.offset - g.replay.front().offset;
        p.calls.push_back(std::move(call));
      }
    }
    impl.traffic.push_back(std::move(p));
  }
  return engine;
}

GrpcPhaseResult GrpcEngine::RunPhase(const scenario::Phase& phase, const std::atomic<bool>& stop) const {
  GrpcPhaseResult result;
  const auto begin = Clock::now();
  const auto& traffic = impl_->traffic;
  std::vector<double> weights;
  bool any_weight = false, any_recorded = false;
  for (const auto& t : traffic) {
    weights.push_back(t.recorded_pace ? 0.0 : t.weight);
    any_weight = any_weight || !t.recorded_pace;
    any_recorded = any_recorded || t.recorded_pace;
  }
  if (!any_weight) weights.assign(weights.size(), 1.0);  // discrete_distribution needs a positive sum
  if (!phase.has_traffic() || traffic.empty()) {
    SleepPhase(begin + phase.duration, stop);
    result.load.elapsed = Clock::now() - begin;
    return result;
  }
  const auto rules = MakeFaultRules(phase, traffic);
  int worker_count = phase.workers > 0 ? phase.workers : static_cast<int>(std::thread::hardware_concurrency());
  worker_count = std::max(1, worker_count);
  if (phase.concurrency > 0) {
    worker_count = std::min(worker_count, phase.concurrency);
  } else if (!any_recorded) {
    // Never more workers than arrivals per 10 ms: below that a worker would mostly sleep.
    worker_count = std::min(worker_count, std::max(1, static_cast<int>(std::max(phase.rate, phase.rate_to) / 100)));
  }
  const int total_channels = phase.grpc.connections > 0 ? phase.grpc.connections : worker_count;
  worker_count = std::min(worker_count, std::max(1, total_channels));

  const auto start = begin + std::chrono::milliseconds(5);
  const PhaseContext ctx{phase, impl_->target, traffic, weights, any_weight, rules, stop,
                         start, start + phase.duration, worker_count, total_channels};
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < worker_count; ++i) workers.push_back(std::make_unique<Worker>(ctx, i));
  {
    std::vector<std::jthread> threads;
    for (auto& w : workers) threads.emplace_back([&w] { w->Run(); });
  }
  std::vector<Second> seconds;
  for (auto& w : workers) {
    result.load.stats.Merge(w->stats());
    for (int c = 0; c < kStatusCodes; ++c) result.status[c] += w->status()[c];
    result.messages_sent += w->messages_sent();
    result.messages_received += w->messages_received();
    if (seconds.size() < w->seconds().size()) seconds.resize(w->seconds().size());
    for (size_t i = 0; i < w->seconds().size(); ++i) {
      const auto& s = w->seconds()[i];
      seconds[i].completed += s.completed;
      seconds[i].ok += s.ok;
      seconds[i].errors += s.errors;
      seconds[i].latency.Merge(s.latency);
    }
  }
  for (size_t i = 0; i < seconds.size(); ++i) {
    result.load.timeline.push_back({static_cast<int64_t>(i), seconds[i].completed, seconds[i].ok, seconds[i].errors,
                               seconds[i].latency.QuantileNanos(0.99)});
  }
  result.channels_opened = result.load.stats.connections_opened;
  result.load.elapsed = Clock::now() - begin;
  result.load.workers = worker_count;
  return result;
}

}  // namespace leakgate::load::grpc_load
