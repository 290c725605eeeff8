#include "harness/runner/live_feed.h"

#include <utility>

namespace leakgate::runner {

LiveFeed::LiveFeed(Callback live, std::chrono::milliseconds period)
    : live_(std::move(live)), period_(period), stage_start_(std::chrono::steady_clock::now()) {
  thread_ = std::jthread([this](std::stop_token stop) { Loop(std::move(stop)); });
}

LiveFeed::~LiveFeed() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

void LiveFeed::BeginStage(const LiveStatus& stage, BackgroundSource background) {
  std::lock_guard lock(mu_);
  LiveStatus next = stage;
  next.latest = std::move(status_.latest);
  next.baseline = std::move(status_.baseline);
  next.limits = std::move(status_.limits);
  next.last_second.reset();
  next.phase_completed = next.phase_errors = 0;
  status_ = std::move(next);
  stage_start_ = std::chrono::steady_clock::now();
  background_ = std::move(background);
}

void LiveFeed::SetBaseline(const probes::ResourceSample& baseline, const std::map<std::string, double>& limits) {
  std::lock_guard lock(mu_);
  status_.baseline = baseline;
  status_.limits = limits;
}

void LiveFeed::SetSample(const probes::ResourceSample& sample) {
  std::lock_guard lock(mu_);
  status_.latest = sample;
}

stats::SecondCallback LiveFeed::SecondHook() {
  return [this](const stats::TimelineSecond& second) {
    std::lock_guard lock(mu_);
    if (!status_.last_second || second.second >= status_.last_second->second) status_.last_second = second;
    status_.phase_completed += second.completed;
    status_.phase_errors += second.errors;
  };
}

LiveStatus LiveFeed::Snapshot() {
  BackgroundSource background;
  {
    std::lock_guard lock(mu_);
    background = background_;
  }
  // Polled without the lock: the sampler takes its own.
  std::optional<probes::TimelinePoint> point;
  if (background) point = background();
  std::lock_guard lock(mu_);
  if (point && point->t_seconds > background_t_) {
    background_t_ = point->t_seconds;
    status_.latest = std::move(point->values);
  }
  LiveStatus copy = status_;
  copy.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - stage_start_).count();
  return copy;
}

void LiveFeed::Loop(std::stop_token stop) {
  std::mutex wait_mu;
  std::condition_variable_any wake;
  while (!stop.stop_requested()) {
    live_(Snapshot());
    std::unique_lock lock(wait_mu);
    wake.wait_for(lock, stop, period_, [] { return false; });
  }
}

}  // namespace leakgate::runner
