// Worker: one io_context and its thread, the connections it runs, and its view of the
// current faults (internal to harness/faults/proxy).
//
// Connections live on exactly one worker; everything a connection does runs on that
// worker's thread, which is why connections, their queues and their fault state need no
// locks. Other threads reach a worker only through Apply() and the stop sequence, which
// post to it.
//
// Lifecycle (driven by ChaosProxy): construct all workers, Run(); later BeginStop(),
// WaitStopped() / ForceStop(), Join(), and destroy (which destroys the io_context and,
// with it, the frames of coroutines that had not finished).
//
// Thread-safety: Apply(), BeginStop(), WaitStopped(), ForceStop() and Join() from any
// thread other than the worker's; the rest on the worker's thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "harness/faults/proxy/fault_set.h"

namespace leakgate::faults::proxy {

class Connection;
class ProxyCore;

class Worker {
 public:
  Worker(ProxyCore& core, int index, uint64_t seed, std::shared_ptr<const FaultSet> initial);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  boost::asio::any_io_executor executor() { return io_->get_executor(); }
  int index() const { return index_; }
  ProxyCore& core() { return core_; }

  void Run();  // starts the thread (and the idle sweep)

  // Hands `set` to the worker and waits until it has applied it (connections notified,
  // `down` acted on); false if that took longer than `bound`.
  bool Apply(std::shared_ptr<const FaultSet> set, std::chrono::nanoseconds bound);

  // Stop sequence: close everything this worker runs and let its io_context run out of
  // work; wait (bounded) for that; stop it outright; join the thread.
  void BeginStop();
  bool WaitStopped(std::chrono::steady_clock::time_point deadline);
  void ForceStop();
  void Join();

  // Worker thread only.
  const std::shared_ptr<const FaultSet>& faults() const { return faults_; }
  std::mt19937_64& rng() { return rng_; }
  bool stopping() const { return stopping_; }  // CloseAll ran: new connections are closed at once
  void Register(const std::shared_ptr<Connection>& connection);
  void Unregister(uint64_t id);

 private:
  void ApplyHere(std::shared_ptr<const FaultSet> set);
  void CloseAllHere();
  void ArmIdleSweep();
  std::vector<std::shared_ptr<Connection>> Live();

  ProxyCore& core_;
  const int index_;
  std::unique_ptr<boost::asio::io_context> io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard_;
  std::unique_ptr<boost::asio::steady_timer> idle_sweep_;
  std::thread thread_;
  std::mt19937_64 rng_;
  std::shared_ptr<const FaultSet> faults_;
  std::unordered_map<uint64_t, std::weak_ptr<Connection>> connections_;
  bool stopping_ = false;
};

}  // namespace leakgate::faults::proxy
