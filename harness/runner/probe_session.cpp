#include "harness/runner/probe_session.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "probes/goroutine_dump.h"
#include "probes/heap_profile.h"
#include "harness/runner/interrupt.h"
#include "harness/runner/readiness.h"
#include "probes/http_fetch.h"

namespace leakgate::runner {

namespace {

// How long the fd count may keep moving before a closed-by-GC reading takes it as it is,
// and how often it is read meanwhile.
constexpr auto kFdsSettleBound = std::chrono::seconds(2);
constexpr auto kFdsPollInterval = std::chrono::milliseconds(100);

// The fds once three readings 100 ms apart agree (connections the load just closed have
// been reaped, finalizers have run), or the last reading at the bound.
std::optional<probes::FdSnapshot> StableFds(const probes::Sampler& sampler, const std::atomic<bool>* stop) {
  auto last = sampler.Fds();
  const auto deadline = std::chrono::steady_clock::now() + kFdsSettleBound;
  int agreeing = 0;
  while (last && agreeing < 2 && std::chrono::steady_clock::now() < deadline && !(stop != nullptr && *stop)) {
    std::this_thread::sleep_for(kFdsPollInterval);
    auto next = sampler.Fds();
    if (!next) return std::nullopt;
    agreeing = next->total() == last->total() ? agreeing + 1 : 0;
    last = std::move(next);
  }
  return last;
}

}  // namespace

ProbeSession::ProbeSession(const scenario::Scenario& s, std::optional<pid_t> pid, Artifacts& artifacts,
                           net::AllowList allow)
    : s_(s), artifacts_(artifacts) {
  probes::SamplerConfig config;
  config.allow = std::move(allow);
  auto url_of = [&](const std::string& path) { return path.empty() ? "" : probes::JoinUrl(s.target.url, path); };
  config.pprof_url = url_of(s.probe.pprof);
  config.metrics_url = url_of(s.probe.metrics);
  config.expvar_url = url_of(s.probe.expvar);
  config.pprof_tls = ProbeSourceTls(s.target, s.probe, s.probe.pprof_tls);
  config.metrics_tls = ProbeSourceTls(s.target, s.probe, s.probe.metrics_tls);
  config.expvar_tls = ProbeSourceTls(s.target, s.probe, s.probe.expvar_tls);
  config.heap_profile = s.probe.heap_profile;
  config.pid = pid;
  config.timeout = s.probe.timeout;
  config.stop = &InterruptHandler::StopFlag();  // a signal ends a fetch the target never answers
  sampler_ = std::make_unique<probes::Sampler>(config);
}

StatusOr<probes::ResourceSample> ProbeSession::Sample(const std::string& label) {
  auto [sample, status] = sampler_->Sample(s_.probe.force_gc);
  samples_.push_back({sampler_->SecondsSinceStart(), label, sample});
  if (status.ok()) return sample;
  const std::string& error = status.message();
  const char* hint = error.starts_with("heap profile")
                         ? " (probe.heap_profile: false reads the heap from expvar or /metrics instead)"
                         : "";
  return Status::Unavailable(fmt::format("cannot sample the target: {}{}", error, hint));
}

void ProbeSession::StartTimeline(const std::string& phase) { sampler_->StartTimeline(s_.probe.interval, phase); }
void ProbeSession::StopTimeline() { sampler_->StopTimeline(); }

std::vector<reports::TimelinePoint> ProbeSession::Timeline() {
  sampler_->StopTimeline();
  std::vector<reports::TimelinePoint> out = samples_;
  for (const auto& p : sampler_->Timeline()) out.push_back({p.t_seconds, p.phase, p.values});
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.t_s < b.t_s; });
  return out;
}

std::optional<probes::TimelinePoint> ProbeSession::LatestBackgroundSample() const {
  auto points = sampler_->Timeline();
  if (points.empty()) return std::nullopt;
  return std::move(points.back());
}

StatusOr<probes::GoroutineDump> ProbeSession::FetchDump(const std::string& label) {
  auto dump = sampler_->GoroutineProfile(2);
  if (!dump.ok()) return dump.status().WithContext("cannot fetch the goroutine dump: ");
  artifacts_.Save(fmt::format("goroutines.{}.txt", label), *dump);
  return probes::ParseGoroutinesDebug2(*dump);
}

// A binary pprof profile (gzipped protobuf) saved for `go tool pprof`; best effort.
void ProbeSession::SaveProfile(const std::string& profile, const std::string& label, std::vector<std::string>& warnings) {
  if (!artifacts_.keep() || !HasPprof()) return;
  auto r = sampler_->Pprof(profile);
  if (r.ok()) {
    if (auto w = artifacts_.Save(fmt::format("{}.{}.pb.gz", profile, label), *r); !w.empty()) warnings.push_back(w);
  } else {
    warnings.push_back(fmt::format("could not save the {} {} profile: {}", label, profile, r.status().message()));
  }
}

std::optional<probes::HeapProfile> ProbeSession::FetchHeapProfile(const std::string& label) {
  auto r = sampler_->Pprof("heap?debug=1");
  if (!r.ok()) return std::nullopt;
  artifacts_.Save(fmt::format("heap.{}.txt", label), *r);
  return probes::ParseHeapProfileDebug1(*r);
}

// The goroutineleak profile as a full dump (debug=2, proven leaks marked "(leaked)"), or
// nullopt when the target does not serve it. Each fetch runs a leak-detecting GC cycle:
// called once at baseline and once at the end, never while sampling.
std::optional<probes::GoroutineDump> ProbeSession::FetchLeakProfile(const std::string& label) {
  auto r = sampler_->Pprof("goroutineleak?debug=2");
  if (!r.ok()) return std::nullopt;
  auto parsed = probes::ParseGoroutinesDebug2(*r);
  if (parsed.goroutines.empty()) return std::nullopt;  // not a dump: an HTML index or an error page
  artifacts_.Save(fmt::format("goroutineleak.{}.txt", label), *r);
  return parsed;
}

std::optional<probes::FdsClosedByGc> ProbeSession::MeasureFdsClosedByGc(const std::atomic<bool>* stop,
                                                                        std::vector<std::string>& warnings) {
  if (!HasPprof()) return std::nullopt;
  const auto before = StableFds(*sampler_, stop);
  if (!before) return std::nullopt;
  if (auto gc = sampler_->Pprof("heap?gc=1"); !gc.ok()) {
    warnings.push_back(fmt::format("fds_closed_by_gc: could not force a GC: {}", gc.status().message()));
    return std::nullopt;
  }
  const auto after = StableFds(*sampler_, stop);
  if (!after) return std::nullopt;
  probes::FdsClosedByGc closed;
  closed.count = std::max<int64_t>(0, before->total() - after->total());
  closed.closed = probes::DiffFds(*after, *before);
  return closed;
}

std::unique_ptr<PhaseCapture> ProbeSession::StartCapture(const std::string& label,
                                                         std::chrono::nanoseconds phase_duration,
                                                         const std::atomic<bool>* stop) const {
  const auto& c = s_.probe.capture;
  if (!HasPprof() || (c.trace <= std::chrono::nanoseconds::zero() && c.cpu <= std::chrono::nanoseconds::zero())) {
    return nullptr;
  }
  return std::make_unique<PhaseCapture>(*sampler_, c, label, phase_duration, stop);
}

void ProbeSession::SaveCaptures(PhaseCapture& capture, std::vector<std::string>& warnings) {
  for (auto& r : capture.Finish()) {
    if (!r.body.ok()) {
      warnings.push_back(fmt::format("probe.capture: {} not recorded: {}", r.file, r.body.status().message()));
    } else if (auto w = artifacts_.Save(r.file, *r.body); !w.empty()) {
      warnings.push_back(w);
    }
  }
}

Status ProbeSession::CaptureBaseline(probes::Evidence& e, std::vector<std::string>& warnings) {
  if (HasPprof()) {
    auto dump = FetchDump("baseline");
    if (!dump.ok()) return dump.status();
    e.baseline_dump = std::move(*dump);
    SaveProfile("goroutine", "baseline", warnings);
    if (s_.probe.heap_profile) {
      e.baseline_heap = FetchHeapProfile("baseline");
      SaveProfile("heap", "baseline", warnings);
    }
    if (s_.probe.goroutine_leak_profile != scenario::Probe::LeakProfile::kOff) {
      e.baseline_leak_profile = FetchLeakProfile("baseline");
      if (!e.baseline_leak_profile && s_.probe.goroutine_leak_profile == scenario::Probe::LeakProfile::kOn) {
        return Status::Unavailable(
            "probe.goroutine_leak_profile is on, but the target does not serve /debug/pprof/goroutineleak "
            "(build it with Go >= 1.27, or Go 1.26 and GOEXPERIMENT=goroutineleakprofile)");
      }
    }
  }
  e.baseline_fds = sampler_->Fds();
  return Status::Ok();
}

Status ProbeSession::CaptureFinal(probes::Evidence& e, std::vector<std::string>& warnings) {
  if (HasPprof()) {
    auto dump = FetchDump("final");
    if (!dump.ok()) return dump.status();
    e.final_dump = std::move(*dump);
    SaveProfile("goroutine", "final", warnings);
    if (e.baseline_heap) {
      e.final_heap = FetchHeapProfile("final");
      if (e.final_heap) SaveProfile("heap", "final", warnings);
    }
    if (e.baseline_leak_profile) e.final_leak_profile = FetchLeakProfile("final");
    // Empty unless the target sets runtime.SetMutexProfileFraction / SetBlockProfileRate.
    if (s_.probe.capture.mutex) SaveProfile("mutex", "final", warnings);
    if (s_.probe.capture.block) SaveProfile("block", "final", warnings);
  }
  if (e.baseline_fds) e.final_fds = sampler_->Fds();
  return Status::Ok();
}

}  // namespace leakgate::runner
