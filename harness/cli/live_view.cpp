#include "harness/cli/live_view.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "reports/report_text.h"

namespace leakgate::cli {

namespace {

using runner::LiveStatus;

constexpr int kMinWidth = 20;
constexpr int kBarCells = 20;

// The resources the view follows, with their labels, in display order.
constexpr std::pair<const char*, const char*> kShownResources[] = {
    {"goroutines", "goroutines"}, {"heap_inuse_bytes", "heap in-use"}, {"fds", "fds"}};

std::string Seconds(double s) { return fmt::format("{:.1f}s", std::max(0.0, s)); }

std::string CycleSuffix(const LiveStatus& st) {
  return st.cycles > 1 && st.cycle > 0 ? fmt::format(" (cycle {}/{})", st.cycle, st.cycles) : "";
}

// "[####......]  40%  3.0s left"; "draining" once the planned length is over.
std::string Progress(const LiveStatus& st, std::string_view left_word) {
  if (st.duration_s <= 0) return fmt::format("{} elapsed", Seconds(st.elapsed_s));
  const double fraction = std::clamp(st.elapsed_s / st.duration_s, 0.0, 1.0);
  const double left = st.duration_s - st.elapsed_s;
  return fmt::format("{} {:3.0f}%  {}", ProgressBar(fraction, kBarCells), fraction * 100,
                     left > 0 ? fmt::format("{}{} left", left_word, Seconds(left)) : std::string("finishing"));
}

std::string HeaderLine(const LiveStatus& st) {
  switch (st.stage) {
    case LiveStatus::Stage::kStarting:
      return fmt::format("starting: waiting for the target to be ready ({})", Seconds(st.elapsed_s));
    case LiveStatus::Stage::kBaseline:
      return fmt::format("baseline: sampling the target at rest  {}", Progress(st, ""));
    case LiveStatus::Stage::kSettle:
      return fmt::format("settle{}: waiting for the target to return to baseline  {}", CycleSuffix(st),
                         Progress(st, "up to "));
    case LiveStatus::Stage::kPhase:
      break;
  }
  return fmt::format("phase {}/{} {}{}{}  {}", st.phase_index, st.phase_count, st.phase, st.warmup ? " (warm-up)" : "",
                     CycleSuffix(st), Progress(st, ""));
}

std::string AskedLoad(const LiveStatus& st) {
  if (st.concurrency > 0) return fmt::format("{} users", st.concurrency);
  return fmt::format("{} req/s asked", reports::FormatNumber(st.rate));
}

std::string TrafficLine(const LiveStatus& st) {
  if (st.rate <= 0 && st.concurrency <= 0) return "  idle phase: no traffic";
  if (!st.last_second) return fmt::format("  {}; the first second is in progress", AskedLoad(st));
  const auto& s = *st.last_second;
  return fmt::format("  {} req/s  {} error{}  p99 {:.1f}ms  ({})  |  {} done, {} errors this phase", s.completed,
                     s.errors, s.errors == 1 ? "" : "s", static_cast<double>(s.p99_nanos) / 1e6, AskedLoad(st),
                     st.phase_completed, st.phase_errors);
}

std::string Signed(std::string_view resource, double delta) {
  const std::string magnitude = reports::FormatResourceValue(resource, std::abs(delta));
  return (delta < 0 ? "-" : "+") + magnitude;
}

// "goroutines 612 (baseline 11, +601, limit 16 EXCEEDED)".
std::string ResourceSegment(const LiveStatus& st, const char* resource, const char* label) {
  const double value = st.latest.at(resource);
  std::string out = fmt::format("{} {}", label, reports::FormatResourceValue(resource, value));
  const auto base = st.baseline.find(resource);
  if (base == st.baseline.end()) return out;
  out += fmt::format(" (baseline {}, {}", reports::FormatResourceValue(resource, base->second),
                     Signed(resource, value - base->second));
  if (const auto limit = st.limits.find(resource); limit != st.limits.end()) {
    out += fmt::format(", limit {}{}", reports::FormatResourceValue(resource, limit->second),
                       value > limit->second ? " EXCEEDED" : "");
  }
  return out + ")";
}

// Segments joined by two spaces into lines of at most `width` columns, each indented.
std::vector<std::string> Wrap(const std::vector<std::string>& segments, size_t width) {
  std::vector<std::string> lines;
  std::string line;
  for (const auto& seg : segments) {
    if (!line.empty() && line.size() + 2 + seg.size() > width) {
      lines.push_back(std::move(line));
      line.clear();
    }
    line += "  " + seg;
  }
  if (!line.empty()) lines.push_back(std::move(line));
  return lines;
}

}  // namespace

std::string ProgressBar(double fraction, int cells) {
  const double f = std::isnan(fraction) ? 0.0 : std::clamp(fraction, 0.0, 1.0);
  const int filled = static_cast<int>(std::lround(f * cells));
  return "[" + std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(cells - filled), '.') +
         "]";
}

std::vector<std::string> RenderLiveView(const LiveStatus& st, int width) {
  const auto w = static_cast<size_t>(std::max(width, kMinWidth));
  std::vector<std::string> lines{HeaderLine(st)};
  if (st.stage == LiveStatus::Stage::kPhase) lines.push_back(TrafficLine(st));
  std::vector<std::string> segments;
  for (const auto& [resource, label] : kShownResources) {
    if (st.latest.contains(resource)) segments.push_back(ResourceSegment(st, resource, label));
  }
  if (segments.empty() && st.stage != LiveStatus::Stage::kStarting) segments.push_back("waiting for the first sample");
  for (auto& l : Wrap(segments, w)) lines.push_back(std::move(l));
  for (auto& l : lines) {
    if (l.size() > w) l.resize(w);
  }
  return lines;
}

}  // namespace leakgate::cli
