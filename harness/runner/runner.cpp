#include "harness/runner/runner.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <thread>

#include "harness/load/load_engine.h"
#include "harness/runner/interrupt.h"
#include "harness/runner/target_process.h"
#include "probes/goroutine_attribution.h"
#include "probes/goroutine_dump.h"
#include "probes/http_fetch.h"
#include "probes/sampler.h"
#include "probes/settle.h"
#include "reports/json_report.h"

namespace leakgate::runner {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using reports::RunResult;

namespace {

constexpr auto kReadyPollInterval = std::chrono::milliseconds(50);
constexpr int kLogTailLines = 30;

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
  s.max_ms = ms(h.max_nanos());
  s.mean_ms = h.mean_nanos() / 1e6;
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
  return p;
}

// The goroutines of leakgate's own scrape, present in every dump.
std::vector<probes::IgnoreRule> DefaultIgnoreRules() {
  return {
      {probes::IgnoreRule::kAnyFunction, "runtime/pprof.writeGoroutineStacks"},
      {probes::IgnoreRule::kAnyFunction, "runtime/pprof.writeGoroutine"},
  };
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
      StartTarget();
      RunAll();
    } catch (const TargetFailure& f) {
      result_.verdict = "error";
      result_.exit_code = reports::kExitTargetFailed;
      result_.message = f.message;
    } catch (const Interrupted&) {
      result_.verdict = "interrupted";
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
      reports::WriteJsonReport((fs::path(o_.out_dir) / "result.json").string(), result_);
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
    probes::SamplerConfig config;
    config.pprof_url = probes::JoinUrl(s_.target.url, s_.probe.pprof);
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

  void RunPhase(const scenario::Phase& phase) {
    CheckTargetAlive(fmt::format("before phase {}", phase.name));
    Progress(fmt::format("phase {}: {:.1f}s at {} req/s", phase.name,
                         std::chrono::duration<double>(phase.duration).count(), phase.rate));
    sampler_->StartTimeline(s_.probe.interval, phase.name);
    static const std::atomic<bool> kNeverStop{false};
    auto load = load::RunPhase(phase, s_.traffic, address_, o_.stop ? *o_.stop : kNeverStop);
    sampler_->StopTimeline();
    result_.phases.push_back(ToPhaseResult(phase, load));
    const auto& p = result_.phases.back();
    Progress(fmt::format("phase {} done: {} requests, {} ok, {} errors, {} cancelled, {} dropped, p99 {:.2f}ms", p.name,
                         p.requests, p.ok, p.errors, p.cancelled, p.dropped, p.latency.p99_ms));
    CheckTargetAlive(fmt::format("during phase {}", phase.name));
    CheckStop();
  }

  // One sample with GC forced, recorded in the timeline. A target that cannot be sampled
  // (probe endpoint gone) is a target failure.
  probes::ResourceSample TakeSample(const std::string& label) {
    std::string error;
    auto sample = sampler_->Sample(s_.probe.force_gc, &error);
    timeline_.push_back({sampler_->SecondsSinceStart(), label, sample});
    if (!sample.contains(probes::kGoroutines)) {
      CheckTargetAlive("while sampling");
      throw TargetFailure{fmt::format("cannot sample the target's goroutines: {}", error)};
    }
    return sample;
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
    baseline_dump_ = FetchDump("baseline");
    baseline_fds_ = sampler_->Fds();
    Progress(fmt::format("baseline: {} goroutines{}", result_.baseline[probes::kGoroutines],
                         result_.baseline.contains(probes::kFds)
                             ? fmt::format(", {} fds", result_.baseline[probes::kFds])
                             : ""));
  }

  // Resources asserted as leaks, with their limits over the baseline.
  std::map<std::string, double> LeakLimits() {
    std::map<std::string, double> limits;
    const auto& a = s_.assertions;
    auto add = [&](const char* name, const std::optional<scenario::Tolerance>& tol) {
      if (!tol) return;
      if (!result_.baseline.contains(name)) {
        result_.warnings.push_back(fmt::format("assert.{}: not measurable for this target (skipped)", name));
        return;
      }
      limits[name] = tol->limit(result_.baseline[name]);
    };
    add(probes::kGoroutines, a.goroutines);
    add(probes::kFds, a.fds);
    return limits;
  }

  void Settle(const std::map<std::string, double>& limits) {
    const auto started = Clock::now();
    const auto deadline = started + s_.assertions.settle;
    Progress(fmt::format("settle: up to {:.1f}s for every asserted resource to return within tolerance",
                         std::chrono::duration<double>(s_.assertions.settle).count()));
    probes::SettleTracker tracker(limits, s_.probe.samples);
    while (true) {
      tracker.Add(TakeSample("settle"));
      if (tracker.Settled() || Clock::now() >= deadline || StopRequested()) break;
      Sleep(s_.probe.interval);
    }
    result_.settled = tracker.Settled();
    result_.settle_s = std::chrono::duration<double>(Clock::now() - started).count();
    result_.final = tracker.Final();
    Progress(fmt::format("settle: {} after {:.1f}s", result_.settled ? "back within tolerance" : "NOT back within tolerance",
                         result_.settle_s));
  }

  void Attribute() {
    const std::string final_dump = FetchDump("final");
    const auto baseline = probes::ParseGoroutinesDebug2(baseline_dump_);
    const auto final = probes::ParseGoroutinesDebug2(final_dump);
    for (const auto& g : probes::DiffGoroutineGroups(baseline, final, DefaultIgnoreRules())) {
      reports::GoroutineLeak leak;
      leak.count = g.count;
      leak.function = g.function;
      leak.created_by = g.created_by;
      leak.created_by_location = g.created_by_location;
      leak.state = g.state;
      for (const auto& f : g.representative.frames) leak.stack.push_back(fmt::format("{} {}:{}", f.function, f.file, f.line));
      result_.leaks.push_back(std::move(leak));
    }
    if (baseline_fds_) {
      if (auto final_fds = sampler_->Fds()) {
        for (const auto& g : probes::DiffFds(*baseline_fds_, *final_fds)) result_.fd_leaks.push_back({g.count, g.target});
      }
    }
  }

  void Judge(const std::map<std::string, double>& limits) {
    bool leak_failed = false;
    for (const auto& [name, limit] : limits) {
      reports::AssertionResult a;
      a.name = name;
      a.baseline = result_.baseline[name];
      a.final = result_.final.contains(name) ? result_.final[name] : a.baseline;
      a.limit = limit;
      a.passed = a.final <= limit;
      leak_failed |= !a.passed;
      result_.assertions.push_back(a);
    }
    // Leak attribution is reported only for the resources that failed.
    auto failed = [&](const char* name) {
      return std::any_of(result_.assertions.begin(), result_.assertions.end(),
                         [&](const auto& a) { return a.name == name && !a.passed; });
    };
    if (!failed(probes::kGoroutines)) result_.leaks.clear();
    if (!failed(probes::kFds)) result_.fd_leaks.clear();

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
      a.leak = false;
      a.final = requests > 0 ? static_cast<double>(errors) / static_cast<double>(requests) : 0;
      a.limit = *s_.assertions.max_error_rate;
      a.passed = a.final <= a.limit;
      a.detail = fmt::format("{} errors in {} requests", errors, requests);
      threshold_failed = !a.passed;
      result_.assertions.push_back(a);
    }

    if (leak_failed) {
      result_.verdict = "fail";
      result_.exit_code = reports::kExitLeak;
      std::vector<std::string> parts;
      for (const auto& a : result_.assertions) {
        if (!a.passed && a.leak) parts.push_back(fmt::format("{} {} → {} (limit {})", a.name, a.baseline, a.final, a.limit));
      }
      result_.message = fmt::format("leak: {}", fmt::join(parts, "; "));
      if (!result_.leaks.empty()) {
        const auto& top = result_.leaks.front();
        result_.message += fmt::format("; top: {} × {} [{}]", top.count, top.function, top.state);
      } else if (!result_.fd_leaks.empty()) {
        result_.message += fmt::format("; top: {} × fd {}", result_.fd_leaks.front().count, result_.fd_leaks.front().target);
      }
    } else if (threshold_failed) {
      result_.verdict = "fail";
      result_.exit_code = reports::kExitThreshold;
      result_.message = "threshold failed: error rate above assert.max_error_rate";
    } else {
      result_.verdict = "pass";
      result_.exit_code = reports::kExitPass;
      result_.message = "every asserted resource returned to baseline";
    }
  }

  void RunAll() {
    const bool has_warmup = std::any_of(s_.phases.begin(), s_.phases.end(), [](const auto& p) { return p.warmup; });
    size_t i = 0;
    if (has_warmup) {
      for (; i < s_.phases.size() && s_.phases[i].warmup; ++i) RunPhase(s_.phases[i]);
    }
    TakeBaseline();
    for (; i < s_.phases.size(); ++i) RunPhase(s_.phases[i]);
    const auto limits = LeakLimits();
    Settle(limits);
    CheckTargetAlive("while settling");
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
  std::unique_ptr<probes::Sampler> sampler_;
  std::vector<reports::TimelinePoint> timeline_;
  std::string baseline_dump_;
  std::optional<probes::FdSnapshot> baseline_fds_;
};

}  // namespace

RunResult Run(const scenario::Scenario& scenario, const RunOptions& options) {
  RunExecution run(scenario, options);
  return run.Execute();
}

}  // namespace leakgate::runner
