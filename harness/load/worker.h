// Worker: one thread of a load phase (wrk's thread_main, h2load's Worker): its own
// io_context(1), its sessions (one per protocol), random engine and stats; no shared hot
// state. Arrival j of a stream belongs to worker j mod W; closed-model users u, u + W, ...
// are this worker's.
//
// Per request: pick the entry (by weight, or the stream's own), decide its faults
// (faults::FaultPlan), hand it to the entry's Session, then account for it in the stats,
// the entry's stats and the current second of the timeline. One housekeeping coroutine
// hands each finished second to the timeline and watches the run-wide stop flag: on stop,
// arrivals end, think times are cut short and every session aborts its requests.
//
// Thread-safety: none; Run() on one thread, the results read after it returned. The
// io_context has no locks (BOOST_ASIO_CONCURRENCY_HINT_UNSAFE) unless a protocol of the
// phase says its completions come from other threads (Protocol::CompletesOnWorkerThread).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <random>
#include <set>
#include <vector>

#include "harness/load/phase_plan.h"
#include "harness/load/session.h"
#include "harness/stats/request_stats.h"
#include "harness/stats/timeline.h"

namespace leakgate::load {

class Worker {
 public:
  Worker(const PhasePlan& plan, int index, size_t entries);
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Runs this worker's share of the phase to its end (every request it started has ended)
  // and closes its sessions' connections.
  void Run();

  const stats::RequestStats& stats() const { return stats_; }
  const std::vector<stats::TrafficStats>& by_entry() const { return by_entry_; }

 private:
  void CreateSessions();
  boost::asio::awaitable<void> Schedule(const ArrivalStream& stream, boost::asio::steady_timer& timer);
  boost::asio::awaitable<void> User(int user);
  // One request; returns true when it could not connect (nothing reached the server).
  boost::asio::awaitable<bool> Request(size_t entry, int64_t seq, Clock::time_point intended, bool paced);
  boost::asio::awaitable<void> Housekeeping();
  void Account(size_t entry, const RequestResult& r, Clock::time_point intended, Clock::time_point started, bool paced);
  void Stop();
  size_t Pick();

  const PhasePlan& plan_;
  const int index_;
  const int max_in_flight_;
  boost::asio::io_context ioc_;  // lock-free unless a protocol completes work on threads of its own
  std::mt19937_64 rng_;
  std::discrete_distribution<size_t> picker_;
  std::vector<std::unique_ptr<Session>> sessions_;           // by protocol, in protocol order
  std::vector<Session*> session_of_;                         // by entry
  std::vector<std::unique_ptr<boost::asio::steady_timer>> stream_timers_;
  std::set<boost::asio::steady_timer*> think_timers_;        // cut short on stop
  stats::RequestStats stats_;
  std::vector<stats::TrafficStats> by_entry_;
  stats::SecondAccumulator second_acc_;
  int64_t second_ = 0;
  int in_flight_ = 0;
  int schedulers_ = 0;   // arrival streams and users still producing requests
  bool stopping_ = false;
};

}  // namespace leakgate::load
