#include "harness/load/worker.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>

#include "harness/base/asio_tokens.h"
#include "harness/net/fd_tls.h"

namespace leakgate::load {

namespace asio = boost::asio;

namespace {

constexpr auto kHousekeepingInterval = std::chrono::milliseconds(20);

int PerWorker(int total, int workers) { return total <= 0 ? 0 : std::max(1, (total + workers - 1) / workers); }

// discrete_distribution needs a positive sum; a phase without weighted entries never draws.
std::vector<double> Drawable(const std::vector<double>& weights) {
  const bool any = std::any_of(weights.begin(), weights.end(), [](double w) { return w > 0; });
  return any ? weights : std::vector<double>(std::max<size_t>(weights.size(), 1), 1.0);
}

// The entries the phase draws from: weighted, or replayed at their recorded pace.
std::vector<bool> UsedEntries(const PhasePlan& plan) {
  std::vector<bool> used(plan.weights.size(), false);
  for (size_t t = 0; t < used.size(); ++t) used[t] = plan.weights[t] > 0;
  for (const auto& s : plan.streams) {
    if (s.entry) used[*s.entry] = true;
  }
  return used;
}

// The io_context runs without locks unless a protocol the phase uses completes work from
// threads of its own (grpc++).
int ConcurrencyHint(const PhasePlan& plan) {
  const auto used = UsedEntries(plan);
  for (size_t t = 0; t < used.size(); ++t) {
    if (used[t] && !plan.protocol_of[t]->CompletesOnWorkerThread()) return 1;
  }
  return BOOST_ASIO_CONCURRENCY_HINT_UNSAFE;
}

}  // namespace

Worker::Worker(const PhasePlan& plan, int index, size_t entries)
    : plan_(plan),
      index_(index),
      max_in_flight_(PerWorker(plan.phase.max_in_flight, plan.worker_count)),
      ioc_(ConcurrencyHint(plan)),
      rng_(std::random_device{}() ^ (static_cast<uint64_t>(index) << 32)),
      session_of_(entries, nullptr),
      by_entry_(entries) {
  const auto weights = Drawable(plan.weights);
  picker_ = std::discrete_distribution<size_t>(weights.begin(), weights.end());
}

// One session per protocol that the phase's entries use; on the worker's thread.
void Worker::CreateSessions() {
  const std::vector<bool> used = UsedEntries(plan_);
  std::map<const Protocol*, Session*> by_protocol;
  const SessionContext context{ioc_.get_executor(), plan_.phase, index_, plan_.worker_count};
  for (size_t t = 0; t < used.size(); ++t) {
    if (!used[t]) continue;
    const Protocol* p = plan_.protocol_of[t];
    auto& session = by_protocol[p];
    if (session == nullptr) {
      sessions_.push_back(p->NewSession(context));
      session = sessions_.back().get();
    }
    session_of_[t] = session;
  }
}

void Worker::Run() {
  net::BlockSigpipeOnThisThread();  // TLS writes (net::FdTls) to a closed connection fail with EPIPE
  CreateSessions();
  for (const auto& stream : plan_.streams) {
    if (!stream.entry && plan_.closed_model) continue;
    stream_timers_.push_back(std::make_unique<asio::steady_timer>(ioc_));
    ++schedulers_;
    asio::co_spawn(ioc_, Schedule(stream, *stream_timers_.back()), asio::detached);
  }
  if (plan_.closed_model && plan_.any_weighted) {
    for (int u = index_; u < plan_.phase.concurrency; u += plan_.worker_count) {
      ++schedulers_;
      asio::co_spawn(ioc_, User(u), asio::detached);
    }
  }
  asio::co_spawn(ioc_, Housekeeping(), asio::detached);
  ioc_.run();
  for (auto& s : sessions_) s->Close();
  if (plan_.timeline != nullptr) {
    plan_.timeline->Add(second_, second_acc_);
    plan_.timeline->Retire(second_);
  }
}

size_t Worker::Pick() { return plan_.weights.size() == 1 ? 0 : picker_(rng_); }

// Open model (or a recorded pace): waits for each of this worker's arrivals of `stream`
// and starts its request; arrivals beyond max_in_flight are dropped. A scheduler that
// fell behind (a rate the machine cannot keep up with) yields every kYieldEvery arrivals
// so requests and the stop path run, skips in one step the arrivals it would drop
// anyway, so it never spins, and drops what is still unsent at the phase's end.
asio::awaitable<void> Worker::Schedule(const ArrivalStream& stream, asio::steady_timer& timer) {
  constexpr int kYieldEvery = 64;
  // Arrivals still unsent this long after the phase's end are dropped, not sent: a short
  // lag at the end (a busy client) still sends them, late.
  constexpr auto kLateAtEnd = std::chrono::milliseconds(200);
  const int64_t stride = plan_.worker_count;
  int since_yield = 0;
  for (int64_t j = index_; !stopping_; j += stride) {
    const auto offset = stream.schedule.Due(j);
    if (!offset) break;
    const auto due = plan_.start + *offset;
    const auto now = Clock::now();
    if (due > now) {
      since_yield = 0;
      timer.expires_at(due);
      co_await timer.async_wait(kUseTuple);
      if (stopping_) break;
    } else if (now >= plan_.end + kLateAtEnd) {
      // The phase is over and these arrivals were never sent: they count as dropped, and
      // the phase stops on time however far behind the scheduler fell.
      const int64_t left = (stream.schedule.Count() - j + stride - 1) / stride;  // j and this worker's after it
      stats_.scheduled += left;
      stats_.dropped += left;
      break;
    } else if (++since_yield >= kYieldEvery) {
      since_yield = 0;
      co_await asio::post(ioc_, asio::use_awaitable);
      if (stopping_ || plan_.stop.load(std::memory_order_relaxed)) break;
    }
    ++stats_.scheduled;
    if (in_flight_ >= max_in_flight_) {
      ++stats_.dropped;
      // Every arrival due before now would be dropped too (nothing completes while this
      // coroutine runs): count them and go on from the first one not yet due.
      const int64_t next = stream.schedule.FirstAtOrAfter(now - plan_.start);
      if (next > j + stride) {
        const int64_t skipped = (next - j - 1) / stride;  // this worker's arrivals in (j, next)
        stats_.scheduled += skipped;
        stats_.dropped += skipped;
        j += skipped * stride;
      }
      continue;
    }
    const size_t entry = stream.entry ? *stream.entry : Pick();
    ++in_flight_;  // before the spawn: max_in_flight holds while catching up on late arrivals
    asio::co_spawn(ioc_, Request(entry, j, due, /*paced=*/true), asio::detached);
  }
  --schedulers_;
}

// Closed model: one virtual user, request after request (with think time) until the
// phase ends or the run stops.
// A closed-model user: one request after another, `think_time` apart. A user whose
// connects fail (nothing listening, the target died) backs off, 1 ms doubling up to
// kMaxConnectBackoff, until one connects: it keeps counting the errors without spinning a
// core on refused connects.
asio::awaitable<void> Worker::User(int user) {
  constexpr auto kMaxConnectBackoff = std::chrono::milliseconds(100);
  asio::steady_timer think(ioc_);
  think_timers_.insert(&think);
  Clock::duration backoff{0};
  auto now = Clock::now();  // read once per request: the clock is a cost at saturation
  for (int64_t n = 0; !stopping_ && now < plan_.end; ++n) {
    ++stats_.scheduled;
    ++in_flight_;
    const bool refused = co_await Request(Pick(), user + n * plan_.phase.concurrency, now, /*paced=*/false);
    backoff = refused ? std::min<Clock::duration>(kMaxConnectBackoff, std::max<Clock::duration>(2 * backoff, std::chrono::milliseconds(1)))
                      : Clock::duration::zero();
    now = Clock::now();
    const auto left = plan_.end - now;
    const auto pause = std::max<Clock::duration>(plan_.phase.think_time, backoff);
    if (pause > Clock::duration::zero() && !stopping_ && left > Clock::duration::zero()) {
      think.expires_after(std::min<Clock::duration>(pause, left));
      co_await think.async_wait(kUseTuple);
      now = Clock::now();
    }
  }
  think_timers_.erase(&think);
  --schedulers_;
}

// One request, counted in in_flight_ by the caller; ends it there.
asio::awaitable<bool> Worker::Request(size_t entry, int64_t seq, Clock::time_point intended, bool paced) {
  RequestPlan request;
  request.entry = entry;
  request.seq = seq;
  if (!plan_.faults.empty()) request.faults = plan_.faults.Decide(entry, rng_);
  for (int k = 0; k < stats::kFaultKinds; ++k) {
    if (request.faults.kinds & (1u << k)) ++stats_.faulted[static_cast<size_t>(k)];
  }
  request.started = paced ? Clock::now() : intended;  // a closed-model user's request starts when intended
  request.deadline = request.started + plan_.phase.timeout;
  ++stats_.sent;
  ++by_entry_[entry].requests;
  const RequestResult result = co_await session_of_[entry]->Perform(request);
  Account(entry, result, intended, request.started, paced);
  --in_flight_;
  co_return result.outcome == Outcome::kError && result.error == stats::ErrorKind::kConnect;
}

void Worker::Account(size_t entry, const RequestResult& r, Clock::time_point intended, Clock::time_point started,
                     bool paced) {
  const auto now = Clock::now();
  auto& mine = by_entry_[entry];
  stats_.connections_opened += r.connections_opened;
  stats_.tls_handshakes += r.handshakes;
  stats_.tls_resumed += r.resumed;
  stats_.tls_handshake_failures += r.handshake_failures;
  if (r.handshakes > 0) stats_.tls_handshake_time.Record(r.handshake_time / r.handshakes);
  if (paced && r.sent_at != Clock::time_point{} && r.sent_at - intended >= stats::kLateAfter) ++stats_.late;
  if (r.grpc_status >= 0) ++stats_.grpc_status[static_cast<size_t>(std::min(r.grpc_status, stats::kGrpcStatusCodes - 1))];
  stats_.messages_sent += r.messages_sent;
  stats_.messages_received += r.messages_received;
  if (stopping_ && r.outcome == Outcome::kError) {
    ++stats_.aborted;  // cut short by the run-wide stop: neither an error nor a result
    return;
  }
  ++second_acc_.completed;
  if (r.responded) {
    stats_.corrected.Record(now - intended);
    stats_.uncorrected.Record(now - started);
    mine.latency.Record(now - intended);
    second_acc_.latency.Record(now - intended);
  }
  switch (r.outcome) {
    case Outcome::kOk:
      ++stats_.ok;
      ++mine.ok;
      ++second_acc_.ok;
      break;
    case Outcome::kFaulted:
      ++stats_.cancelled;
      ++mine.cancelled;
      break;
    case Outcome::kError:
      stats_.AddError(r.error);
      ++mine.errors;
      ++second_acc_.errors;
      break;
  }
}

// Every 20 ms: the run-wide stop; every second: hands the finished second to the
// timeline. Ends when no arrival stream or user is left and nothing is in flight.
asio::awaitable<void> Worker::Housekeeping() {
  asio::steady_timer timer(ioc_);
  while (schedulers_ > 0 || in_flight_ > 0) {
    timer.expires_after(kHousekeepingInterval);
    co_await timer.async_wait(kUseTuple);
    const auto now = Clock::now();
    while (now >= plan_.start + std::chrono::seconds(second_ + 1)) {
      if (plan_.timeline != nullptr) plan_.timeline->Add(second_, second_acc_);
      second_acc_.Reset();
      ++second_;
    }
    if (!stopping_ && plan_.stop.load(std::memory_order_relaxed)) Stop();
  }
  // Nothing is in flight: close the sessions' connections now, inside the io_context, so
  // that sessions with standing reads and writers (HTTP/2) let run() return.
  for (auto& s : sessions_) s->Close();
}

void Worker::Stop() {
  stopping_ = true;
  for (auto& t : stream_timers_) t->cancel();
  for (auto* t : think_timers_) t->cancel();
  for (auto& s : sessions_) s->Abort();
}

}  // namespace leakgate::load
