#include "probes/gctrace.h"

#include <charconv>
#include <cstring>
#include <limits>
#include <system_error>
#include <utility>

#include "probes/text_scan.h"

namespace leakgate::probes {
namespace {

using text::IsDigit;
using text::Trim;

// Reads a gctrace line left to right; every step fails (returns false) without moving
// when the text does not match.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}

  bool Literal(std::string_view lit) {
    if (!s_.starts_with(lit)) return false;
    s_.remove_prefix(lit.size());
    return true;
  }

  template <typename T>
  bool Integer(T& out) {
    const size_t n = text::ParseLeadingNumber(s_, out);
    s_.remove_prefix(n);
    return n > 0;
  }

  // "0.011", "11", "0": unsigned decimal, optional fraction.
  bool Decimal(double& out) {
    if (s_.empty() || !IsDigit(s_.front())) return false;
    const auto [end, ec] = std::from_chars(s_.data(), s_.data() + s_.size(), out, std::chars_format::fixed);
    if (ec != std::errc{}) return false;
    s_.remove_prefix(static_cast<size_t>(end - s_.data()));
    return true;
  }

  // " (words)" when it comes next: its words into `out`.
  bool Parenthesized(std::string_view& out) {
    if (!s_.starts_with(" (")) return false;
    const size_t close = s_.find(')');
    if (close == std::string_view::npos) return false;
    out = s_.substr(2, close - 2);
    s_.remove_prefix(close + 1);
    return true;
  }

  bool AtEnd() const { return s_.empty(); }

 private:
  std::string_view s_;
};

// "A+B+C ms clock, "
bool ClockPhases(Cursor& c, GcCycle& g) {
  return c.Decimal(g.clock_sweep_termination_ms) && c.Literal("+") && c.Decimal(g.clock_mark_ms) && c.Literal("+") &&
         c.Decimal(g.clock_mark_termination_ms) && c.Literal(" ms clock, ");
}

// "A+B/C/D+E ms cpu, "
bool CpuPhases(Cursor& c, GcCycle& g) {
  return c.Decimal(g.cpu_sweep_termination_ms) && c.Literal("+") && c.Decimal(g.cpu_mark_assist_ms) &&
         c.Literal("/") && c.Decimal(g.cpu_mark_background_ms) && c.Literal("/") && c.Decimal(g.cpu_mark_idle_ms) &&
         c.Literal("+") && c.Decimal(g.cpu_mark_termination_ms) && c.Literal(" ms cpu, ");
}

// "4->5->2 MB, 5 MB goal, [0 MB stacks, 0 MB globals, ]2 P"
bool Sizes(Cursor& c, GcCycle& g) {
  if (!(c.Integer(g.heap_start_mb) && c.Literal("->") && c.Integer(g.heap_end_mb) && c.Literal("->") &&
        c.Integer(g.heap_live_mb) && c.Literal(" MB, ") && c.Integer(g.goal_mb) && c.Literal(" MB goal, "))) {
    return false;
  }
  int64_t n = 0;
  if (!c.Integer(n)) return false;
  if (c.Literal(" MB stacks, ")) {  // Go 1.18+
    g.stacks_mb = n;
    int64_t globals = 0;
    if (!(c.Integer(globals) && c.Literal(" MB globals, ") && c.Integer(n))) return false;
    g.globals_mb = globals;
  }
  if (n < 0 || n > std::numeric_limits<int>::max() || !c.Literal(" P")) return false;
  g.procs = static_cast<int>(n);
  return true;
}

bool IsGcLineStart(std::string_view line) { return line.size() > 3 && line.starts_with("gc ") && IsDigit(line[3]); }

}  // namespace

std::optional<GcCycle> ParseGcTraceLine(std::string_view line) {
  Cursor c(Trim(line));
  GcCycle g;
  if (!(c.Literal("gc ") && c.Integer(g.number) && c.Literal(" @") && c.Decimal(g.seconds) && c.Literal("s ") &&
        c.Integer(g.cpu_percent) && c.Literal("%"))) {
    return std::nullopt;
  }
  // Parenthesized notes before the ":" (Go 1.26+: "(checking for goroutine leaks)").
  for (std::string_view note; c.Parenthesized(note);) {
    if (note == "checking for goroutine leaks") g.leak_check = true;
  }
  if (!(c.Literal(": ") && ClockPhases(c, g) && CpuPhases(c, g) && Sizes(c, g))) return std::nullopt;
  // Notes at the end: "(forced)", and whatever a later Go may add.
  for (std::string_view note; c.Parenthesized(note);) {
    if (note == "forced") g.forced = true;
  }
  if (!c.AtEnd()) return std::nullopt;
  return g;
}

void GcTraceStream::Line(std::string_view line) {
  const std::string_view t = Trim(line);
  if (t == "GC forced") {  // runtime.forcegchelper: the next cycle is the periodic one
    periodic_ = true;
    ++trace_.other_lines;
    return;
  }
  if (!IsGcLineStart(t)) {
    ++trace_.other_lines;
    return;
  }
  std::optional<GcCycle> cycle = ParseGcTraceLine(t);
  if (!cycle) {
    ++trace_.malformed_lines;
    return;
  }
  cycle->periodic = std::exchange(periodic_, false);
  trace_.cycles.push_back(*cycle);
}

void GcTraceStream::Feed(std::string_view chunk) {
  while (!chunk.empty()) {
    const void* nl = std::memchr(chunk.data(), '\n', chunk.size());
    const size_t len = nl == nullptr ? chunk.size() : static_cast<size_t>(static_cast<const char*>(nl) - chunk.data());
    const std::string_view piece = chunk.substr(0, len);
    if (!overlong_ && partial_.size() + piece.size() > kMaxLineBytes) {
      overlong_ = true;  // dropped up to its "\n", then counted as an other line
      partial_.clear();
    }
    if (overlong_) {
      if (nl != nullptr) ++trace_.other_lines;
    } else if (nl != nullptr && partial_.empty()) {
      Line(piece);  // the common case: a whole line inside the chunk, no copy
    } else {
      partial_.append(piece);
      if (nl != nullptr) {
        Line(partial_);
        partial_.clear();
      }
    }
    if (nl == nullptr) break;
    overlong_ = false;
    chunk.remove_prefix(len + 1);
  }
  trace_.truncated = !partial_.empty() || overlong_;
}

std::vector<GcCycle> GcTraceStream::TakeCycles() { return std::exchange(trace_.cycles, {}); }

GcTrace ParseGcTrace(std::string_view text) {
  GcTraceStream stream;
  stream.Feed(text);
  return stream.trace();
}

}  // namespace leakgate::probes
