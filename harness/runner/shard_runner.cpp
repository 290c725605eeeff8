#include "harness/runner/shard_runner.h"

#include <fmt/format.h>

#include <charconv>
#include <ctime>
#include <memory>
#include <thread>

#include "harness/load/load_engine.h"
#include "harness/runner/phase_report.h"
#include "harness/scenario/duration.h"
#include "reports/json_report.h"

namespace leakgate::runner {

namespace {

constexpr auto kPoll = std::chrono::milliseconds(10);
constexpr auto kLateWarning = std::chrono::milliseconds(100);

std::string FormatUtc(WallClock::time_point t) {
  const std::time_t secs = WallClock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// "SECONDS[.fraction]" → nanoseconds since the epoch.
std::optional<std::chrono::nanoseconds> ParseSeconds(std::string_view text) {
  const auto dot = text.find('.');
  int64_t whole = 0;
  const auto int_part = text.substr(0, dot);
  const auto [end, ec] = std::from_chars(int_part.data(), int_part.data() + int_part.size(), whole);
  if (ec != std::errc() || end != int_part.data() + int_part.size() || int_part.empty()) return std::nullopt;
  int64_t frac_ns = 0;
  if (dot != std::string_view::npos) {
    const auto frac = text.substr(dot + 1);
    if (frac.empty() || frac.size() > 9) return std::nullopt;
    for (size_t i = 0; i < 9; ++i) {
      const char c = i < frac.size() ? frac[i] : '0';
      if (c < '0' || c > '9') return std::nullopt;
      frac_ns = frac_ns * 10 + (c - '0');
    }
  }
  return std::chrono::seconds(whole) + std::chrono::nanoseconds(frac_ns);
}

WallClock::time_point FromEpoch(std::chrono::nanoseconds since) {
  return WallClock::time_point(std::chrono::duration_cast<WallClock::duration>(since));
}

// Sleeps until `t` (wall clock), waking early on stop.
void SleepUntilWall(WallClock::time_point t, const std::atomic<bool>& stop) {
  while (WallClock::now() < t && !stop.load()) {
    std::this_thread::sleep_for(std::min<WallClock::duration>(kPoll, t - WallClock::now()));
  }
}

class ShardExecution {
 public:
  ShardExecution(const scenario::Scenario& s, const ShardRunOptions& o)
      : s_(scenario::ShardScenario(s, o.shard)), o_(o), steps_(scenario::PhaseSequence(s)) {
    if (!o_.target_url.empty()) s_.target.url = o_.target_url;
    result_.scenario_name = s.name;
    result_.scenario_file = s.file;
    result_.target.url = s_.target.url;
    result_.shard = reports::ShardInfo{o.shard.index, o.shard.count};
  }

  reports::RunResult Execute() {
    const auto started = std::chrono::steady_clock::now();
    result_.started_at = FormatUtc(WallClock::now());
    std::jthread watcher([this](std::stop_token token) { Watch(token); });
    Status status = Status::Ok();
    try {
      status = RunSteps();
    } catch (const std::exception& e) {
      status = Status::Internal(fmt::format("internal error: {}", e.what()));
    }
    watcher.request_stop();
    watcher.join();
    Finish(status);
    result_.duration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (!o_.out_dir.empty()) {
      try {
        reports::WriteJsonReport(o_.out_dir + "/result.json", result_);
      } catch (const std::exception& e) {
        result_.verdict = reports::Verdict::kError;
        result_.exit_code = reports::kExitInternal;
        result_.message = e.what();
      }
    }
    return std::move(result_);
  }

 private:
  void Progress(const std::string& line) const {
    if (o_.progress) o_.progress(fmt::format("shard {}: {}", o_.shard.str(), line));
  }

  // Raises stop_ on a run-wide stop or when the clock says so.
  void Watch(const std::stop_token& token) {
    while (!token.stop_requested() && !stop_.load()) {
      std::string why;
      if (o_.stop != nullptr && o_.stop->load()) {
        interrupted_ = true;
        stop_ = true;
      } else if (o_.clock->ShouldStop(why)) {
        told_to_stop_ = why;
        stop_ = true;
      }
      std::this_thread::sleep_for(kPoll);
    }
  }

  Status RunSteps() {
    try {
      engine_ = std::make_unique<load::LoadEngine>(s_);
    } catch (const std::exception& e) {
      return Status::InvalidArgument(e.what());
    }
    for (size_t k = 0; k < steps_.size(); ++k) {
      const auto& phase = s_.phases[steps_[k].phase];
      auto start = o_.clock->StartOf(k);
      if (!start.ok()) return start.status();
      SleepUntilWall(*start, stop_);
      if (stop_) return Status::Cancelled("stopped");
      const auto late = WallClock::now() - *start;
      if (late > kLateWarning) {
        result_.warnings.push_back(fmt::format("phase {} started {} ms late", phase.name,
                                               std::chrono::duration_cast<std::chrono::milliseconds>(late).count()));
      }
      Progress(fmt::format("phase {}: {:.1f}s at {:g} req/s", phase.name,
                           std::chrono::duration<double>(phase.duration).count(), phase.rate));
      const auto load = engine_->RunPhase(phase, stop_);
      auto p = ToPhaseResult(phase, load, *engine_, /*keep_histograms=*/true);
      p.cycle = steps_[k].cycle;
      Progress(fmt::format("phase {} done: {} requests, {} ok, {} errors", p.name, p.requests, p.ok, p.errors));
      result_.phases.push_back(p);
      if (stop_) return Status::Cancelled("stopped");
      if (auto reported = o_.clock->Report(k, p); !reported.ok()) return reported;
    }
    return Status::Ok();
  }

  void Finish(const Status& status) {
    int64_t requests = 0;
    for (const auto& p : result_.phases) requests += p.requests;
    const auto done = fmt::format("shard {}: {} phases, {} requests", o_.shard.str(), result_.phases.size(), requests);
    if (status.ok() || (!interrupted_ && !told_to_stop_.empty())) {
      result_.verdict = reports::Verdict::kPass;
      result_.exit_code = reports::kExitPass;
      result_.message = told_to_stop_.empty() ? done : fmt::format("{}; stopped: {}", done, told_to_stop_);
    } else if (interrupted_) {
      result_.verdict = reports::Verdict::kInterrupted;
      result_.exit_code = reports::kExitInterrupted;
      result_.message = fmt::format("{}; interrupted, the result is partial", done);
    } else {
      result_.verdict = reports::Verdict::kError;
      result_.exit_code = status.code() == StatusCode::kInvalidArgument ? reports::kExitBadInput
                          : status.code() == StatusCode::kInternal      ? reports::kExitInternal
                                                                         : reports::kExitTargetFailed;
      result_.message = fmt::format("{}; {}", done, status.message());
    }
  }

  scenario::Scenario s_;
  const ShardRunOptions& o_;
  const std::vector<scenario::PhaseStep> steps_;
  std::unique_ptr<load::LoadEngine> engine_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> interrupted_{false};
  std::string told_to_stop_;  // written by the watcher before it raises stop_
  reports::RunResult result_;
};

}  // namespace

FixedPhaseClock::FixedPhaseClock(const scenario::Scenario& s, WallClock::time_point start) {
  auto at = start;
  for (const auto& step : scenario::PhaseSequence(s)) {
    starts_.push_back(at);
    at += std::chrono::duration_cast<WallClock::duration>(s.phases[step.phase].duration);
  }
}

StatusOr<WallClock::time_point> FixedPhaseClock::StartOf(size_t step) {
  if (step >= starts_.size()) return Status::Internal(fmt::format("no step {}", step));
  return starts_[step];
}

StatusOr<WallClock::time_point> ParseStartAt(std::string_view text) {
  const auto bad = [&] {
    return Status::InvalidArgument(fmt::format(
        "--start-at \"{}\": expected a UTC time (2026-12-02T03:30:00Z), @UNIX_SECONDS or +DURATION (+5s)", text));
  };
  if (text.starts_with('+')) {
    const auto d = scenario::ParseDuration(text.substr(1));
    if (!d) return bad();
    return WallClock::now() + std::chrono::duration_cast<WallClock::duration>(*d);
  }
  if (text.starts_with('@')) {
    const auto since = ParseSeconds(text.substr(1));
    if (!since) return bad();
    return FromEpoch(*since);
  }
  if (!text.ends_with('Z') || text.size() < 20) return bad();
  const std::string head(text.substr(0, 19));
  std::tm tm{};
  const char* end = strptime(head.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (end == nullptr || *end != '\0') return bad();
  std::chrono::nanoseconds frac{0};
  const auto rest = text.substr(19, text.size() - 20);
  if (!rest.empty()) {
    const auto f = rest.starts_with('.') ? ParseSeconds(fmt::format("0{}", rest)) : std::nullopt;
    if (!f) return bad();
    frac = *f;
  }
  return FromEpoch(std::chrono::seconds(timegm(&tm)) + frac);
}

reports::RunResult RunShard(const scenario::Scenario& s, const ShardRunOptions& options) {
  ShardExecution run(s, options);
  return run.Execute();
}

}  // namespace leakgate::runner
