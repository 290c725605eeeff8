// The table sections of report.html (see reports/html_sections.h).
#include <fmt/format.h>

#include <iterator>

#include "reports/html_sections.h"
#include "reports/report_text.h"

namespace leakgate::reports::html {

namespace {

std::string Cell(std::string_view text, const char* cls = "") {
  return *cls ? fmt::format("<td class=\"{}\">{}</td>", cls, EscapeMarkup(text))
              : fmt::format("<td>{}</td>", EscapeMarkup(text));
}
std::string Num(double v) { return Cell(FormatNumber(v), "num"); }
std::string Ms(double v) { return Cell(fmt::format("{:.2f}", v), "num"); }

// A header row; a column named "#name" holds numbers and is right-aligned like them.
std::string Head(std::initializer_list<std::string_view> columns) {
  std::string out = "<thead><tr>";
  for (const auto c : columns) {
    out += c.starts_with('#') ? fmt::format("<th class=\"num\">{}</th>", c.substr(1)) : fmt::format("<th>{}</th>", c);
  }
  return out + "</tr></thead>\n";
}

// "kind n, kind n" of a counter map.
std::string Counts(const std::map<std::string, int64_t>& counts) {
  std::string out;
  for (const auto& [name, n] : counts) out += (out.empty() ? "" : ", ") + name + " " + std::to_string(n);
  return out;
}

std::string StackCell(const std::vector<std::string>& stack) {
  if (stack.empty()) return "<td></td>";
  std::string frames;
  for (const auto& f : stack) frames += EscapeMarkup(f) + "\n";
  return fmt::format("<td><details><summary>{} frame{}</summary><pre>{}</pre></details></td>", stack.size(),
                     stack.size() == 1 ? "" : "s", frames);
}

std::string Section(const char* id, const char* title, const std::string& body) {
  return fmt::format("<section id=\"{}\"><h2>{}</h2>\n{}</section>\n", id, title, body);
}

std::string GroupTable(const char* cls, const std::vector<GoroutineLeak>& groups) {
  std::string out = fmt::format("<table class=\"{}\">", cls) +
                    Head({"#count", "evidence", "state", "function", "created by", "labels", "stack"}) + "<tbody>\n";
  for (const auto& l : groups) {
    std::string created = EscapeMarkup(l.created_by);
    if (!l.created_by_location.empty()) created += "<br><span class=\"loc\">" + EscapeMarkup(l.created_by_location) + "</span>";
    std::string labels;
    for (const auto& [k, v] : l.labels) labels += fmt::format("<span class=\"label\">{}={}</span> ", EscapeMarkup(k), EscapeMarkup(v));
    out += "<tr class=\"leak-row\">" + Num(static_cast<double>(l.count)) + Cell(LeakEvidenceName(l.evidence)) +
           Cell(l.state) + Cell(l.function, "fn") + "<td>" + created + "</td><td>" + labels + "</td>" +
           StackCell(l.stack) + "</tr>\n";
  }
  return out + "</tbody></table>\n";
}

std::string FdTable(const std::vector<FdLeak>& fds) {
  std::string out = "<table>" + Head({"#count", "target"}) + "<tbody>\n";
  for (const auto& f : fds) out += "<tr>" + Num(static_cast<double>(f.count)) + Cell(f.target, "fn") + "</tr>\n";
  return out + "</tbody></table>\n";
}

std::string TrafficTable(const RunResult& r) {
  std::string rows;
  for (const auto& p : r.phases) {
    for (const auto& t : p.by_traffic) {
      rows += "<tr>" + Cell(p.name) + Cell(t.name, "fn") + Cell(t.protocol) + Num(static_cast<double>(t.requests)) +
              Num(static_cast<double>(t.ok)) + Num(static_cast<double>(t.errors)) +
              Num(static_cast<double>(t.cancelled)) + Ms(t.latency.p50_ms) + Ms(t.latency.p99_ms) +
              Ms(t.latency.max_ms) + "</tr>\n";
    }
  }
  if (rows.empty()) return "";
  return "<h3>Per traffic entry</h3><table>" +
         Head({"phase", "traffic", "protocol", "#requests", "#ok", "#errors", "#cancelled", "#p50 ms", "#p99 ms", "#max ms"}) +
         "<tbody>\n" + rows + "</tbody></table>\n";
}

std::string DependencyTable(const RunResult& r) {
  std::string rows;
  for (const auto& p : r.phases) {
    for (const auto& d : p.dependencies) {
      std::string faults;
      for (const auto& [kind, counters] : d.faults) {
        faults += fmt::format("<span class=\"label\">{}: {}</span> ", EscapeMarkup(kind), EscapeMarkup(Counts(counters)));
      }
      rows += "<tr>" + Cell(p.name) + Cell(d.name, "fn") + Num(static_cast<double>(d.connections)) +
              Num(static_cast<double>(d.bytes_upstream)) + Num(static_cast<double>(d.bytes_downstream)) +
              Num(static_cast<double>(d.requests)) + "<td>" + faults + "</td></tr>\n";
    }
  }
  if (rows.empty()) return "";
  return "<h3>Dependencies (chaos proxy)</h3><table class=\"dependencies\">" +
         Head({"phase", "dependency", "#connections", "#bytes to it", "#bytes from it", "#requests", "faults applied"}) +
         "<tbody>\n" + rows + "</tbody></table>\n";
}

}  // namespace

std::string AssertionsSection(const RunResult& r) {
  if (r.assertions.empty()) {
    return Section("assertions", "Assertions",
                   "<p class=\"no-data\">No assertion was evaluated (the run ended before its verdict).</p>\n");
  }
  std::string out = "<table class=\"assertions\">" +
                    Head({"", "assertion", "kind", "#baseline", "#final", "#limit", "detail"}) + "<tbody>\n";
  for (const auto& a : r.assertions) {
    std::string detail = a.detail;
    if (a.slope_per_cycle && a.detail.empty()) {
      detail = fmt::format("{:+.4g} per cycle (standard error {:.3g})", *a.slope_per_cycle, a.slope_standard_error.value_or(0));
    }
    out += fmt::format("<tr class=\"{}\"><td><span class=\"badge {}\">{}</span></td>", a.passed ? "pass" : "fail",
                       a.passed ? "pass" : "fail", a.passed ? "pass" : "FAIL") +
           Cell(AssertionTitle(a), "fn") + Cell(a.kind == AssertionKind::kLeak ? "leak" : "threshold") +
           Cell(FormatAssertionValue(a, a.baseline, /*is_baseline=*/true), "num") +
           Cell(FormatAssertionValue(a, a.final), "num") + Cell(FormatAssertionValue(a, a.limit), "num") + Cell(detail) +
           "</tr>\n";
  }
  out += "</tbody></table>\n";
  out += r.settled ? fmt::format("<p class=\"note\">Settled after {:.1f} s.</p>\n", r.settle_s)
                   : fmt::format("<p class=\"note\">Not settled within {:.1f} s.</p>\n", r.settle_s);
  return Section("assertions", "Assertions", out);
}

std::string PhasesSection(const RunResult& r) {
  if (r.phases.empty()) return Section("phases", "Phases", "<p class=\"no-data\">No phase ran.</p>\n");
  std::string out = "<table class=\"phases\">" +
                    Head({"phase", "cycle", "#duration s", "#rate asked", "#rate achieved", "#requests", "#ok", "#errors",
                          "#cancelled", "#dropped", "#late", "#p50 ms", "#p99 ms", "#p99.9 ms", "#max ms",
                          "#p99 uncorr. ms", "notes"}) +
                    "<tbody>\n";
  for (const auto& p : r.phases) {
    std::string notes;
    if (!p.errors_by_kind.empty()) notes += "errors: " + Counts(p.errors_by_kind) + "; ";
    if (!p.faulted.empty()) notes += "faults: " + Counts(p.faulted) + "; ";
    if (!p.grpc_status.empty()) notes += "gRPC: " + Counts(p.grpc_status) + "; ";
    out += fmt::format("<tr class=\"{}\">", p.warmup ? "warmup" : "load") + Cell(p.name, "fn") +
           Cell(p.warmup ? "warm-up" : std::to_string(p.cycle), "nowrap") + Cell(fmt::format("{:.1f}", p.duration_s), "num") +
           Cell(fmt::format("{:.1f}", p.target_rate), "num") + Cell(fmt::format("{:.1f}", p.achieved_rate), "num") +
           Num(static_cast<double>(p.requests)) + Num(static_cast<double>(p.ok)) + Num(static_cast<double>(p.errors)) +
           Num(static_cast<double>(p.cancelled)) + Num(static_cast<double>(p.dropped)) +
           Num(static_cast<double>(p.late)) + Ms(p.latency.p50_ms) + Ms(p.latency.p99_ms) + Ms(p.latency.p999_ms) +
           Ms(p.latency.max_ms) + Ms(p.latency_uncorrected.p99_ms) + Cell(notes, "notes") + "</tr>\n";
  }
  out += "</tbody></table>\n";
  return Section("phases", "Phases", out + TrafficTable(r) + DependencyTable(r));
}

std::string LeaksSection(const RunResult& r) {
  std::string out;
  if (r.leaks.empty()) {
    out += "<p class=\"no-data\">No goroutine group grew from the baseline dump to the final dump"
           " (or the goroutine assertion held).</p>\n";
  } else {
    out += GroupTable("leaks", r.leaks);
  }
  if (!r.proven_leaks.empty()) {
    out += "<h3>Proven by the runtime (goroutineleak profile)</h3>\n" + GroupTable("proven-leaks", r.proven_leaks);
  } else if (r.leak_profile_available) {
    out += "<p class=\"note\">The goroutineleak profile proved no goroutine leaked beyond the baseline.</p>\n";
  }
  return Section("leaks", "Leaked goroutines", out);
}

std::string HeapSection(const RunResult& r) {
  if (r.heap_growth.empty()) return "";
  std::string out = "<table class=\"heap\">" + Head({"#bytes", "#objects", "function", "location", "stack"}) + "<tbody>\n";
  for (const auto& h : r.heap_growth) {
    out += "<tr>" + Cell(FormatResourceValue("x_bytes", static_cast<double>(h.bytes)), "num") +
           Num(static_cast<double>(h.objects)) + Cell(h.function, "fn") + Cell(h.location, "loc") +
           StackCell(h.stack) + "</tr>\n";
  }
  return Section("heap", "Heap growth by allocation site (in use, baseline → final)", out + "</tbody></table>\n");
}

std::string FdSection(const RunResult& r) {
  if (r.fd_leaks.empty() && r.fds_closed_by_gc.empty()) return "";
  std::string out;
  if (!r.fd_leaks.empty()) out += "<h3>Opened and not closed</h3>\n" + FdTable(r.fd_leaks);
  if (!r.fds_closed_by_gc.empty()) {
    out += "<h3>Closed only by a forced GC (finalizers)</h3>\n" + FdTable(r.fds_closed_by_gc);
  }
  return Section("fds", "File descriptors", out);
}

std::string CyclesSection(const RunResult& r) {
  if (r.cycles.size() < 2) return "";
  std::vector<std::string> names;
  for (const auto& a : r.assertions) {
    if (a.kind == AssertionKind::kLeak && a.slope_per_cycle) names.push_back(a.name);
  }
  std::string out = "<table class=\"cycles\"><thead><tr><th class=\"num\">cycle</th><th>settled</th><th class=\"num\">settle s</th>";
  for (const auto& n : names) out += "<th class=\"num\">" + EscapeMarkup(n) + "</th>";
  out += "</tr></thead><tbody>\n";
  for (const auto& c : r.cycles) {
    out += "<tr>" + Num(c.cycle) + Cell(c.settled ? "yes" : c.plateaued ? "stopped falling" : "no") +
           Cell(fmt::format("{:.1f}", c.settle_s), "num");
    for (const auto& n : names) {
      const auto v = c.values.find(n);
      out += v == c.values.end() ? "<td></td>" : Cell(FormatResourceValue(n, v->second), "num");
    }
    out += "</tr>\n";
  }
  return Section("cycles", "Settled values per cycle", out + "</tbody></table>\n");
}

}  // namespace leakgate::reports::html
