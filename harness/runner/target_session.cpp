#include "harness/runner/target_session.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <map>
#include <thread>

#include "harness/runner/interrupt.h"
#include "probes/gctrace.h"
#include "probes/http_fetch.h"

namespace leakgate::runner {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kReadyPollInterval = std::chrono::milliseconds(50);
constexpr int kLogTailLines = 30;
constexpr size_t kPanicLines = 200;
// The end of target.log read for its gctrace lines (~150 bytes each: a million GCs).
constexpr std::streamoff kGcTraceReadCap = 128 << 20;

// The GODEBUG a started target gets: target.env's value (else leakgate's own
// environment's), plus tracebacklabels=1 unless it sets that itself — goroutine dumps then
// carry pprof labels on every Go that has them (the default from Go 1.27; older runtimes
// ignore a setting they do not know) — plus gctrace=1 for probe.gctrace.
std::string GodebugFor(const std::map<std::string, std::string>& env, bool gctrace) {
  std::string value;
  if (const auto it = env.find("GODEBUG"); it != env.end()) {
    value = it->second;
  } else if (const char* inherited = std::getenv("GODEBUG")) {
    value = inherited;
  }
  auto add = [&value](std::string_view setting) {
    if (!value.empty()) value += ',';
    value += setting;
  };
  if (value.find("tracebacklabels=") == std::string::npos) add("tracebacklabels=1");
  if (gctrace) add("gctrace=1");
  return value;
}

}  // namespace

TargetSession::~TargetSession() { Stop(); }

Status TargetSession::Start(const std::string& log_path, bool gctrace) {
  if (target_.command.empty()) return Status::Ok();
  log_path_ = log_path;
  auto env = target_.env;
  env["GODEBUG"] = GodebugFor(target_.env, gctrace);
  try {
    process_.emplace(TargetProcess::Start(target_.command, env, log_path));
  } catch (const TargetStartError& e) {
    return Status::Unavailable(e.what());
  }
  InterruptHandler::SetTargetProcessGroup(process_->pid());
  return Status::Ok();
}

Status TargetSession::CheckAlive(const std::string& when) {
  if (!process_) return Status::Ok();
  const auto status = process_->ExitStatus();
  if (!status) return Status::Ok();
  std::string msg = fmt::format("target {} {}", *status, when);
  const auto tail = process_->LogTail(kLogTailLines);
  if (!tail.empty()) msg += "; last lines of its output:\n" + tail;
  return Status::Unavailable(msg);
}

Status TargetSession::WaitReady(const std::atomic<bool>* stop, const std::function<void(const std::string&)>& progress) {
  const auto started = Clock::now();
  const auto deadline = started + target_.ready_timeout;
  const std::string& url = ready_url_;
  std::string last_error;
  while (true) {
    if (stop != nullptr && stop->load()) return Status::Cancelled("interrupted while waiting for the target");
    if (auto alive = CheckAlive("before it was ready"); !alive.ok()) return alive;
    const auto left = deadline - Clock::now();
    if (left <= Clock::duration::zero()) break;
    auto r = probes::HttpGet(url, {.timeout = std::min<Clock::duration>(left, std::chrono::seconds(2)),
                                   .allow = allow_,
                                   .key = "target.ready",
                                   .tls = ready_tls_,
                                   .stop = stop});
    if (r.ok() && r->status == 200) {
      if (progress) {
        progress(fmt::format("target ready after {:.2f}s ({})",
                             std::chrono::duration<double>(Clock::now() - started).count(), url));
      }
      return Status::Ok();
    }
    last_error = r.ok() ? fmt::format("GET {}: HTTP {}", url, r->status) : r.status().message();
    std::this_thread::sleep_for(kReadyPollInterval);
  }
  return Status::Unavailable(fmt::format("target not ready within {:.1f}s: {}{}",
                                         std::chrono::duration<double>(target_.ready_timeout).count(), last_error,
                                         target_.ready ? "" : " (no target.ready given: waited for the probe endpoint)"));
}

std::string TargetSession::Stop(std::optional<std::chrono::nanoseconds> grace) {
  if (process_) {
    exit_status_ = process_->Stop(grace ? std::min(*grace, target_.stop_timeout) : target_.stop_timeout);
    process_.reset();
    InterruptHandler::SetTargetProcessGroup(0);
  }
  return exit_status_;
}

std::string TargetSession::PanicText() const {
  if (log_path_.empty()) return "";
  std::ifstream in(log_path_, std::ios::binary);
  std::deque<std::string> tail;  // from the last panic/fatal line on
  bool in_panic = false;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("panic: ") || line.starts_with("fatal error: ")) {
      tail.clear();
      in_panic = true;
    }
    if (!in_panic) continue;
    if (tail.size() < kPanicLines) tail.push_back(std::move(line));
  }
  std::string out;
  for (const auto& l : tail) out += l + "\n";
  return out;
}

std::vector<reports::GcTracePoint> TargetSession::GcTrace() const {
  std::vector<reports::GcTracePoint> out;
  if (log_path_.empty()) return out;
  std::ifstream in(log_path_, std::ios::binary | std::ios::ate);
  if (!in) return out;
  const std::streamoff size = in.tellg();
  const std::streamoff from = std::max<std::streamoff>(0, size - kGcTraceReadCap);
  in.seekg(from);
  std::string text(static_cast<size_t>(size - from), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (from > 0) text.erase(0, std::min(text.size(), text.find('\n') + 1));  // a cut first line
  for (const auto& c : probes::ParseGcTrace(text).cycles) {
    reports::GcTracePoint p;
    p.gc = static_cast<int64_t>(c.number);
    p.t_s = c.seconds;
    p.cpu_percent = c.cpu_percent;
    p.heap_before_mb = static_cast<double>(c.heap_start_mb);
    p.heap_after_mb = static_cast<double>(c.heap_end_mb);
    p.heap_live_mb = static_cast<double>(c.heap_live_mb);
    p.goal_mb = static_cast<double>(c.goal_mb);
    p.pause_ms = c.pause_ms();
    p.forced = c.forced;
    out.push_back(p);
  }
  return out;
}

}  // namespace leakgate::runner
