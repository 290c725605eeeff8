#include "harness/load/load_engine.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/url/parse.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <memory>
#include <random>
#include <stdexcept>
#include <thread>

#include "harness/faults/fault_plan.h"
#include "harness/load/arrivals.h"
#include "harness/load/http/http_session.h"
#include "harness/load/request_factory.h"
#include "harness/stats/timeline.h"

namespace leakgate::load {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

TargetAddress ResolveTarget(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) throw std::invalid_argument(fmt::format("invalid URL \"{}\": {}", url, parsed.error().message()));
  if (parsed->scheme() != "http") {
    throw std::invalid_argument(fmt::format("URL \"{}\": only http:// is supported", url));
  }
  std::string host = parsed->host_address();
  if (host.empty()) throw std::invalid_argument(fmt::format("URL \"{}\" has no host", url));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port = parsed->has_port() ? std::string(parsed->port()) : "80";

  asio::io_context ioc;
  asio::ip::tcp::resolver resolver(ioc);
  boost::system::error_code ec;
  auto results = resolver.resolve(host, port, ec);
  if (ec || results.empty()) {
    throw std::invalid_argument(fmt::format("URL \"{}\": cannot resolve {}:{}: {}", url, host, port, ec.message()));
  }
  TargetAddress target;
  target.endpoint = results.begin()->endpoint();
  target.host_header = std::string(parsed->encoded_authority());
  target.base_path = std::string(parsed->encoded_path());
  while (!target.base_path.empty() && target.base_path.back() == '/') target.base_path.pop_back();
  return target;
}

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kStopPollInterval = std::chrono::milliseconds(20);

// Shared read-only by all workers of one phase.
struct PhaseContext {
  const scenario::Phase& phase;
  const TargetAddress& target;
  const RequestFactory& factory;
  const std::vector<double>& weights;
  const faults::FaultPlan& faults;
  const ArrivalSchedule* arrivals;  // null in the closed model
  const std::atomic<bool>& stop;
  stats::TimelineCollector& timeline;
  Clock::time_point start;
  Clock::time_point end;
  int worker_count;
};

int PerWorker(int total, int workers) { return total <= 0 ? 0 : std::max(1, (total + workers - 1) / workers); }

// One worker: its own io_context, pool, rng and stats. Not thread-safe; Run() on one thread.
class Worker {
 public:
  Worker(const PhaseContext& ctx, int index)
      : ctx_(ctx),
        index_(index),
        max_in_flight_(PerWorker(ctx.phase.max_in_flight, ctx.worker_count)),
        pool_limit_(PerWorker(ctx.phase.connections.pool, ctx.worker_count)),
        max_connections_(PerWorker(ctx.phase.connections.max, ctx.worker_count)),
        rng_(std::random_device{}() ^ (static_cast<uint64_t>(index) << 32)),
        picker_(ctx.weights.begin(), ctx.weights.end()),
        schedule_timer_(ioc_) {}

  void Run() {
    if (ctx_.arrivals != nullptr) {
      asio::co_spawn(ioc_, Schedule(), asio::detached);
    } else {
      // Closed model: users index, index + W, ... of `concurrency`.
      for (int u = index_; u < ctx_.phase.concurrency; u += ctx_.worker_count) {
        ++users_;
        asio::co_spawn(ioc_, User(u), asio::detached);
      }
      scheduling_done_ = users_ == 0;
    }
    asio::co_spawn(ioc_, Housekeeping(), asio::detached);
    ioc_.run();
    for (auto& c : all_) c->Close();
    ctx_.timeline.Add(second_, second_acc_);
  }

  stats::RequestStats& stats() { return stats_; }

 private:
  // Open model: waits for each of this worker's arrivals and starts its request.
  asio::awaitable<void> Schedule() {
    for (int64_t j = index_; !stopping_; j += ctx_.worker_count) {
      const auto offset = ctx_.arrivals->Due(j);
      if (!offset) break;
      const auto due = ctx_.start + *offset;
      if (due > Clock::now()) {
        schedule_timer_.expires_at(due);
        co_await schedule_timer_.async_wait(kUseTuple);
        if (stopping_) break;
      }
      ++stats_.scheduled;
      if (in_flight_ >= max_in_flight_) {
        ++stats_.dropped;
        continue;
      }
      ++in_flight_;
      asio::co_spawn(ioc_, OpenRequest(j, due), asio::detached);
    }
    scheduling_done_ = true;
  }

  asio::awaitable<void> OpenRequest(int64_t seq, Clock::time_point intended) {
    co_await Request(seq, intended, /*paced=*/true);
    --in_flight_;
  }

  // Closed model: one virtual user, request after request until the phase ends.
  asio::awaitable<void> User(int user) {
    asio::steady_timer think(ioc_);
    for (int64_t n = 0; !stopping_ && Clock::now() < ctx_.end; ++n) {
      const int64_t seq = user + n * ctx_.phase.concurrency;
      ++stats_.scheduled;
      ++in_flight_;
      co_await Request(seq, Clock::now(), /*paced=*/false);
      --in_flight_;
      if (ctx_.phase.think_time > scenario::Duration::zero() && !stopping_) {
        think.expires_after(std::min<Clock::duration>(ctx_.phase.think_time, ctx_.end - Clock::now()));
        co_await think.async_wait(kUseTuple);
      }
    }
    if (--users_ == 0) scheduling_done_ = true;
  }

  // Every 20 ms: run-wide stop; every second: hands the finished second to the timeline.
  // Ends when scheduling is done and no request is in flight.
  asio::awaitable<void> Housekeeping() {
    asio::steady_timer timer(ioc_);
    while (!scheduling_done_ || in_flight_ > 0) {
      timer.expires_after(kStopPollInterval);
      co_await timer.async_wait(kUseTuple);
      const auto now = Clock::now();
      while (now >= ctx_.start + std::chrono::seconds(second_ + 1)) {
        ctx_.timeline.Add(second_, second_acc_);
        second_acc_.Reset();
        ++second_;
      }
      if (!stopping_ && ctx_.stop.load(std::memory_order_relaxed)) {
        stopping_ = true;
        schedule_timer_.cancel();
        for (auto& c : all_) c->Close();
        idle_.clear();
        for (auto* w : waiters_) w->timer.cancel();
      }
    }
  }

  struct Waiter {
    explicit Waiter(asio::io_context& ioc) : timer(ioc) {}
    asio::steady_timer timer;
    http::Connection* conn = nullptr;  // handed over by Release
    bool may_open = false;             // a slot for a new connection was freed
  };

  http::Connection* NewConnection() {
    ++open_;
    if (!spare_.empty()) {
      auto* c = spare_.back();
      spare_.pop_back();
      return c;
    }
    all_.push_back(std::make_unique<http::Connection>(ioc_.get_executor()));
    return all_.back().get();
  }

  // A connection for one request: an idle keep-alive one unless `fresh`, else a new one;
  // waits (until `deadline`) while `connections.max` are open. Null: none in time.
  asio::awaitable<http::Connection*> Acquire(bool fresh, Clock::time_point deadline) {
    if (!fresh && !ctx_.phase.connections.per_request && !idle_.empty()) {
      auto* c = idle_.back();
      idle_.pop_back();
      co_return c;
    }
    if (max_connections_ == 0 || open_ < max_connections_) co_return NewConnection();
    if (!idle_.empty()) {  // at the bound, but a fresh one is needed: retire an idle one
      auto* c = idle_.front();
      idle_.pop_front();
      c->Close();
      co_return c;
    }
    Waiter w(ioc_);
    w.timer.expires_at(deadline);
    waiters_.push_back(&w);
    co_await w.timer.async_wait(kUseTuple);
    if (w.conn == nullptr && !w.may_open) {
      waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &w));
      co_return nullptr;
    }
    if (w.may_open) co_return NewConnection();
    if (fresh) w.conn->Close();
    co_return w.conn;
  }

  // Gives a connection back: kept idle when `reusable` and the pool has room, else closed.
  void Release(http::Connection* c, bool reusable) {
    reusable = reusable && c->connected && !stopping_ && !ctx_.phase.connections.per_request &&
               (pool_limit_ == 0 || static_cast<int>(idle_.size()) < pool_limit_);
    if (reusable && !waiters_.empty()) {
      auto* w = waiters_.front();
      waiters_.pop_front();
      w->conn = c;
      w->timer.cancel();
      return;
    }
    if (reusable) {
      idle_.push_back(c);
      return;
    }
    c->Close();
    spare_.push_back(c);
    --open_;
    if (!waiters_.empty()) {
      auto* w = waiters_.front();
      waiters_.pop_front();
      w->may_open = true;
      w->timer.cancel();
    }
  }

  asio::awaitable<void> Request(int64_t seq, Clock::time_point intended, bool paced) {
    const size_t t = ctx_.weights.size() == 1 ? 0 : picker_(rng_);
    faults::RequestFaults f;
    if (!ctx_.faults.empty()) f = ctx_.faults.Decide(t, rng_);
    const auto started = Clock::now();
    ++stats_.sent;
    for (int k = 0; k < stats::kFaultKinds; ++k) {
      if (f.kinds & (1u << k)) ++stats_.faulted[static_cast<size_t>(k)];
    }

    // The bytes on the wire, with the malformed / truncate_body damage applied.
    std::string_view bytes = ctx_.factory.Build(t, seq, rng_, scratch_);
    http::ExchangePlan plan;
    plan.deadline = started + ctx_.phase.timeout;
    bool reset = false;
    if (const auto abort = f.abort_after(&reset)) {
      plan.abort_at = started + *abort;
      plan.abort_with_reset = reset;
    }
    plan.send_chunk = f.send_chunk;
    plan.send_interval = f.send_interval;
    plan.read_chunk = f.read_chunk;
    plan.read_interval = f.read_interval;
    plan.abandon_body = f.abandon_body;
    plan.half_close = f.half_close;
    plan.head = ctx_.factory.IsHead(t);
    std::string damaged;
    if (!f.malformed.empty()) {
      damaged = RequestFactory::Malform(bytes, f.malformed);
      bytes = damaged;
    }
    if (f.truncate_keep) {
      const size_t body_at = RequestFactory::BodyOffset(bytes);
      const size_t body_len = bytes.size() - body_at;
      if (body_len > 0) {
        plan.send_limit = body_at + static_cast<size_t>(static_cast<double>(body_len) * *f.truncate_keep);
        plan.hold_after_send = f.truncate_wait;
      }
    }
    // Faults that change the socket or end the connection get a connection of their own.
    const bool fresh = f.read_chunk > 0 || f.half_close || f.abandon_body || plan.abort_at || !f.malformed.empty() ||
                       plan.send_limit != SIZE_MAX;

    http::ExchangeResult result;
    result.status = http::ExchangeStatus::kDeadline;
    for (int attempt = 0; attempt < 2; ++attempt) {
      http::Connection* conn = co_await Acquire(fresh, plan.deadline);
      if (conn == nullptr) break;  // no connection before the deadline
      const bool reused = conn->connected;
      result = co_await http::Exchange(*conn, ctx_.target.endpoint, bytes, plan);
      if (result.connected_now) ++stats_.connections_opened;
      Release(conn, result.status == http::ExchangeStatus::kResponse && result.keep_alive);
      // A pooled connection the server closed while idle fails before any response byte:
      // retry such a request once on a fresh connection.
      const bool transient = result.status == http::ExchangeStatus::kWriteError ||
                             result.status == http::ExchangeStatus::kReadError;
      if (!(reused && transient && result.nothing_received) || stopping_) break;
    }

    const auto now = Clock::now();
    if (paced && result.sent_at != Clock::time_point{} && result.sent_at - intended >= stats::kLateAfter) ++stats_.late;
    const bool error_status = result.status != http::ExchangeStatus::kResponse &&
                              result.status != http::ExchangeStatus::kFaulted;
    if (stopping_ && error_status) {
      ++stats_.aborted;
      co_return;
    }
    ++second_acc_.completed;
    switch (result.status) {
      case http::ExchangeStatus::kResponse:
        stats_.corrected.Record(now - intended);
        stats_.uncorrected.Record(now - started);
        second_acc_.latency.Record(now - intended);
        if (!f.malformed.empty()) {
          ++stats_.cancelled;  // the 400 is what the fault asked for
        } else if (result.http_status >= 500) {
          stats_.AddError(stats::ErrorKind::kStatus5xx);
          ++second_acc_.errors;
        } else if (result.http_status >= 400) {
          stats_.AddError(stats::ErrorKind::kStatus4xx);
          ++second_acc_.errors;
        } else {
          ++stats_.ok;
          ++second_acc_.ok;
        }
        break;
      case http::ExchangeStatus::kFaulted: ++stats_.cancelled; break;
      case http::ExchangeStatus::kDeadline:
        stats_.AddError(stats::ErrorKind::kTimeout);
        ++second_acc_.errors;
        break;
      case http::ExchangeStatus::kConnectError:
        stats_.AddError(stats::ErrorKind::kConnect);
        ++second_acc_.errors;
        break;
      case http::ExchangeStatus::kWriteError:
      case http::ExchangeStatus::kReadError:
        if (!f.malformed.empty() || f.half_close) {
          ++stats_.cancelled;  // the server may close instead of answering a broken request
        } else {
          stats_.AddError(result.status == http::ExchangeStatus::kWriteError ? stats::ErrorKind::kWrite
                                                                             : stats::ErrorKind::kRead);
          ++second_acc_.errors;
        }
        break;
    }
  }

  const PhaseContext& ctx_;
  const int index_;
  const int max_in_flight_;
  const int pool_limit_;       // 0: no bound on idle connections
  const int max_connections_;  // 0: no bound on open connections
  asio::io_context ioc_{1};
  std::mt19937_64 rng_;
  std::discrete_distribution<size_t> picker_;
  asio::steady_timer schedule_timer_;
  std::string scratch_;                                  // rendered requests of templates with variables
  std::vector<std::unique_ptr<http::Connection>> all_;   // owns every connection until the worker ends
  std::deque<http::Connection*> idle_;                   // connected keep-alive connections
  std::vector<http::Connection*> spare_;                 // closed, ready to connect again
  std::deque<Waiter*> waiters_;                          // requests waiting for a connection slot
  int open_ = 0;                                         // idle + lent out
  stats::RequestStats stats_;
  stats::SecondAccumulator second_acc_;
  int64_t second_ = 0;
  int in_flight_ = 0;
  int users_ = 0;
  bool scheduling_done_ = false;
  bool stopping_ = false;
};

// An idle phase (no traffic): waits out the duration, waking early on stop.
void SleepPhase(Clock::time_point end, const std::atomic<bool>& stop) {
  while (Clock::now() < end && !stop.load()) {
    std::this_thread::sleep_for(std::min<Clock::duration>(kStopPollInterval, end - Clock::now()));
  }
}

}  // namespace

PhaseLoadResult RunPhase(const scenario::Phase& phase, const std::vector<scenario::Traffic>& traffic,
                         const TargetAddress& target, const std::atomic<bool>& stop) {
  PhaseLoadResult result;
  const auto begin = Clock::now();
  const bool closed = phase.concurrency > 0;
  const bool has_traffic = phase.rate > 0 || phase.rate_to > 0 || closed || !phase.replay.empty();
  if (!has_traffic || traffic.empty()) {
    SleepPhase(begin + phase.duration, stop);
    result.elapsed = Clock::now() - begin;
    return result;
  }

  // The traffic a phase draws from: every HTTP entry, or only the replayed one.
  std::vector<scenario::Traffic> used;
  if (!phase.replay.empty()) {
    for (const auto& t : traffic) {
      if (t.name == phase.replay) used.push_back(t);
    }
    if (used.empty() || !used.front().replay) {
      throw std::invalid_argument(fmt::format("phase {}: replay traffic \"{}\" not found", phase.name, phase.replay));
    }
  } else {
    used = traffic;
  }
  const RequestFactory factory(used, target.host_header, target.base_path);
  std::vector<double> weights;
  for (const auto& t : used) weights.push_back(t.weight);
  const faults::FaultPlan fault_plan(phase, used);

  std::optional<ArrivalSchedule> arrivals;
  if (!phase.replay.empty()) {
    std::vector<ArrivalSchedule::Duration> offsets;
    for (const auto& r : used.front().replay->requests) offsets.push_back(r.offset);
    arrivals = ArrivalSchedule::Recorded(std::move(offsets), used.front().replay->speed, phase.duration);
  } else if (!closed) {
    arrivals = phase.rate_to >= 0 ? ArrivalSchedule::Ramp(phase.rate, phase.rate_to, phase.duration)
                                  : ArrivalSchedule::Constant(phase.rate, phase.duration);
  }

  int worker_count = phase.workers > 0 ? phase.workers : static_cast<int>(std::thread::hardware_concurrency());
  worker_count = std::max(1, worker_count);
  if (closed) {
    worker_count = std::min(worker_count, phase.concurrency);
  } else if (phase.workers <= 0) {
    // Never more workers than arrivals per 10 ms: below that a worker would mostly sleep.
    const double peak = phase.replay.empty() ? std::max(phase.rate, phase.rate_to) : arrivals->MeanRate();
    worker_count = std::min(worker_count, std::max(1, static_cast<int>(peak / 100)));
  }

  stats::TimelineCollector timeline(worker_count);
  const auto start = begin + std::chrono::milliseconds(5);  // every worker's clock origin
  const PhaseContext ctx{phase, target, factory, weights, fault_plan, arrivals ? &*arrivals : nullptr, stop, timeline,
                         start, start + phase.duration, worker_count};
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < worker_count; ++i) workers.push_back(std::make_unique<Worker>(ctx, i));
  {
    std::vector<std::jthread> threads;
    for (auto& w : workers) threads.emplace_back([&w] { w->Run(); });
  }
  SleepPhase(start + phase.duration, stop);  // a replay may end before the phase does
  for (auto& w : workers) result.stats.Merge(w->stats());
  result.timeline = timeline.Finish();
  result.elapsed = Clock::now() - begin;
  result.workers = worker_count;
  return result;
}

}  // namespace leakgate::load
