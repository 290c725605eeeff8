#include "harness/load/load_engine.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/url/parse.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <random>
#include <stdexcept>
#include <thread>
#include <unordered_set>

#include "harness/faults/fault_plan.h"
#include "harness/load/http/http_session.h"

namespace leakgate::load {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
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

std::vector<http::Request> BuildRequests(const std::vector<scenario::Traffic>& traffic,
                                         const TargetAddress& target) {
  std::vector<http::Request> requests;
  for (const auto& t : traffic) {
    http::Request req;
    const auto verb = bhttp::string_to_verb(t.method);
    if (verb == bhttp::verb::unknown) {
      req.method_string(t.method);
    } else {
      req.method(verb);
    }
    req.target(target.base_path + t.path);
    req.version(11);
    req.set(bhttp::field::host, target.host_header);
    req.set(bhttp::field::user_agent, "leakgate");
    for (const auto& [name, value] : t.headers) req.set(name, value);
    req.body() = t.body;
    if (!t.body.empty() || verb == bhttp::verb::post || verb == bhttp::verb::put) req.prepare_payload();
    requests.push_back(std::move(req));
  }
  return requests;
}

// Shared read-only by all workers of one phase.
struct PhaseContext {
  const scenario::Phase& phase;
  const TargetAddress& target;
  const std::vector<http::Request>& requests;
  const std::vector<double>& weights;
  const faults::FaultPlan& faults;
  const std::atomic<bool>& stop;
  Clock::time_point start;
  Clock::time_point end;
  int worker_count;
};

// One worker: its own io_context, pool, rng and stats. Not thread-safe; Run() on one thread.
class Worker {
 public:
  Worker(const PhaseContext& ctx, int index)
      : ctx_(ctx),
        index_(index),
        max_in_flight_(std::max(1, (ctx.phase.max_in_flight + ctx.worker_count - 1) / ctx.worker_count)),
        rng_(std::random_device{}() ^ (static_cast<uint64_t>(index) << 32)),
        picker_(ctx.weights.begin(), ctx.weights.end()),
        schedule_timer_(ioc_) {}

  void Run() {
    asio::co_spawn(ioc_, Schedule(), asio::detached);
    asio::co_spawn(ioc_, WatchStop(), asio::detached);
    ioc_.run();
    idle_.clear();  // closes the pooled keep-alive connections
  }

  stats::RequestStats& stats() { return stats_; }

 private:
  asio::awaitable<void> Schedule() {
    const double rate_per_ns = ctx_.phase.rate / 1e9;
    for (int64_t j = index_; !stopping_; j += ctx_.worker_count) {
      const auto due = ctx_.start + std::chrono::nanoseconds(static_cast<int64_t>(static_cast<double>(j) / rate_per_ns));
      if (due >= ctx_.end) break;
      schedule_timer_.expires_at(due);
      co_await schedule_timer_.async_wait(kUseTuple);
      if (stopping_) break;
      ++stats_.scheduled;
      if (in_flight_ >= max_in_flight_) {
        ++stats_.dropped;
        continue;
      }
      ++in_flight_;
      asio::co_spawn(ioc_, Request(due), asio::detached);
    }
    scheduling_done_ = true;
  }

  // Ends when scheduling is done and no request is in flight; on a run-wide stop it closes
  // every connection so in-flight requests end at once.
  asio::awaitable<void> WatchStop() {
    asio::steady_timer timer(ioc_);
    while (!scheduling_done_ || in_flight_ > 0) {
      timer.expires_after(kStopPollInterval);
      co_await timer.async_wait(kUseTuple);
      if (!stopping_ && ctx_.stop.load(std::memory_order_relaxed)) {
        stopping_ = true;
        schedule_timer_.cancel();
        for (auto* conn : busy_) {
          boost::system::error_code ignored;
          conn->stream.socket().close(ignored);
        }
        idle_.clear();
      }
    }
  }

  std::unique_ptr<http::Connection> TakeConnection() {
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
    ++stats_.connections_opened;
    return std::make_unique<http::Connection>(ioc_.get_executor());
  }

  asio::awaitable<void> Request(Clock::time_point intended) {
    const size_t t = picker_(rng_);
    const auto plan = ctx_.faults.Decide(t, rng_);
    const auto started = Clock::now();
    auto deadline = started + ctx_.phase.timeout;
    bool cancel_is_first = false;
    if (plan.cancel_after && started + *plan.cancel_after < deadline) {
      deadline = started + *plan.cancel_after;
      cancel_is_first = true;
    }
    ++stats_.sent;

    http::ExchangeResult result;
    std::unique_ptr<http::Connection> conn;
    // A pooled connection the server closed while idle fails before any response byte:
    // retry such a request once on a fresh connection.
    for (int attempt = 0; attempt < 2; ++attempt) {
      conn = TakeConnection();
      const bool reused = conn->connected;
      busy_.insert(conn.get());
      result = co_await http::Exchange(*conn, ctx_.target.endpoint, ctx_.requests[t], deadline);
      busy_.erase(conn.get());
      const bool transient = result.status == http::ExchangeStatus::kWriteError ||
                             result.status == http::ExchangeStatus::kReadError;
      if (!(reused && transient && result.nothing_received)) break;
    }

    const auto now = Clock::now();
    switch (result.status) {
      case http::ExchangeStatus::kResponse:
        stats_.corrected.Record(now - intended);
        stats_.uncorrected.Record(now - started);
        if (result.http_status >= 500) {
          stats_.AddError(stats::ErrorKind::kStatus5xx);
        } else if (result.http_status >= 400) {
          stats_.AddError(stats::ErrorKind::kStatus4xx);
        } else {
          ++stats_.ok;
        }
        if (result.keep_alive && !stopping_) idle_.push_back(std::move(conn));
        break;
      case http::ExchangeStatus::kDeadline:
        if (cancel_is_first) {
          ++stats_.cancelled;
        } else {
          stats_.AddError(stats::ErrorKind::kTimeout);
        }
        break;
      case http::ExchangeStatus::kConnectError: stats_.AddError(stats::ErrorKind::kConnect); break;
      case http::ExchangeStatus::kWriteError: stats_.AddError(stats::ErrorKind::kWrite); break;
      case http::ExchangeStatus::kReadError: stats_.AddError(stats::ErrorKind::kRead); break;
      case http::ExchangeStatus::kAborted: ++stats_.aborted; break;
    }
    --in_flight_;
  }

  const PhaseContext& ctx_;
  const int index_;
  const int max_in_flight_;
  asio::io_context ioc_{1};
  std::mt19937_64 rng_;
  std::discrete_distribution<size_t> picker_;
  asio::steady_timer schedule_timer_;
  std::vector<std::unique_ptr<http::Connection>> idle_;
  std::unordered_set<http::Connection*> busy_;  // lent out; closed on a run-wide stop
  stats::RequestStats stats_;
  int in_flight_ = 0;
  bool scheduling_done_ = false;
  bool stopping_ = false;
};

// An idle phase (rate 0): waits out the duration, waking early on stop.
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
  if (phase.rate <= 0 || traffic.empty()) {
    SleepPhase(begin + phase.duration, stop);
    result.elapsed = Clock::now() - begin;
    return result;
  }

  const auto requests = BuildRequests(traffic, target);
  std::vector<double> weights;
  for (const auto& t : traffic) weights.push_back(t.weight);
  const faults::FaultPlan fault_plan(phase.cancel, traffic);

  int worker_count = phase.workers > 0 ? phase.workers : static_cast<int>(std::thread::hardware_concurrency());
  worker_count = std::max(1, worker_count);
  // Never more workers than arrivals per 10 ms: below that a worker would mostly sleep.
  worker_count = std::min(worker_count, std::max(1, static_cast<int>(phase.rate / 100)));

  const auto start = begin + std::chrono::milliseconds(5);  // every worker's clock origin
  const PhaseContext ctx{phase, target, requests, weights, fault_plan, stop,
                         start, start + phase.duration, worker_count};
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < worker_count; ++i) workers.push_back(std::make_unique<Worker>(ctx, i));
  {
    std::vector<std::jthread> threads;
    for (auto& w : workers) threads.emplace_back([&w] { w->Run(); });
  }
  for (auto& w : workers) result.stats.Merge(w->stats());
  result.elapsed = Clock::now() - begin;
  result.workers = worker_count;
  return result;
}

}  // namespace leakgate::load
