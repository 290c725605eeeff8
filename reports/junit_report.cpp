#include "reports/junit_report.h"

#include <fmt/format.h>

#include <iterator>
#include <optional>

#include "reports/console_report.h"
#include "reports/report_text.h"

namespace leakgate::reports {

namespace {

constexpr size_t kGroupsInBody = 10;
constexpr size_t kTargetsInBody = 10;

struct Outcome {
  std::string element;  // "", "failure" or "error"
  std::string type;
  std::string message;
  std::string body;
};

std::string Values(const AssertionResult& a) {
  std::string out = a.kind == AssertionKind::kThreshold
                        ? fmt::format("{}: measured {}, limit {}", AssertionTitle(a), FormatAssertionValue(a, a.final),
                                      FormatAssertionValue(a, a.limit))
                        : fmt::format("{}: baseline {}, final {}, limit {}", AssertionTitle(a),
                                      FormatAssertionValue(a, a.baseline), FormatAssertionValue(a, a.final),
                                      FormatAssertionValue(a, a.limit));
  if (!a.detail.empty()) out += " (" + a.detail + ")";
  return out;
}

std::string GoleakText(const std::vector<GoroutineLeak>& groups, size_t max_groups) {
  std::string out = "found unexpected goroutines:\n";
  for (size_t i = 0; i < groups.size() && i < max_groups; ++i) out += "[" + DescribeGoroutineLeak(groups[i]) + "]\n";
  if (groups.size() > max_groups) out += fmt::format("... and {} more groups\n", groups.size() - max_groups);
  return out;
}

std::string FdText(const char* title, const std::vector<FdLeak>& fds) {
  std::string out = std::string(title) + ":\n";
  for (size_t i = 0; i < fds.size() && i < kTargetsInBody; ++i) {
    out += fmt::format("  {} × {}\n", fds[i].count, fds[i].target);
  }
  return out;
}

// What grew, for the resource an assertion is about ("" when the result names nothing).
std::string Evidence(const RunResult& r, const std::string& name, bool top_only) {
  const size_t groups = top_only ? 1 : kGroupsInBody;
  if (name == "goroutines" && !r.leaks.empty()) return GoleakText(r.leaks, groups);
  if (name == "proven_leaks" && !r.proven_leaks.empty()) return GoleakText(r.proven_leaks, groups);
  if ((name == "fds" || name == "sockets") && !r.fd_leaks.empty()) {
    return FdText("opened and not closed", r.fd_leaks);
  }
  if (name == "fds_closed_by_gc" && !r.fds_closed_by_gc.empty()) {
    return FdText("closed only by a forced GC", r.fds_closed_by_gc);
  }
  if ((name == "heap_inuse_bytes" || name == "heap_objects") && !r.heap_growth.empty()) {
    std::string out = "heap growth by allocation site:\n";
    for (size_t i = 0; i < r.heap_growth.size() && i < (top_only ? 3 : kTargetsInBody); ++i) {
      const auto& h = r.heap_growth[i];
      out += fmt::format("  +{} bytes, +{} objects  {} {}\n", h.bytes, h.objects, h.function, h.location);
    }
    return out;
  }
  return "";
}

Outcome OutcomeOf(const RunResult& r, const AssertionResult& a) {
  if (a.passed) return {};
  const std::string values = Values(a);
  const std::string top = Evidence(r, a.name, /*top_only=*/true);
  const std::string all = Evidence(r, a.name, /*top_only=*/false);
  return {"failure", a.kind == AssertionKind::kLeak ? "leak" : "threshold", values + (top.empty() ? "" : "\n" + top),
          values + "\n" + (all.empty() ? "" : "\n" + all)};
}

// The run-level test case, when one is needed (see junit_report.h); nullopt otherwise.
std::optional<Outcome> RunOutcome(const RunResult& r) {
  bool any_failed = false;
  for (const auto& a : r.assertions) any_failed |= !a.passed;
  switch (r.verdict) {
    case Verdict::kError:
      return Outcome{"error", r.exit_code == kExitInternal ? "internal" : "target_failed", r.message, r.message};
    case Verdict::kInterrupted: return Outcome{"failure", "interrupted", r.message, r.message};
    case Verdict::kFail:
      if (r.assertions.empty() || !any_failed) return Outcome{"failure", "fail", r.message, r.message};
      return std::nullopt;
    case Verdict::kPass:
      if (r.assertions.empty()) return Outcome{};
      return std::nullopt;
  }
  return std::nullopt;
}

std::string Testcase(const std::string& classname, const std::string& name, const Outcome& o) {
  std::string out = fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"0\"", EscapeMarkupAttribute(classname),
                                EscapeMarkupAttribute(name));
  if (o.element.empty()) return out + "/>\n";
  return out + fmt::format(">\n      <{0} message=\"{1}\" type=\"{2}\">{3}</{0}>\n    </testcase>\n", o.element,
                           EscapeMarkupAttribute(o.message), EscapeMarkupAttribute(o.type), EscapeMarkup(o.body));
}

}  // namespace

std::string RenderJunitXml(const RunResult& r) {
  const std::string suite = r.scenario_name.empty() ? "leakgate" : r.scenario_name;
  std::string cases;
  int tests = 0, failures = 0, errors = 0;
  auto add = [&](const std::string& name, const Outcome& o) {
    cases += Testcase(suite, name, o);
    ++tests;
    failures += o.element == "failure" ? 1 : 0;
    errors += o.element == "error" ? 1 : 0;
  };
  for (const auto& a : r.assertions) add(AssertionTitle(a), OutcomeOf(r, a));
  if (auto run = RunOutcome(r)) add("run", *run);

  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  auto it = std::back_inserter(out);
  fmt::format_to(it, "<testsuites name=\"leakgate\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3f}\">\n",
                 tests, failures, errors, r.duration_s);
  fmt::format_to(it,
                 "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\" time=\"{:.3f}\"{}>\n",
                 EscapeMarkupAttribute(suite), tests, failures, errors, r.duration_s,
                 r.started_at.empty() ? "" : fmt::format(" timestamp=\"{}\"", EscapeMarkupAttribute(r.started_at)));
  out += "    <properties>\n";
  auto property = [&](const char* name, const std::string& value) {
    fmt::format_to(it, "      <property name=\"{}\" value=\"{}\"/>\n", name, EscapeMarkupAttribute(value));
  };
  property("scenario_file", r.scenario_file);
  property("verdict", std::string(VerdictName(r.verdict)));
  property("exit_code", std::to_string(r.exit_code));
  property("message", r.message);
  out += "    </properties>\n";
  out += cases;
  fmt::format_to(it, "    <system-out>{}</system-out>\n", EscapeMarkup(FormatSummary(r)));
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace leakgate::reports
