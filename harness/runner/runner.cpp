#include "harness/runner/runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include "harness/load/load_engine.h"
#include "harness/runner/artifacts.h"
#include "harness/runner/dependency_session.h"
#include "harness/runner/interrupt.h"
#include "harness/runner/live_feed.h"
#include "harness/runner/phase_report.h"
#include "harness/runner/probe_session.h"
#include "harness/runner/readiness.h"
#include "harness/runner/target_session.h"
#include "harness/scenario/scenario_hosts.h"
#include "probes/sampler.h"
#include "probes/settle.h"
#include "probes/verdict.h"
#include "reports/json_report.h"
#include "reports/report_writer.h"

namespace leakgate::runner {

using Clock = std::chrono::steady_clock;
using reports::RunResult;

namespace {

// Ends Run() early with a verdict; thrown and caught inside RunExecution only.
struct EndRun {
  Status status;  // its code decides the exit code (ExitCodeOf)
};

// The verdict and exit code of a run ended early by `status`.
std::pair<reports::Verdict, int> Outcome(const Status& status) {
  switch (status.code()) {
    case StatusCode::kCancelled: return {reports::Verdict::kInterrupted, reports::kExitInterrupted};
    case StatusCode::kInvalidArgument:
    case StatusCode::kPermissionDenied: return {reports::Verdict::kError, reports::kExitBadInput};
    case StatusCode::kInternal: return {reports::Verdict::kError, reports::kExitInternal};
    default: return {reports::Verdict::kError, reports::kExitTargetFailed};
  }
}

constexpr auto kInterruptedStopGrace = std::chrono::seconds(1);
constexpr auto kLivePeriod = std::chrono::milliseconds(250);
constexpr const char* kFaultLog = "faults.jsonl";  // beside result.json

std::string UtcNowIso8601() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// One run: phases, settle and cycles, in order; the target's lifecycle around them. It
// decides nothing itself: the verdict comes from probes::Judge.
class RunExecution {
 public:
  RunExecution(const scenario::Scenario& s, const RunOptions& o, Artifacts& artifacts)
      : s_(s),
        o_(o),
        artifacts_(artifacts),
        target_(s.target, ReadinessUrl(s.target, s.probe), ReadinessTls(s.target, s.probe), o.allow),
        dependencies_(s) {}

  RunResult Execute() {
    const auto run_start = Clock::now();
    result_.scenario_name = s_.name;
    result_.scenario_file = s_.file;
    result_.started_at = UtcNowIso8601();
    result_.target.command = s_.target.command;
    result_.target.url = s_.target.url;
    if (o_.live) live_ = std::make_unique<LiveFeed>(o_.live, kLivePeriod);
    // Any failure ends as a verdict with a message and a written report; leakgate's own
    // bugs (an exception nobody expected) exit 70.
    try {
      // A host the address policy refuses: exit 2 before anything is sent or resolved.
      if (Status hosts = scenario::CheckScenarioHosts(s_, o_.allow); !hosts.ok()) throw EndRun{std::move(hosts)};
      // Bad protos or requests: exit 2 before anything starts (reflection needs the target).
      if (!o_.remote_load && !load::LoadEngine::NeedsRunningTarget(s_)) PrepareEngine(StatusCode::kInvalidArgument);
      StartTarget();
      RunAll();
    } catch (const EndRun& end) {
      EndWith(end.status);
    } catch (const std::bad_alloc&) {
      EndWith(Status::Internal("internal error: out of memory"));
    } catch (const std::exception& e) {
      EndWith(Status::Internal(fmt::format("internal error: {}", e.what())));
    } catch (...) {
      EndWith(Status::Internal("internal error: unknown exception"));
    }
    live_.reset();  // no live call after this point
    try {
      if (probes_) result_.timeline = probes_->Timeline();
    } catch (const std::exception& e) {
      result_.warnings.push_back(fmt::format("timeline lost: {}", e.what()));
    }
    const bool interrupted = StopRequested();
    if (target_.started()) result_.target.panic = target_.PanicText();
    const bool started = target_.started();
    result_.target.exit_status = target_.Stop(interrupted ? std::optional(kInterruptedStopGrace) : std::nullopt);
    if (started && s_.probe.gctrace) result_.gctrace = target_.GcTrace();  // the whole log, once it ended
    dependencies_.Stop();  // after the target: its last calls still reach a dependency
    SaveFaultLog();
    result_.duration_s = std::chrono::duration<double>(Clock::now() - run_start).count();
    result_.artifacts = artifacts_.listed();
    if (artifacts_.keep()) {
      if (auto written = reports::WriteReports(artifacts_.dir(), result_); !written.ok()) {
        result_.exit_code = reports::kExitInternal;
        result_.verdict = reports::Verdict::kError;
        result_.message = written.message();
      }
    }
    return std::move(result_);
  }

 private:
  void Progress(const std::string& line) const {
    if (o_.progress) o_.progress(line);
  }
  // A new stage for the live view (no-op without RunOptions::live).
  void BeginLive(LiveStatus::Stage stage, const std::string& name, std::chrono::nanoseconds duration, int cycle,
                 const scenario::Phase* phase = nullptr) {
    if (!live_) return;
    LiveStatus st;
    st.stage = stage;
    st.phase = name;
    st.phase_count = static_cast<int>(s_.phases.size());
    st.cycle = cycle;
    st.cycles = s_.assertions.cycles;
    st.duration_s = std::chrono::duration<double>(duration).count();
    LiveFeed::BackgroundSource background;
    if (phase != nullptr) {
      st.phase_index = static_cast<int>(phase - s_.phases.data()) + 1;
      st.warmup = phase->warmup;
      st.rate = phase->rate;
      st.concurrency = phase->concurrency;
      background = [this] { return probes_->LatestBackgroundSample(); };
    }
    live_->BeginStage(st, std::move(background));
  }
  bool StopRequested() const { return o_.stop != nullptr && o_.stop->load(); }
  void CheckStop() const {
    if (StopRequested()) throw EndRun{Status::Cancelled("interrupted")};
  }
  // A failure while a signal is pending (a probe read it cut short) ends the run as
  // interrupted, not as that failure.
  void Check(const Status& status) const {
    if (status.ok()) return;
    CheckStop();
    throw EndRun{status};
  }
  void CheckAlive(const std::string& when) { Check(target_.CheckAlive(when)); }

  void EndWith(const Status& status) {
    const auto [verdict, exit_code] = Outcome(status);
    result_.verdict = verdict;
    result_.exit_code = exit_code;
    result_.message = verdict == reports::Verdict::kInterrupted ? "interrupted; the result is partial" : status.message();
  }

  // Prepares the traffic; a failure is `code` (bad input before the target started, the
  // target's failure when reflection needed it).
  void PrepareEngine(StatusCode code) {
    try {
      engine_ = std::make_unique<load::LoadEngine>(s_);
    } catch (const std::exception& e) {
      throw EndRun{Status(code, e.what())};
    }
  }

  // What a second SIGINT writes: the result so far, marked interrupted.
  void PublishPartial() {
    if (!artifacts_.keep()) return;
    RunResult partial = result_;
    partial.verdict = reports::Verdict::kInterrupted;
    partial.exit_code = reports::kExitInterrupted;
    partial.message = "interrupted twice; stopped at once, the result is partial";
    partial.artifacts = artifacts_.listed();
    InterruptHandler::PublishPartialReport(artifacts_.PathOf("result.json"), reports::RenderJson(partial));
  }

  // The fault log beside the report (with --out); a failure to write it is a warning.
  void SaveFaultLog() {
    if (!dependencies_.active() || !artifacts_.keep()) return;
    if (const Status written = dependencies_.WriteFaultLog(artifacts_.PathOf(kFaultLog)); !written.ok()) {
      result_.warnings.push_back(fmt::format("fault log not written: {}", written.message()));
      return;
    }
    artifacts_.List(kFaultLog);
  }

  void StartTarget() {
    // The proxy first: the target may call ${dep.NAME} as soon as it starts.
    Check(dependencies_.Start());
    if (dependencies_.active()) Progress(fmt::format("chaos proxy: {} dependencies", s_.dependencies.size()));
    Check(target_.Start(artifacts_.PathOf("target.log"), s_.probe.gctrace));
    if (target_.started()) {
      result_.target.pid = *target_.pid();
      if (artifacts_.keep()) result_.target.log_path = "target.log";
      artifacts_.List("target.log");
      Progress(fmt::format("target started: pid {} ({})", *target_.pid(), s_.target.command.front()));
    }
    PublishPartial();
    Check(target_.WaitReady(o_.stop, o_.progress));
    if (!engine_ && !o_.remote_load) PrepareEngine(StatusCode::kUnavailable);
    probes_ = std::make_unique<ProbeSession>(s_, target_.pid(), artifacts_, o_.allow);
  }

  probes::ResourceSample TakeSample(const std::string& label) {
    auto sample = probes_->Sample(label);
    if (!sample.ok()) {
      CheckAlive("while sampling");
      Check(sample.status());
    }
    if (live_) live_->SetSample(*sample);
    return std::move(*sample);
  }

  void RunPhase(const scenario::Phase& phase, int cycle) {
    CheckAlive(fmt::format("before phase {}", phase.name));
    Progress(fmt::format("phase {}: {:.1f}s at {} req/s", phase.name,
                         std::chrono::duration<double>(phase.duration).count(), phase.rate));
    static const std::atomic<bool> kNeverStop{false};
    BeginLive(LiveStatus::Stage::kPhase, phase.name, phase.duration, cycle, &phase);
    Check(dependencies_.BeginPhase(phase, cycle));  // the phase's dependency faults on
    probes_->StartTimeline(phase.name);
    auto capture = phase.warmup || o_.remote_load
                       ? nullptr
                       : probes_->StartCapture(FileNamePart(phase.name) + (cycle > 1 ? fmt::format(".c{}", cycle) : ""),
                                               phase.duration, o_.stop);
    if (o_.remote_load) {
      auto remote = o_.remote_load(step_++, phase);
      auto faulted = dependencies_.EndPhase();
      probes_->StopTimeline();
      Check(remote.status());
      Check(faulted.status());
      result_.phases.push_back(std::move(*remote));
      result_.phases.back().dependencies = std::move(*faulted);
    } else {
      const auto load = engine_->RunPhase(phase, o_.stop ? *o_.stop : kNeverStop,
                                          live_ ? live_->SecondHook() : stats::SecondCallback{});
      auto faulted = dependencies_.EndPhase();
      probes_->StopTimeline();
      if (capture) probes_->SaveCaptures(*capture, result_.warnings);
      Check(faulted.status());
      result_.phases.push_back(ToPhaseResult(phase, load, *engine_));
      result_.phases.back().dependencies = std::move(*faulted);
    }
    result_.phases.back().cycle = cycle;
    const auto& p = result_.phases.back();
    Progress(fmt::format("phase {} done: {} requests, {} ok, {} errors, {} cancelled, {} dropped, p99 {:.2f}ms", p.name,
                         p.requests, p.ok, p.errors, p.cancelled, p.dropped, p.latency.p99_ms));
    for (const auto& line : DependencySession::ConsoleLines(p.name, p.dependencies)) Progress(line);
    PublishPartial();
    CheckAlive(fmt::format("during phase {}", phase.name));
    CheckStop();
  }

  void TakeBaseline() {
    Progress(fmt::format("baseline: {} samples every {}ms", s_.probe.samples,
                         std::chrono::duration_cast<std::chrono::milliseconds>(s_.probe.interval).count()));
    BeginLive(LiveStatus::Stage::kBaseline, "baseline", s_.probe.interval * (s_.probe.samples - 1), /*cycle=*/0);
    for (int i = 0; i < s_.probe.samples; ++i) {
      if (i > 0) Sleep(s_.probe.interval);
      baseline_samples_.push_back(TakeSample("baseline"));
    }
    result_.baseline = probes::MedianOf(baseline_samples_);
    if (auto captured = probes_->CaptureBaseline(evidence_, result_.warnings); !captured.ok()) {
      CheckAlive("while dumping goroutines");
      Check(captured);
    }
    result_.leak_profile_available = evidence_.baseline_leak_profile.has_value();
    if (MeasuresClosedByGc()) {
      evidence_.baseline_closed_by_gc = probes_->MeasureFdsClosedByGc(o_.stop, result_.warnings);
    }
    PublishPartial();
    const auto& b = result_.baseline;
    Progress(fmt::format("baseline: {} goroutines{}", b.contains(probes::kGoroutines) ? b.at(probes::kGoroutines) : -1,
                         b.contains(probes::kFds) ? fmt::format(", {} fds", b.at(probes::kFds)) : ""));
  }

  // Polls until every limited resource is back within its limit (or, with
  // `allow_plateau`, has stopped falling) or the settle budget is spent. Returns the
  // settled values of this cycle; the last cycle's are the run's final values.
  // Class 14: fds a forced GC closes are measured at baseline and at each settle.
  bool MeasuresClosedByGc() const {
    return s_.probe.force_gc && target_.pid().has_value() &&
           (s_.assertions.fds_closed_by_gc.has_value() || s_.assertions.resources.contains(probes::kFds));
  }

  // Before the settle's first (GC-forcing) sample: what a forced GC closes now.
  void MeasureClosedByGc(int cycle) {
    auto closed = probes_->MeasureFdsClosedByGc(o_.stop, result_.warnings);
    if (!closed) return;
    Progress(fmt::format("settle{}: a forced GC closed {} fds", cycle > 1 ? fmt::format(" (cycle {})", cycle) : "",
                         closed->count));
    auto& worst = evidence_.final_closed_by_gc;
    if (!worst || closed->count > worst->count) worst = std::move(closed);
  }

  reports::CycleResult Settle(int cycle, bool allow_plateau) {
    if (MeasuresClosedByGc()) MeasureClosedByGc(cycle);
    const auto started = Clock::now();
    const auto deadline = started + s_.assertions.settle;
    Progress(fmt::format("settle{}: up to {:.1f}s for every asserted resource to return within tolerance",
                         s_.assertions.cycles > 1 ? fmt::format(" (cycle {})", cycle) : "",
                         std::chrono::duration<double>(s_.assertions.settle).count()));
    BeginLive(LiveStatus::Stage::kSettle, "settle", s_.assertions.settle, cycle);
    probes::SettleTracker tracker(limits_.limits, s_.probe.samples);
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

  void Judge() {
    const probes::VerdictInput input{s_.assertions, result_.baseline, result_.final, limits_.limits, noise_,
                                     result_.cycles, result_.phases,  evidence_,
                                     s_.phases};
    auto v = probes::Judge(input);
    result_.verdict = v.verdict;
    result_.exit_code = v.exit_code;
    result_.message = std::move(v.message);
    result_.assertions = std::move(v.assertions);
    result_.leaks = std::move(v.leaks);
    result_.proven_leaks = std::move(v.proven_leaks);
    result_.heap_growth = std::move(v.heap_growth);
    result_.fd_leaks = std::move(v.fd_leaks);
    result_.fds_closed_by_gc = std::move(v.fds_closed_by_gc);
  }

  void RunAll() {
    // Warm-up phases lead (the loader guarantees they come first), then the baseline.
    size_t first_load = 0;
    for (; first_load < s_.phases.size() && s_.phases[first_load].warmup; ++first_load) {
      RunPhase(s_.phases[first_load], /*cycle=*/0);
    }
    TakeBaseline();
    limits_ = probes::ComputeLeakLimits(s_.assertions, result_.baseline);
    if (live_) live_->SetBaseline(result_.baseline, limits_.limits);
    for (auto& w : limits_.warnings) result_.warnings.push_back(std::move(w));
    for (const auto& [name, limit] : limits_.limits) noise_[name] = probes::NoiseOf(baseline_samples_, name);
    const int cycles = s_.assertions.cycles;
    for (int cycle = 1; cycle <= cycles; ++cycle) {
      for (size_t i = first_load; i < s_.phases.size(); ++i) RunPhase(s_.phases[i], cycle);
      result_.cycles.push_back(Settle(cycle, /*allow_plateau=*/cycle < cycles));
      PublishPartial();
      CheckAlive("while settling");
      CheckStop();
    }
    const auto& last_cycle = result_.cycles.back();
    result_.settled = last_cycle.settled;
    result_.final = last_cycle.values;
    for (const auto& c : result_.cycles) result_.settle_s += c.settle_s;
    if (auto captured = probes_->CaptureFinal(evidence_, result_.warnings); !captured.ok()) {
      CheckAlive("while dumping goroutines");
      Check(captured);
    }
    CheckStop();
    Judge();
  }

  void Sleep(std::chrono::nanoseconds d) const {
    const auto until = Clock::now() + d;
    while (Clock::now() < until && !StopRequested()) {
      std::this_thread::sleep_for(std::min<Clock::duration>(std::chrono::milliseconds(20), until - Clock::now()));
    }
  }

  const scenario::Scenario& s_;
  const RunOptions& o_;
  Artifacts& artifacts_;
  RunResult result_;
  TargetSession target_;
  DependencySession dependencies_;  // started before the target, stopped after it (Execute)
  std::unique_ptr<load::LoadEngine> engine_;  // unset with RunOptions::remote_load
  size_t step_ = 0;                           // steps run so far (RunOptions::remote_load)
  std::unique_ptr<ProbeSession> probes_;
  std::unique_ptr<LiveFeed> live_;  // set when RunOptions::live is
  std::vector<probes::ResourceSample> baseline_samples_;
  probes::LeakLimits limits_;
  std::map<std::string, double> noise_;  // per asserted resource, from the baseline samples
  probes::Evidence evidence_;
};

}  // namespace

RunResult Run(const scenario::Scenario& scenario, const RunOptions& options) {
  auto artifacts = Artifacts::Create(options.out_dir);
  if (!artifacts.ok()) throw RunError(artifacts.status());
  RunExecution run(scenario, options, *artifacts);
  return run.Execute();
}

}  // namespace leakgate::runner
