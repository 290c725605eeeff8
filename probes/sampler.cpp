#include "probes/sampler.h"

#include <condition_variable>

#include "probes/goroutine_dump.h"

namespace leakgate::probes {

Sampler::Sampler(SamplerConfig config) : config_(std::move(config)), origin_(std::chrono::steady_clock::now()) {}

Sampler::~Sampler() { StopTimeline(); }

double Sampler::SecondsSinceStart() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - origin_).count();
}

FetchResult Sampler::GoroutineProfile(int debug) {
  return HttpGet(JoinUrl(config_.pprof_url, "goroutine?debug=" + std::to_string(debug)), config_.timeout);
}

std::optional<FdSnapshot> Sampler::Fds() const {
  if (!config_.pid) return std::nullopt;
  return ReadFds(*config_.pid);
}

ResourceSample Sampler::Sample(bool force_gc, std::string* error) {
  ResourceSample sample;
  auto note = [error](const std::string& what) {
    if (error && error->empty()) *error = what;
  };
  if (force_gc) {
    auto gc = HttpGet(JoinUrl(config_.pprof_url, "heap?gc=1"), config_.timeout);
    if (!gc.ok) note(gc.error);
  }
  auto profile = GoroutineProfile(1);
  if (!profile.ok) {
    note(profile.error);
  } else if (profile.status != 200) {
    note("goroutine profile: HTTP " + std::to_string(profile.status));
  } else if (const auto total = GoroutineTotalFromDebug1(profile.body); total >= 0) {
    sample[kGoroutines] = static_cast<double>(total);
  } else {
    note("goroutine profile: no \"goroutine profile: total N\" line");
  }
  if (config_.pid) {
    if (auto fds = ReadFds(*config_.pid)) sample[kFds] = static_cast<double>(fds->total());
    if (auto status = ReadProcStatus(*config_.pid)) {
      sample[kRssBytes] = static_cast<double>(status->rss_bytes);
      sample[kThreads] = static_cast<double>(status->threads);
    }
  }
  return sample;
}

void Sampler::StartTimeline(std::chrono::nanoseconds interval, std::string phase) {
  StopTimeline();
  timeline_thread_ = std::jthread([this, interval, phase = std::move(phase)](std::stop_token stop) {
    std::mutex wait_mu;
    std::condition_variable_any wake;
    while (!stop.stop_requested()) {
      const double t = SecondsSinceStart();
      ResourceSample values = Sample(/*force_gc=*/false);
      {
        std::lock_guard lock(mu_);
        timeline_.push_back({t, phase, std::move(values)});
      }
      std::unique_lock lock(wait_mu);
      wake.wait_for(lock, stop, interval, [] { return false; });
    }
  });
}

void Sampler::StopTimeline() {
  if (timeline_thread_.joinable()) {
    timeline_thread_.request_stop();
    timeline_thread_.join();
  }
}

std::vector<TimelinePoint> Sampler::Timeline() const {
  std::lock_guard lock(mu_);
  return timeline_;
}

}  // namespace leakgate::probes
