#include "reports/markdown_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "reports/report_text.h"

namespace leakgate::reports {

namespace {

constexpr size_t kLeakGroupsShown = 5;
constexpr size_t kOtherRowsShown = 5;
constexpr int kStackFramesShown = 24;

std::string_view VerdictIcon(Verdict v) {
  switch (v) {
    case Verdict::kPass: return "✅";
    case Verdict::kFail: return "❌";
    case Verdict::kError: return "⚠️";
    case Verdict::kInterrupted: return "⏹️";
  }
  return "⚠️";
}

// A fenced code block holding `text` literally: the fence is longer than any run of
// backticks inside it.
std::string CodeBlock(const std::string& text) {
  size_t longest = 0, run = 0;
  for (const char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(std::max<size_t>(3, longest + 1), '`');
  return fence + "\n" + text + (text.ends_with("\n") ? "" : "\n") + fence + "\n";
}

std::string StackText(const std::vector<std::string>& stack) {
  std::string out;
  int shown = 0;
  for (const auto& frame : stack) {
    if (shown++ == kStackFramesShown) return out + "...\n";
    out += SanitizeUtf8(frame) + "\n";
  }
  return out;
}

std::string AssertionsTable(const RunResult& r) {
  if (r.assertions.empty()) return "";
  std::string out = "| | assertion | baseline | final | limit |\n|:-:|---|--:|--:|--:|\n";
  for (const auto& a : r.assertions) {
    out += fmt::format("| {} | {} | {} | {} | {} |\n", a.passed ? "✅" : "❌", EscapeMarkdownCell(AssertionTitle(a)),
                       EscapeMarkdownCell(FormatAssertionValue(a, a.baseline, /*is_baseline=*/true)),
                       EscapeMarkdownCell(FormatAssertionValue(a, a.final)),
                       EscapeMarkdownCell(FormatAssertionValue(a, a.limit)));
  }
  return out + "\n";
}

std::string LeakGroups(const char* title, const std::vector<GoroutineLeak>& groups) {
  if (groups.empty()) return "";
  const size_t shown = std::min(groups.size(), kLeakGroupsShown);
  std::string out = fmt::format("### {}{}\n\n", title,
                                groups.size() > shown ? fmt::format(" (top {} of {})", shown, groups.size()) : "");
  out += "| count | function | state | created by | labels |\n|--:|---|---|---|---|\n";
  for (size_t i = 0; i < shown; ++i) {
    const auto& l = groups[i];
    out += fmt::format("| {} | {} | {} | {} | {} |\n", l.count, EscapeMarkdownCell(l.function),
                       EscapeMarkdownCell(l.state), EscapeMarkdownCell(l.created_by),
                       EscapeMarkdownCell(JoinLabels(l)));
  }
  out += "\n";
  for (size_t i = 0; i < shown; ++i) {
    const auto& l = groups[i];
    if (l.stack.empty()) continue;
    out += fmt::format("<details><summary>stack of {} × {}</summary>\n\n", l.count, EscapeMarkup(l.function));
    out += CodeBlock(StackText(l.stack));
    out += "\n</details>\n\n";
  }
  return out;
}

std::string OtherGrowth(const RunResult& r) {
  std::string out;
  if (!r.heap_growth.empty()) {
    out += "### Heap growth by allocation site\n\n| bytes | objects | function | location |\n|--:|--:|---|---|\n";
    for (size_t i = 0; i < r.heap_growth.size() && i < kOtherRowsShown; ++i) {
      const auto& h = r.heap_growth[i];
      out += fmt::format("| {} | {} | {} | {} |\n", FormatResourceValue("x_bytes", static_cast<double>(h.bytes)),
                         h.objects, EscapeMarkdownCell(h.function), EscapeMarkdownCell(h.location));
    }
    out += "\n";
  }
  auto fd_table = [&](const char* title, const std::vector<FdLeak>& fds) {
    if (fds.empty()) return;
    out += fmt::format("### {}\n\n| count | target |\n|--:|---|\n", title);
    for (size_t i = 0; i < fds.size() && i < kOtherRowsShown; ++i) {
      out += fmt::format("| {} | {} |\n", fds[i].count, EscapeMarkdownCell(fds[i].target));
    }
    out += "\n";
  };
  fd_table("File descriptors opened and not closed", r.fd_leaks);
  fd_table("File descriptors closed only by a forced GC", r.fds_closed_by_gc);
  return out;
}

std::string LoadTable(const RunResult& r) {
  if (r.phases.empty()) return "";
  std::string out =
      "### Load\n\n| phase | req/s | requests | ok | errors | cancelled | p50 ms | p99 ms | max ms |\n"
      "|---|--:|--:|--:|--:|--:|--:|--:|--:|\n";
  for (const auto& p : r.phases) {
    const std::string name = p.warmup ? p.name + " (warm-up)"
                             : r.cycles.size() > 1 ? fmt::format("{} #{}", p.name, p.cycle)
                                                   : p.name;
    out += fmt::format("| {} | {:.1f} | {} | {} | {} | {} | {:.2f} | {:.2f} | {:.2f} |\n", EscapeMarkdownCell(name),
                       p.achieved_rate, p.requests, p.ok, p.errors, p.cancelled, p.latency.p50_ms, p.latency.p99_ms,
                       p.latency.max_ms);
  }
  return out + "\n";
}

}  // namespace

std::string EscapeMarkdownCell(std::string_view text) {
  const std::string clean = SanitizeUtf8(text);
  std::string out;
  out.reserve(clean.size() + 8);
  for (const char c : clean) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '\n': case '\r': case '\t': out += ' '; break;
      case '\\': case '`': case '*': case '_': case '[': case ']': case '|': case '~':
        out += '\\';
        out += c;
        break;
      default: out += c;
    }
  }
  return out;
}

std::string RenderMarkdownSummary(const RunResult& r) {
  std::string out = fmt::format("## {} leakgate {}: {}\n\n", VerdictIcon(r.verdict), VerdictLabel(r.verdict),
                                EscapeMarkdownCell(r.scenario_name.empty() ? r.scenario_file : r.scenario_name));
  out += fmt::format("**{}**\n\nexit code {} · {:.1f} s · {}\n\n", EscapeMarkdownCell(r.message), r.exit_code,
                     r.duration_s, EscapeMarkdownCell(r.scenario_file));
  out += AssertionsTable(r);
  out += LeakGroups("Leaked goroutines", r.leaks);
  out += LeakGroups("Goroutines proven leaked by the runtime", r.proven_leaks);
  out += OtherGrowth(r);
  out += LoadTable(r);
  for (const auto& w : r.warnings) out += "> ⚠️ " + EscapeMarkdownCell(w) + "\n";
  if (!r.warnings.empty()) out += "\n";
  out += "Full report: `report.html` · machine-readable: `result.json` · samples: `samples.csv`\n";
  return out;
}

}  // namespace leakgate::reports
