#include "harness/runner/profile_capture.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace leakgate::runner {

namespace {

using Clock = std::chrono::steady_clock;

// Whole seconds, as net/http/pprof takes them (at least 1).
int64_t SecondsOf(std::chrono::nanoseconds d) {
  return std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(d).count());
}

}  // namespace

std::string FileNamePart(const std::string& name) {
  std::string out = name;
  for (char& c : out) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) c = '_';
  }
  return out;
}

PhaseCapture::PhaseCapture(const probes::Sampler& sampler, const scenario::Probe::Capture& capture,
                           const std::string& label, std::chrono::nanoseconds phase_duration,
                           const std::atomic<bool>* stop)
    : sampler_(sampler), stop_(stop) {
  const int64_t phase_s = std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(phase_duration).count());
  auto ask = [&](std::chrono::nanoseconds asked, const char* endpoint, std::string file) {
    if (asked <= std::chrono::nanoseconds::zero()) return;
    // Whole seconds, no longer than the phase, centred on its midpoint.
    const int64_t seconds = std::min(SecondsOf(asked), phase_s);
    const std::chrono::nanoseconds length = std::chrono::seconds(seconds);
    const auto delay = std::max<std::chrono::nanoseconds>(std::chrono::nanoseconds::zero(), (phase_duration - length) / 2);
    slots_.push_back({fmt::format("{}?seconds={}", endpoint, seconds), length, delay,
                      {std::move(file), Status::Cancelled("not recorded")}});
  };
  ask(capture.trace, "trace", fmt::format("trace.{}.out", label));
  ask(capture.cpu, "profile", fmt::format("cpu.{}.pb.gz", label));
  for (auto& slot : slots_) threads_.emplace_back([this, &slot] { Record(slot); });
}

void PhaseCapture::Record(Slot& slot) {
  const auto start = Clock::now() + slot.delay;
  while (Clock::now() < start) {
    if (stop_ != nullptr && stop_->load()) return;
    std::this_thread::sleep_for(std::min<Clock::duration>(std::chrono::milliseconds(20), start - Clock::now()));
  }
  if (stop_ != nullptr && stop_->load()) return;
  slot.recording.body = sampler_.PprofRecording(slot.endpoint, slot.length);
  slot.taken = true;
}

std::vector<PhaseCapture::Recording> PhaseCapture::Finish() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  std::vector<Recording> out;
  for (auto& slot : slots_) {
    if (slot.taken) out.push_back(std::move(slot.recording));
  }
  return out;
}

}  // namespace leakgate::runner
