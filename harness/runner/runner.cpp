#include "harness/runner/runner.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>
#include <thread>

#include "harness/load/grpc/grpc_engine.h"
#include "harness/load/load_engine.h"
#include "harness/runner/interrupt.h"
#include "harness/runner/target_process.h"
#include "probes/goroutine_attribution.h"
#include "probes/goroutine_dump.h"
#include "probes/heap_profile.h"
#include "probes/http_fetch.h"
#include "probes/sampler.h"
#include "probes/settle.h"
#include "reports/json_report.h"
#include "reports/report_writer.h"

namespace leakgate::runner {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using reports::RunResult;

namespace {

constexpr auto kReadyPollInterval = std::chrono::milliseconds(50);
constexpr int kLogTailLines = 30;
constexpr size_t kHeapSitesReported = 10;

// Thrown inside Run() to end it with a target failure (exit 3); caught in Run().
struct TargetFailure {
  std::string message;
};
// Thrown inside Run() when the run-wide stop flag was seen.
struct Interrupted {};

std::string UtcNowIso8601() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

reports::LatencySummary Summarize(const stats::LatencyHistogram& h) {
  auto ms = [](int64_t ns) { return static_cast<double>(ns) / 1e6; };
  reports::LatencySummary s;
  s.count = h.count();
  s.p50_ms = ms(h.QuantileNanos(0.50));
  s.p90_ms = ms(h.QuantileNanos(0.90));
  s.p99_ms = ms(h.QuantileNanos(0.99));
  s.p999_ms = ms(h.QuantileNanos(0.999));
  s.p9999_ms = ms(h.QuantileNanos(0.9999));
  s.max_ms = ms(h.max_nanos());
  s.mean_ms = h.mean_nanos() / 1e6;
  // HDR-style percentile points: five per halving of the distance to 100 %, up to
  // 99.999 % or to the last recorded value, whichever comes first.
  for (int i = 0; s.count > 0; ++i) {
    const double percentile = std::min(99.999, 100.0 * (1.0 - std::pow(0.5, i / 5.0)));
    s.curve.emplace_back(percentile, ms(h.QuantileNanos(percentile / 100.0)));
    const bool beyond_last = (1.0 - percentile / 100.0) * static_cast<double>(s.count) < 1.0;
    if (percentile >= 99.999 || beyond_last) break;
  }
  return s;
}

reports::PhaseResult ToPhaseResult(const scenario::Phase& phase, const load::PhaseLoadResult& load) {
  const auto& st = load.stats;
  reports::PhaseResult p;
  p.name = phase.name;
  p.warmup = phase.warmup;
  p.duration_s = std::chrono::duration<double>(load.elapsed).count();
  p.target_rate = phase.rate;
  const double scheduled_s = std::chrono::duration<double>(phase.duration).count();
  p.achieved_rate = scheduled_s > 0 ? static_cast<double>(st.sent) / scheduled_s : 0;
  p.workers = load.workers;
  p.scheduled = st.scheduled;
  p.requests = st.sent;
  p.ok = st.ok;
  p.errors = st.errors();
  p.cancelled = st.cancelled;
  p.dropped = st.dropped;
  p.aborted = st.aborted;
  p.connections_opened = st.connections_opened;
  for (size_t i = 0; i < st.errors_by_kind.size(); ++i) {
    if (st.errors_by_kind[i] > 0) {
      p.errors_by_kind[std::string(stats::ErrorKindName(static_cast<stats::ErrorKind>(i)))] = st.errors_by_kind[i];
    }
  }
  p.latency = Summarize(st.corrected);
  p.latency_uncorrected = Summarize(st.uncorrected);
  p.late = st.late;
  for (size_t k = 0; k < st.faulted.size(); ++k) {
    if (st.faulted[k] > 0) p.faulted[std::string(scenario::FaultKindName(static_cast<scenario::Fault::Kind>(k)))] = st.faulted[k];
  }
  for (const auto& t : load.timeline) {
    p.timeline.push_back({t.second, t.completed, t.ok, t.errors, static_cast<double>(t.p99_nanos) / 1e6});
  }
  if (phase.rate_to >= 0) p.target_rate = (phase.rate + phase.rate_to) / 2;  // a ramp: its mean rate
  return p;
}

// The shipped ignore rules (scenarios/FORMAT.md, "Ignore rules"): goroutines that come and
// go with connections and with leakgate's own scrapes, never a leak by themselves.
std::vector<probes::IgnoreRule> DefaultIgnoreRules() {
  using R = probes::IgnoreRule;
  return {
      // The probe's own goroutine scrape (the goroutine writing the dump).
      {R::kAnyFunction, "runtime/pprof.writeGoroutineStacks"},
      {R::kAnyFunction, "runtime/pprof.writeGoroutine"},
      // net/http server internals: an idle keep-alive connection, and the background read
      // of a connection whose request is in flight (no user code on either stack).
      {R::kLibraryOnlyWith, "net/http.(*conn).serve"},
      {R::kLibraryOnlyWith, "net/http.(*connReader).backgroundRead"},
      // gRPC transport goroutines, one set per live connection (reader, loopy writer,
      // keepalive); a handler stuck on a stream is attributed to the handler, not these.
      {R::kTopFunction, "google.golang.org/grpc/internal/transport.*"},
      {R::kTopFunction, "google.golang.org/grpc/internal/grpcsync.*"},
  };
}

std::vector<probes::IgnoreRule> IgnoreRulesOf(const scenario::Assert& a) {
  std::vector<probes::IgnoreRule> rules;
  if (a.default_ignores) rules = DefaultIgnoreRules();
  for (const auto& r : a.ignore) {
    probes::IgnoreRule rule;
    switch (r.kind) {
      case scenario::IgnoreRule::Kind::kTopFunction: rule.kind = probes::IgnoreRule::kTopFunction; break;
      case scenario::IgnoreRule::Kind::kAnyFunction: rule.kind = probes::IgnoreRule::kAnyFunction; break;
      case scenario::IgnoreRule::Kind::kCreatedBy: rule.kind = probes::IgnoreRule::kCreatedBy; break;
    }
    rule.function = r.function;
    rules.push_back(std::move(rule));
  }
  return rules;
}

// A stack as the reports print it: "function file:line", innermost first.
std::vector<std::string> FormatStack(const std::vector<probes::Frame>& frames) {
  std::vector<std::string> out;
  out.reserve(frames.size());
  for (const auto& f : frames) out.push_back(fmt::format("{} {}:{}", f.function, f.file, f.line));
  return out;
}

reports::GoroutineLeak ToLeak(const probes::GoroutineGroup& g) {
  reports::GoroutineLeak leak;
  leak.count = g.count;
  leak.function = g.function;
  leak.created_by = g.created_by;
  leak.created_by_location = g.created_by_location;
  leak.state = g.state;
  leak.stack = FormatStack(g.representative.frames);
  return leak;
}

// Goroutines the goroutineleak profile (debug=1) reports at the end beyond those it
// reported at baseline, grouped by their top user function, largest first. State
// "leaked": the runtime proved them unreachable.
std::vector<reports::GoroutineLeak> DiffLeakProfiles(const probes::GroupedGoroutines& baseline,
                                                     const probes::GroupedGoroutines& final,
                                                     const std::vector<probes::IgnoreRule>& ignore) {
  struct Entry {
    int64_t count = 0;
    probes::Goroutine representative;
  };
  auto tally = [&](const probes::GroupedGoroutines& profile) {
    std::map<std::string, Entry> by_function;
    for (const auto& group : profile.groups) {
      probes::Goroutine g;
      g.state = "leaked";
      g.frames = group.frames;
      if (probes::Matches(ignore, g)) continue;
      const probes::Frame* top = probes::TopUserFrame(g);
      auto& e = by_function[top ? top->function : ""];
      e.count += group.count;
      if (e.representative.frames.size() < g.frames.size()) e.representative = std::move(g);
    }
    return by_function;
  };
  const auto before = tally(baseline);
  std::vector<reports::GoroutineLeak> leaks;
  for (auto& [function, e] : tally(final)) {
    const auto it = before.find(function);
    const int64_t grown = e.count - (it == before.end() ? 0 : it->second.count);
    if (grown <= 0) continue;
    reports::GoroutineLeak leak;
    leak.count = grown;
    leak.function = function;
    leak.state = "leaked";
    leak.stack = FormatStack(e.representative.frames);
    leaks.push_back(std::move(leak));
  }
  std::sort(leaks.begin(), leaks.end(), [](const auto& a, const auto& b) {
    return a.count != b.count ? a.count > b.count : a.function < b.function;
  });
  return leaks;
}

class RunExecution {
 public:
  RunExecution(const scenario::Scenario& s, const RunOptions& o) : s_(s), o_(o) {}

  RunResult Execute() {
    const auto run_start = Clock::now();
    result_.scenario_name = s_.name;
    result_.scenario_file = s_.file;
    result_.started_at = UtcNowIso8601();
    result_.target.command = s_.target.command;
    result_.target.url = s_.target.url;
    PrepareOutDir();

    try {
      if (s_.grpc && !s_.grpc->reflection) PrepareGrpc();  // bad protos/requests: exit 2 before starting anything
      StartTarget();
      RunAll();
    } catch (const TargetFailure& f) {
      result_.verdict = reports::Verdict::kError;
      result_.exit_code = reports::kExitTargetFailed;
      result_.message = f.message;
    } catch (const Interrupted&) {
      result_.verdict = reports::Verdict::kInterrupted;
      result_.exit_code = reports::kExitInterrupted;
      result_.message = "interrupted; the result is partial";
    }
    if (sampler_) {
      sampler_->StopTimeline();
      for (const auto& p : sampler_->Timeline()) timeline_.push_back({p.t_seconds, p.phase, p.values});
    }
    std::sort(timeline_.begin(), timeline_.end(),
              [](const auto& a, const auto& b) { return a.t_s < b.t_s; });
    result_.timeline = std::move(timeline_);
    if (target_) {
      result_.target.exit_status = target_->Stop(s_.target.stop_timeout);
      target_.reset();
      InterruptHandler::SetTargetProcessGroup(0);
    }
    result_.duration_s = std::chrono::duration<double>(Clock::now() - run_start).count();
    if (!o_.out_dir.empty()) {
      if (auto written = reports::WriteReports(o_.out_dir, result_); !written.ok()) throw std::runtime_error(written.message());
    } else if (!temp_dir_.empty()) {
      std::error_code ignored;
      fs::remove_all(temp_dir_, ignored);
    }
    return std::move(result_);
  }

 private:
  void Progress(const std::string& line) const {
    if (o_.progress) o_.progress(line);
  }
  bool StopRequested() const { return o_.stop != nullptr && o_.stop->load(); }
  void CheckStop() const {
    if (StopRequested()) throw Interrupted{};
  }

  void PrepareOutDir() {
    if (!o_.out_dir.empty()) {
      std::error_code ec;
      fs::create_directories(o_.out_dir, ec);
      if (ec) throw std::runtime_error(fmt::format("cannot create output directory {}: {}", o_.out_dir, ec.message()));
      artifacts_dir_ = o_.out_dir;
      return;
    }
    std::string pattern = (fs::temp_directory_path() / "leakgate-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create a temporary directory");
    temp_dir_ = artifacts_dir_ = pattern;
  }

  // Writes an artifact beside the report (only with --out) and lists it.
  void SaveArtifact(const std::string& name, const std::string& content) {
    if (o_.out_dir.empty()) return;
    reports::WriteFileAtomically((fs::path(o_.out_dir) / name).string(), content);
    result_.artifacts.push_back(name);
  }

  std::string TargetDiedMessage(const std::string& when) {
    std::string msg = fmt::format("target {} {}", *target_->ExitStatus(), when);
    const auto tail = target_->LogTail(kLogTailLines);
    if (!tail.empty()) msg += "; last lines of its output:\n" + tail;
    return msg;
  }

  void CheckTargetAlive(const std::string& when) {
    if (target_ && target_->ExitStatus()) throw TargetFailure{TargetDiedMessage(when)};
  }

  void StartTarget() {
    if (!s_.target.command.empty()) {
      const auto log_path = (fs::path(artifacts_dir_) / "target.log").string();
      try {
        target_.emplace(TargetProcess::Start(s_.target.command, s_.target.env, log_path));
      } catch (const TargetStartError& e) {
        throw TargetFailure{e.what()};
      }
      result_.target.pid = target_->pid();
      InterruptHandler::SetTargetProcessGroup(target_->pid());
      if (!o_.out_dir.empty()) {
        result_.target.log_path = "target.log";
        result_.artifacts.push_back("target.log");
      }
      Progress(fmt::format("target started: pid {} ({})", target_->pid(), s_.target.command.front()));
    }
    try {
      address_ = load::ResolveTarget(s_.target.url);
    } catch (const std::invalid_argument& e) {
      throw TargetFailure{e.what()};
    }
    WaitReady();
    if (s_.grpc && s_.grpc->reflection) {
      try {
        PrepareGrpc();
      } catch (const std::exception& e) {
        throw TargetFailure{e.what()};
      }
    }
    probes::SamplerConfig config;
    auto url_of = [&](const std::string& path) { return path.empty() ? "" : probes::JoinUrl(s_.target.url, path); };
    config.pprof_url = url_of(s_.probe.pprof);
    config.metrics_url = url_of(s_.probe.metrics);
    config.expvar_url = url_of(s_.probe.expvar);
    config.heap_profile = s_.probe.heap_profile;
    if (target_) config.pid = target_->pid();
    config.timeout = s_.probe.timeout;
    sampler_ = std::make_unique<probes::Sampler>(config);
  }

  void WaitReady() {
    const auto started = Clock::now();
    const auto deadline = started + s_.target.ready_timeout;
    const std::string url = probes::JoinUrl(s_.target.url, s_.target.ready);
    std::string last_error;
    while (true) {
      CheckStop();
      CheckTargetAlive("before it was ready");
      const auto left = deadline - Clock::now();
      if (left <= Clock::duration::zero()) break;
      auto r = probes::HttpGet(url, std::min<Clock::duration>(left, std::chrono::seconds(2)));
      if (r.ok && r.status == 200) {
        Progress(fmt::format("target ready after {:.2f}s ({})", std::chrono::duration<double>(Clock::now() - started).count(), url));
        return;
      }
      last_error = r.ok ? fmt::format("GET {}: HTTP {}", url, r.status) : r.error;
      std::this_thread::sleep_for(kReadyPollInterval);
    }
    throw TargetFailure{fmt::format("target not ready within {:.1f}s: {}",
                                    std::chrono::duration<double>(s_.target.ready_timeout).count(), last_error)};
  }

  // gRPC traffic: message types and requests are ready before the first phase.
  void PrepareGrpc() {
    grpc_ = load::grpc_load::GrpcEngine::Prepare(s_, load::grpc_load::GrpcEngine::TargetOfUrl(s_.target.url));
  }

  static void AddGrpcResult(const load::grpc_load::GrpcPhaseResult& g, reports::PhaseResult& p) {
    for (int code = 0; code < load::grpc_load::kStatusCodes; ++code) {
      if (g.status[code] > 0) p.grpc_status[load::grpc_load::StatusCodeName(code)] = g.status[code];
    }
    p.grpc_messages_sent = g.messages_sent;
    p.grpc_messages_received = g.messages_received;
  }

  void RunPhase(const scenario::Phase& phase, int cycle) {
    CheckTargetAlive(fmt::format("before phase {}", phase.name));
    Progress(fmt::format("phase {}: {:.1f}s at {} req/s", phase.name,
                         std::chrono::duration<double>(phase.duration).count(), phase.rate));
    sampler_->StartTimeline(s_.probe.interval, phase.name);
    static const std::atomic<bool> kNeverStop{false};
    std::optional<load::grpc_load::GrpcPhaseResult> grpc;
    if (grpc_) grpc = grpc_->RunPhase(phase, o_.stop ? *o_.stop : kNeverStop);
    auto load = grpc ? std::move(grpc->load) : load::RunPhase(phase, s_.traffic, address_, o_.stop ? *o_.stop : kNeverStop);
    sampler_->StopTimeline();
    result_.phases.push_back(ToPhaseResult(phase, load));
    result_.phases.back().cycle = cycle;
    if (grpc) AddGrpcResult(*grpc, result_.phases.back());
    const auto& p = result_.phases.back();
    Progress(fmt::format("phase {} done: {} requests, {} ok, {} errors, {} cancelled, {} dropped, p99 {:.2f}ms", p.name,
                         p.requests, p.ok, p.errors, p.cancelled, p.dropped, p.latency.p99_ms));
    CheckTargetAlive(fmt::format("during phase {}", phase.name));
    CheckStop();
  }

  // One sample with GC forced, recorded in the timeline. A target that cannot be sampled
  // (a probe endpoint failing or gone) is a target failure.
  probes::ResourceSample TakeSample(const std::string& label) {
    std::string error;
    auto sample = sampler_->Sample(s_.probe.force_gc, &error);
    timeline_.push_back({sampler_->SecondsSinceStart(), label, sample});
    if (!error.empty()) {
      CheckTargetAlive("while sampling");
      const char* hint = error.starts_with("heap profile")
                             ? " (probe.heap_profile: false reads the heap from expvar or /metrics instead)"
                             : "";
      throw TargetFailure{fmt::format("cannot sample the target: {}{}", error, hint)};
    }
    return sample;
  }

  bool HasPprof() const { return !s_.probe.pprof.empty(); }
  bool HeapAsserted() const {
    return s_.assertions.Find(probes::kHeapInuseBytes) != nullptr || s_.assertions.Find(probes::kHeapObjects) != nullptr;
  }

  // A binary pprof profile (gzipped protobuf) saved for `go tool pprof`; best effort.
  void SaveProfile(const std::string& profile, const std::string& label) {
    if (o_.out_dir.empty() || !HasPprof()) return;
    auto r = sampler_->Pprof(profile);
    if (r.ok && r.status == 200) {
      SaveArtifact(fmt::format("{}.{}.pb.gz", profile, label), r.body);
    } else {
      result_.warnings.push_back(fmt::format("could not save the {} {} profile: {}", label, profile,
                                             r.ok ? fmt::format("HTTP {}", r.status) : r.error));
    }
  }

  std::optional<probes::HeapProfile> FetchHeapProfile(const std::string& label) {
    if (!HasPprof() || !s_.probe.heap_profile) return std::nullopt;
    auto r = sampler_->Pprof("heap?debug=1");
    if (!r.ok || r.status != 200) return std::nullopt;
    SaveArtifact(fmt::format("heap.{}.txt", label), r.body);
    return probes::ParseHeapProfileDebug1(r.body);
  }

  // The goroutineleak profile (debug=1), or nullopt when the target does not serve it.
  std::optional<probes::GroupedGoroutines> FetchLeakProfile(const std::string& label) {
    auto r = sampler_->Pprof("goroutineleak?debug=1");
    if (!r.ok || r.status != 200) return std::nullopt;
    auto parsed = probes::ParseGoroutinesDebug1(r.body);
    if (parsed.total < 0) return std::nullopt;
    SaveArtifact(fmt::format("goroutineleak.{}.txt", label), r.body);
    return parsed;
  }

  std::string FetchDump(const std::string& label) {
    auto dump = sampler_->GoroutineProfile(2);
    if (!dump.ok || dump.status != 200) {
      CheckTargetAlive("while dumping goroutines");
      throw TargetFailure{fmt::format("cannot fetch the goroutine dump: {}",
                                      dump.ok ? fmt::format("HTTP {}", dump.status) : dump.error)};
    }
    SaveArtifact(fmt::format("goroutines.{}.txt", label), dump.body);
    return std::move(dump.body);
  }

  void TakeBaseline() {
    Progress(fmt::format("baseline: {} samples every {}ms", s_.probe.samples,
                         std::chrono::duration_cast<std::chrono::milliseconds>(s_.probe.interval).count()));
    std::vector<probes::ResourceSample> samples;
    for (int i = 0; i < s_.probe.samples; ++i) {
      if (i > 0) Sleep(s_.probe.interval);
      samples.push_back(TakeSample("baseline"));
    }
    result_.baseline = probes::MedianOf(samples);
    baseline_samples_ = std::move(samples);
    if (HasPprof()) {
      baseline_dump_ = FetchDump("baseline");
      SaveProfile("goroutine", "baseline");
      if (s_.probe.heap_profile) {
        baseline_heap_ = FetchHeapProfile("baseline");
        SaveProfile("heap", "baseline");
      }
      if (s_.probe.goroutine_leak_profile != scenario::Probe::LeakProfile::kOff) {
        baseline_leak_profile_ = FetchLeakProfile("baseline");
        result_.leak_profile_available = baseline_leak_profile_.has_value();
        if (!baseline_leak_profile_ && s_.probe.goroutine_leak_profile == scenario::Probe::LeakProfile::kOn) {
          throw TargetFailure{"probe.goroutine_leak_profile is on, but the target does not serve "
                              "/debug/pprof/goroutineleak (build it with Go >= 1.26 and "
                              "GOEXPERIMENT=goroutineleakprofile)"};
        }
      }
    }
    baseline_fds_ = sampler_->Fds();
    Progress(fmt::format("baseline: {} goroutines{}", result_.baseline.contains(probes::kGoroutines) ? result_.baseline[probes::kGoroutines] : -1,
                         result_.baseline.contains(probes::kFds)
                             ? fmt::format(", {} fds", result_.baseline[probes::kFds])
                             : ""));
  }

  // Resources asserted as leaks, with their limits over the baseline.
  std::map<std::string, double> LeakLimits() {
    std::map<std::string, double> limits;
    const auto& a = s_.assertions;
    auto add = [&](const char* name, const scenario::Tolerance& tol) {
      if (!result_.baseline.contains(name)) {
        result_.warnings.push_back(fmt::format("assert.{}: not measurable for this target (skipped)", name));
        return;
      }
      limits[name] = tol.limit(result_.baseline[name]);
    };
    for (const auto& [name, tolerance] : a.resources) add(name.c_str(), tolerance);
    return limits;
  }

  // Polls until every limited resource is back within its limit (or, with
  // `allow_plateau`, has stopped falling) or the settle budget is spent. Returns the
  // settled values of this cycle; the last cycle's are the run's final values.
  reports::CycleResult Settle(const std::map<std::string, double>& limits, int cycle, bool allow_plateau) {
    const auto started = Clock::now();
    const auto deadline = started + s_.assertions.settle;
    Progress(fmt::format("settle{}: up to {:.1f}s for every asserted resource to return within tolerance",
                         s_.assertions.cycles > 1 ? fmt::format(" (cycle {})", cycle) : "",
                         std::chrono::duration<double>(s_.assertions.settle).count()));
    probes::SettleTracker tracker(limits, s_.probe.samples);
    reports::CycleResult c;
    c.cycle = cycle;
    while (true) {
      tracker.Add(TakeSample("settle"));
      if (tracker.Settled() || Clock::now() >= deadline || StopRequested()) break;
      if (allow_plateau && tracker.Plateaued(noise_)) {
        c.plateaued = true;
        break;
      }
      Sleep(s_.probe.interval);
    }
    c.settled = tracker.Settled();
    c.settle_s = std::chrono::duration<double>(Clock::now() - started).count();
    c.values = tracker.Final();
    Progress(fmt::format("settle: {} after {:.1f}s",
                         c.settled ? "back within tolerance" : c.plateaued ? "stopped falling" : "NOT back within tolerance",
                         c.settle_s));
    return c;
  }

  void Attribute() {
    const auto ignore = IgnoreRulesOf(s_.assertions);
    if (HasPprof()) {
      const std::string final_dump = FetchDump("final");
      SaveProfile("goroutine", "final");
      const auto baseline = probes::ParseGoroutinesDebug2(baseline_dump_);
      const auto final = probes::ParseGoroutinesDebug2(final_dump);
      for (const auto& g : probes::DiffGoroutineGroups(baseline, final, ignore)) result_.leaks.push_back(ToLeak(g));
      if (baseline_heap_) {
        if (auto final_heap = FetchHeapProfile("final")) {
          SaveProfile("heap", "final");
          for (const auto& site : probes::DiffHeapProfiles(*baseline_heap_, *final_heap, kHeapSitesReported)) {
            if (site.bytes_delta <= 0) continue;
            reports::HeapSite h;
            h.function = site.site.function;
            h.location = fmt::format("{}:{}", site.site.file, site.site.line);
            h.bytes = site.bytes_delta;
            h.objects = site.objects_delta;
            h.stack = FormatStack(site.frames);
            result_.heap_growth.push_back(std::move(h));
          }
        }
      }
      if (baseline_leak_profile_) {
        if (auto final_leak = FetchLeakProfile("final")) {
          result_.proven_leaks = DiffLeakProfiles(*baseline_leak_profile_, *final_leak, ignore);
        }
      }
    }
    if (baseline_fds_) {
      if (auto final_fds = sampler_->Fds()) {
        for (const auto& g : probes::DiffFds(*baseline_fds_, *final_fds)) result_.fd_leaks.push_back({g.count, g.target});
      }
    }
  }

  void Judge(const std::map<std::string, double>& limits) {
    bool leak_failed = false;
    const bool cycled = result_.cycles.size() > 1;
    for (const auto& [name, limit] : limits) {
      reports::AssertionResult a;
      a.name = name;
      a.baseline = result_.baseline[name];
      a.final = result_.final.contains(name) ? result_.final[name] : a.baseline;
      a.limit = limit;
      a.noise = noise_.contains(name) ? noise_.at(name) : 0;
      if (!cycled) {
        a.passed = a.final <= limit;
      } else {
        // Growth that stopped after the first cycle passes; growth that continues from
        // cycle to cycle (significant slope) beyond the tolerance over cycle 1 fails.
        std::vector<double> settled;
        for (const auto& c : result_.cycles) {
          settled.push_back(c.values.contains(name) ? c.values.at(name) : a.baseline);
        }
        const auto fit = probes::FitGrowth(settled, a.noise);
        a.slope_per_cycle = fit.slope;
        a.slope_standard_error = fit.standard_error;
        a.growth_significant = fit.significant;
        a.limit = s_.assertions.Find(name)->limit(settled.front());
        a.passed = !(fit.significant && a.final > a.limit);
        a.detail = fmt::format("{:+.6g} per cycle over {} cycles (standard error {:.3g}){}", fit.slope, settled.size(),
                               fit.standard_error, fit.significant ? ", significant" : "");
      }
      leak_failed |= !a.passed;
      result_.assertions.push_back(a);
    }
    if (result_.leak_profile_available) {
      int64_t proven = 0;
      for (const auto& l : result_.proven_leaks) proven += l.count;
      reports::AssertionResult a;
      a.name = "proven_leaks";
      a.final = static_cast<double>(proven);
      a.passed = proven == 0 || !s_.assertions.proven_leaks_fail;
      a.detail = "goroutines the runtime's goroutineleak profile proved leaked, beyond baseline";
      leak_failed |= !a.passed;
      result_.assertions.push_back(a);
    }
    // Leak attribution is reported only for the resources that failed.
    auto failed = [&](const char* name) {
      return std::any_of(result_.assertions.begin(), result_.assertions.end(),
                         [&](const auto& a) { return a.name == name && !a.passed; });
    };
    if (!failed(probes::kGoroutines) && !failed("proven_leaks")) result_.leaks.clear();
    if (!failed(probes::kFds) && !failed(probes::kSockets)) result_.fd_leaks.clear();
    if (!failed(probes::kHeapInuseBytes) && !failed(probes::kHeapObjects)) result_.heap_growth.clear();

    bool threshold_failed = false;
    if (s_.assertions.max_error_rate) {
      int64_t requests = 0, errors = 0;
      for (const auto& p : result_.phases) {
        if (p.warmup) continue;
        requests += p.requests;
        errors += p.errors;
      }
      reports::AssertionResult a;
      a.name = "error_rate";
      a.kind = reports::AssertionKind::kThreshold;
      a.final = requests > 0 ? static_cast<double>(errors) / static_cast<double>(requests) : 0;
      a.limit = *s_.assertions.max_error_rate;
      a.passed = a.final <= a.limit;
      a.detail = fmt::format("{} errors in {} requests", errors, requests);
      threshold_failed = !a.passed;
      result_.assertions.push_back(a);
    }

    if (leak_failed) {
      result_.verdict = reports::Verdict::kFail;
      result_.exit_code = reports::kExitLeak;
      std::vector<std::string> parts;
      for (const auto& a : result_.assertions) {
        if (!a.passed && a.kind == reports::AssertionKind::kLeak) parts.push_back(fmt::format("{} {} → {} (limit {})", a.name, a.baseline, a.final, a.limit));
      }
      result_.message = fmt::format("leak: {}", fmt::join(parts, "; "));
      if (!result_.leaks.empty()) {
        const auto& top = result_.leaks.front();
        result_.message += fmt::format("; top: {} × {} [{}]", top.count, top.function, top.state);
      } else if (!result_.proven_leaks.empty()) {
        const auto& top = result_.proven_leaks.front();
        result_.message += fmt::format("; proven: {} × {}", top.count, top.function);
      } else if (!result_.heap_growth.empty()) {
        const auto& top = result_.heap_growth.front();
        result_.message += fmt::format("; top heap site: {} (+{} bytes, +{} objects)", top.function, top.bytes, top.objects);
      } else if (!result_.fd_leaks.empty()) {
        result_.message += fmt::format("; top: {} × fd {}", result_.fd_leaks.front().count, result_.fd_leaks.front().target);
      }
    } else if (threshold_failed) {
      result_.verdict = reports::Verdict::kFail;
      result_.exit_code = reports::kExitThreshold;
      result_.message = "threshold failed: error rate above assert.max_error_rate";
    } else {
      result_.verdict = reports::Verdict::kPass;
      result_.exit_code = reports::kExitPass;
      result_.message = result_.cycles.size() > 1
                             ? fmt::format("no asserted resource kept growing over {} cycles", result_.cycles.size())
                             : "every asserted resource returned to baseline";
    }
  }

  void RunAll() {
    // Warm-up phases lead (the loader guarantees they come first), then the baseline.
    size_t first_load = 0;
    for (; first_load < s_.phases.size() && s_.phases[first_load].warmup; ++first_load) {
      RunPhase(s_.phases[first_load], /*cycle=*/0);
    }
    TakeBaseline();
    const auto limits = LeakLimits();
    for (const auto& [name, limit] : limits) noise_[name] = probes::NoiseOf(baseline_samples_, name);
    const int cycles = s_.assertions.cycles;
    for (int cycle = 1; cycle <= cycles; ++cycle) {
      for (size_t i = first_load; i < s_.phases.size(); ++i) RunPhase(s_.phases[i], cycle);
      result_.cycles.push_back(Settle(limits, cycle, /*allow_plateau=*/cycle < cycles));
      CheckTargetAlive("while settling");
      CheckStop();
    }
    const auto& last_cycle = result_.cycles.back();
    result_.settled = last_cycle.settled;
    result_.final = last_cycle.values;
    for (const auto& c : result_.cycles) result_.settle_s += c.settle_s;
    Attribute();
    CheckStop();
    Judge(limits);
  }

  void Sleep(std::chrono::nanoseconds d) const {
    const auto until = Clock::now() + d;
    while (Clock::now() < until && !StopRequested()) {
      std::this_thread::sleep_for(std::min<Clock::duration>(std::chrono::milliseconds(20), until - Clock::now()));
    }
  }

  const scenario::Scenario& s_;
  const RunOptions& o_;
  RunResult result_;
  std::string artifacts_dir_;
  std::string temp_dir_;
  std::optional<TargetProcess> target_;
  load::TargetAddress address_;
  std::unique_ptr<load::grpc_load::GrpcEngine> grpc_;  // set when the scenario's traffic is gRPC
  std::unique_ptr<probes::Sampler> sampler_;
  std::vector<reports::TimelinePoint> timeline_;
  std::string baseline_dump_;
  std::optional<probes::FdSnapshot> baseline_fds_;
  std::vector<probes::ResourceSample> baseline_samples_;
  std::map<std::string, double> noise_;  // per asserted resource, from the baseline samples
  std::optional<probes::HeapProfile> baseline_heap_;
  std::optional<probes::GroupedGoroutines> baseline_leak_profile_;
};

}  // namespace

RunResult Run(const scenario::Scenario& scenario, const RunOptions& options) {
  RunExecution run(scenario, options);
  return run.Execute();
}

}  // namespace leakgate::runner
