#include "probes/sampler.h"

#include <fmt/format.h>

#include <condition_variable>

#include "probes/expvar.h"
#include "probes/goroutine_dump.h"
#include "probes/heap_profile.h"
#include "probes/prometheus_text.h"

namespace leakgate::probes {

Sampler::Sampler(SamplerConfig config) : config_(std::move(config)), origin_(std::chrono::steady_clock::now()) {}

Sampler::~Sampler() { StopTimeline(); }

double Sampler::SecondsSinceStart() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - origin_).count();
}

StatusOr<std::string> Sampler::GoroutineProfile(int debug) { return Pprof("goroutine?debug=" + std::to_string(debug)); }

StatusOr<std::string> Sampler::Pprof(const std::string& path_and_query) {
  return HttpGetOk(JoinUrl(config_.pprof_url, path_and_query), Options("probe.pprof", config_.pprof_body_cap, config_.pprof_tls));
}

StatusOr<std::string> Sampler::PprofRecording(const std::string& path_and_query, std::chrono::nanoseconds length) const {
  auto options = Options("probe.pprof", config_.pprof_body_cap, config_.pprof_tls);
  options.timeout += length;
  return HttpGetOk(JoinUrl(config_.pprof_url, path_and_query), options);
}

FetchOptions Sampler::Options(std::string_view key, std::uint64_t body_cap,
                              const std::optional<net::TlsSettings>& tls) const {
  return FetchOptions{.timeout = config_.timeout, .max_body_bytes = body_cap, .allow = config_.allow, .key = key, .tls = tls, .stop = config_.stop};
}

namespace {

// Copies every reading of `from` into `into`, replacing what is there.
void Overlay(ResourceSample& into, const std::map<std::string, double>& from) {
  for (const auto& [name, value] : from) into[name] = value;
}

}  // namespace

std::optional<FdSnapshot> Sampler::Fds() const {
  if (!config_.pid) return std::nullopt;
  return ReadFds(*config_.pid);
}

SampleReading Sampler::Sample(bool force_gc) {
  SampleReading reading;
  // Keeps the first failure; `what` names the source ("" when the message already does).
  auto note = [&reading](const std::string& what, const Status& status) {
    if (reading.status.ok() && !status.ok()) reading.status = what.empty() ? status : status.WithContext(what + ": ");
  };
  // Read in this order so that the forced GC (pprof) comes first and /proc sees what the
  // GC and the finalizers it ran have released; merged by precedence below.
  ResourceSample from_pprof, from_proc, from_expvar, from_metrics;
  if (!config_.pprof_url.empty()) {
    // heap?gc=1 runs a GC before writing the profile: one request both forces the GC and
    // reads the heap after it.
    if (config_.heap_profile) {
      const auto body = Pprof(force_gc ? "heap?gc=1&debug=1" : "heap?debug=1");
      if (body.ok()) {
        Overlay(from_pprof, HeapProfileResources(ParseHeapProfileDebug1(*body)));
      } else {
        note("heap profile", body.status());
      }
    } else if (force_gc) {
      note("forced GC", Pprof("heap?gc=1").status());
    }
    const auto profile = GoroutineProfile(1);
    if (!profile.ok()) {
      note("goroutine profile", profile.status());
    } else if (const auto total = GoroutineTotalFromDebug1(*profile); total >= 0) {
      from_pprof[kGoroutines] = static_cast<double>(total);
    } else {
      note("goroutine profile", Status::Unavailable("no \"goroutine profile: total N\" line"));
    }
  }
  if (config_.pid) {
    if (auto fds = ReadFds(*config_.pid)) {
      from_proc[kFds] = static_cast<double>(fds->total());
      from_proc[kSockets] = static_cast<double>(fds->Count("socket"));
      from_proc["fds_file"] = static_cast<double>(fds->Count("file"));
      from_proc["fds_pipe"] = static_cast<double>(fds->Count("pipe"));
      if (auto states = TcpStates(*config_.pid, *fds)) {
        for (const auto& [state, count] : *states) from_proc["tcp_" + state] = static_cast<double>(count);
      }
    }
    if (auto status = ReadProcStatus(*config_.pid)) {
      from_proc[kRssBytes] = static_cast<double>(status->rss_bytes);
      from_proc[kThreads] = static_cast<double>(status->threads);
    }
  }
  if (!config_.expvar_url.empty()) {
    const auto body = HttpGetOk(config_.expvar_url, Options("probe.expvar", config_.body_cap, config_.expvar_tls));
    if (!body.ok()) {
      note("expvar", body.status());
    } else if (auto parsed = ParseExpvar(*body); parsed.snapshot) {
      Overlay(from_expvar, ExpvarResources(*parsed.snapshot));
    } else {
      note("", Status::Unavailable(parsed.error));  // "expvar: invalid JSON: …"
    }
  }
  if (!config_.metrics_url.empty()) {
    const auto body = HttpGetOk(config_.metrics_url, Options("probe.metrics", config_.body_cap, config_.metrics_tls));
    if (body.ok()) {
      // A page without one sample is not /metrics (an HTML page, JSON, a wrong path).
      if (const auto page = ParsePrometheusText(*body); !page.samples.empty()) {
        Overlay(from_metrics, PrometheusResources(page));
      } else {
        note("metrics", Status::Unavailable(fmt::format("GET {}: not Prometheus text: no sample in {} bytes ({} lines that "
                                                        "are not samples or comments)",
                                                        config_.metrics_url, body->size(), page.skipped_lines)));
      }
    } else {
      note("metrics", body.status());
    }
  }
  for (const auto* source : {&from_metrics, &from_expvar, &from_proc, &from_pprof}) Overlay(reading.values, *source);
  return reading;
}

void Sampler::StartTimeline(std::chrono::nanoseconds interval, std::string phase) {
  StopTimeline();
  timeline_thread_ = std::jthread([this, interval, phase = std::move(phase)](std::stop_token stop) {
    std::mutex wait_mu;
    std::condition_variable_any wake;
    while (!stop.stop_requested()) {
      const double t = SecondsSinceStart();
      ResourceSample values = Sample(/*force_gc=*/false).values;
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
