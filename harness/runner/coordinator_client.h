// CoordinatorClient: a shard's side of the coordinator protocol (shard_board.h) — the
// PhaseClock of `leakgate run SCENARIO --shard I/N --coordinator ADDR`.
//
// Connect registers the shard (retrying until `register_timeout`, since shards and their
// coordinator start in any order) and learns the target URL. From then on a heartbeat
// thread posts every kHeartbeatPeriod; the coordinator's "stop" answer makes ShouldStop()
// true. StartOf polls for a step's start time; Report posts a step's result. Every request
// has a deadline (kRequestTimeout) and a body cap; the coordinator unreachable for longer
// than kCoordinatorLostAfter fails the call in progress with kUnavailable naming its address.
// Thread-safety: StartOf/Report from one thread, ShouldStop from any; the destructor joins
// the heartbeat thread.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "harness/net/address_policy.h"
#include "harness/runner/shard_runner.h"

namespace leakgate::runner {

class CoordinatorClient final : public PhaseClock {
 public:
  static constexpr auto kRequestTimeout = std::chrono::seconds(2);
  static constexpr auto kCoordinatorLostAfter = std::chrono::seconds(10);

  // `address` is "host:port" or "http://host:port"; the host passes the address policy
  // (loopback, or on `allow`) or this is kPermissionDenied before anything is sent.
  static StatusOr<std::unique_ptr<CoordinatorClient>> Connect(const std::string& address, scenario::ShardSpec shard,
                                                              net::AllowList allow,
                                                              std::chrono::nanoseconds register_timeout);
  ~CoordinatorClient() override;
  CoordinatorClient(const CoordinatorClient&) = delete;
  CoordinatorClient& operator=(const CoordinatorClient&) = delete;

  // Where the coordinator says the load goes.
  const std::string& target_url() const { return target_url_; }

  StatusOr<WallClock::time_point> StartOf(size_t step) override;
  Status Report(size_t step, const reports::PhaseResult& result) override;
  bool ShouldStop(std::string& why) override;

 private:
  CoordinatorClient(std::string base, scenario::ShardSpec shard, net::AllowList allow)
      : base_(std::move(base)), shard_(shard), allow_(std::move(allow)) {}
  std::string Url(const std::string& path) const;
  void Heartbeat(const std::stop_token& token);
  void NoteStop(const std::string& why);

  const std::string base_;
  const scenario::ShardSpec shard_;
  const net::AllowList allow_;
  std::string target_url_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::string stop_reason_;
  std::jthread heartbeat_;
};

}  // namespace leakgate::runner
