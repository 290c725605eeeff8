#include "reports/console_report.h"

#include <fmt/format.h>

#include <iterator>

#include "reports/report_text.h"

namespace leakgate::reports {

std::string FormatSummary(const RunResult& r, int max_stack_frames) {
  std::string out;
  auto it = std::back_inserter(out);
  fmt::format_to(it, "\nleakgate: {} ({})\n", r.scenario_name, r.scenario_file);

  if (!r.phases.empty()) {
    fmt::format_to(it, "\n  {:<12} {:>8} {:>9} {:>8} {:>7} {:>9} {:>7} {:>9} {:>9} {:>9}\n", "phase", "rate",
                   "requests", "ok", "errors", "cancelled", "dropped", "p50", "p99", "max");
    for (const auto& p : r.phases) {
      fmt::format_to(it, "  {:<12} {:>8.1f} {:>9} {:>8} {:>7} {:>9} {:>7} {:>7.2f}ms {:>7.2f}ms {:>7.2f}ms\n", p.name,
                     p.achieved_rate, p.requests, p.ok, p.errors, p.cancelled, p.dropped, p.latency.p50_ms,
                     p.latency.p99_ms, p.latency.max_ms);
      for (const auto& [kind, n] : p.errors_by_kind) fmt::format_to(it, "  {:<12}   {} {} errors\n", "", n, kind);
      for (const auto& [fault, n] : p.faulted) fmt::format_to(it, "  {:<12}   {} requests with fault {}\n", "", n, fault);
      if (p.late > 0) fmt::format_to(it, "  {:<12}   {} sent ≥ 1 ms after their intended time\n", "", p.late);
      if (p.tls_handshakes + p.tls_handshake_failures > 0) {
        fmt::format_to(it, "  {:<12}   {} TLS handshakes ({} resumed, {} failed), p50 {:.2f}ms p99 {:.2f}ms\n", "",
                       p.tls_handshakes, p.tls_resumed, p.tls_handshake_failures, p.tls_handshake_time.p50_ms,
                       p.tls_handshake_time.p99_ms);
      }
      if (p.by_traffic.size() > 1) {
        for (const auto& t : p.by_traffic) {
          fmt::format_to(it, "  {:<12}   {:<14} {:>9} {:>8} {:>7} {:>9} {:>7} {:>7.2f}ms {:>7.2f}ms {:>7.2f}ms\n", "",
                         t.name.size() > 14 ? t.name.substr(0, 13) + "~" : t.name, t.requests, t.ok, t.errors,
                         t.cancelled, "", t.latency.p50_ms, t.latency.p99_ms, t.latency.max_ms);
        }
      }
      for (const auto& d : p.dependencies) fmt::format_to(it, "  {:<12}   {}\n", "", DescribeDependencyPhase(d));
      if (!p.grpc_status.empty()) {
        std::string codes;
        for (const auto& [code, n] : p.grpc_status) codes += fmt::format(" {} {}", code, n);
        fmt::format_to(it, "  {:<12}   gRPC status:{}\n", "", codes);
      }
    }
  }

  if (!r.assertions.empty()) {
    fmt::format_to(it, "\n  assertions{}:\n",
                   r.settled ? fmt::format(" (settled after {:.1f}s)", r.settle_s)
                             : fmt::format(" (not settled within {:.1f}s)", r.settle_s));
    for (const auto& a : r.assertions) {
      fmt::format_to(it, "    {:<4} {:<16} baseline {:>10}  final {:>10}  limit {:>10}{}\n", a.passed ? "ok" : "FAIL",
                     AssertionTitle(a), FormatAssertionValue(a, a.baseline, /*is_baseline=*/true),
                     FormatAssertionValue(a, a.final), FormatAssertionValue(a, a.limit),
                     a.detail.empty() ? "" : "  (" + a.detail + ")");
    }
  }
  if (r.cycles.size() > 1) {
    fmt::format_to(it, "\n  cycles (settled values):\n");
    for (const auto& c : r.cycles) {
      std::string values;
      for (const auto& a : r.assertions) {
        if (auto v = c.values.find(a.name); v != c.values.end()) {
          values += fmt::format("  {} {}", a.name, FormatResourceValue(a.name, v->second));
        }
      }
      fmt::format_to(it, "    {:>2}{}\n", c.cycle, values);
    }
  }
  auto print_goroutine_groups = [&](const std::vector<GoroutineLeak>& groups) {
    for (const auto& l : groups) {
      fmt::format_to(it, "\n    {} goroutine{} [{}]: {}\n", l.count, l.count == 1 ? "" : "s", l.state, l.function);
      if (!l.created_by.empty()) {
        fmt::format_to(it, "      created by {}{}\n", l.created_by,
                       l.created_by_location.empty() ? "" : " at " + l.created_by_location);
      }
      int shown = 0;
      for (const auto& frame : l.stack) {
        if (shown++ == max_stack_frames) {
          fmt::format_to(it, "        ...\n");
          break;
        }
        fmt::format_to(it, "        {}\n", frame);
      }
    }
  };

  if (!r.leaks.empty()) {
    fmt::format_to(it, "\n  leaked goroutines (present at the end, not at baseline):\n");
    print_goroutine_groups(r.leaks);
  }
  if (!r.proven_leaks.empty()) {
    fmt::format_to(it, "\n  goroutines proven leaked by the runtime (goroutineleak profile):\n");
    print_goroutine_groups(r.proven_leaks);
  }
  if (!r.heap_growth.empty()) {
    fmt::format_to(it, "\n  heap growth by allocation site (in use, baseline → final):\n");
    for (const auto& h : r.heap_growth) {
      fmt::format_to(it, "    {:>10} {:>9} objects  {} {}\n", FormatResourceValue("x_bytes", static_cast<double>(h.bytes)),
                     h.objects, h.function, h.location);
    }
  }
  if (!r.fd_leaks.empty()) {
    fmt::format_to(it, "\n  file descriptors opened and not closed:\n");
    for (const auto& f : r.fd_leaks) fmt::format_to(it, "    {:>6} × {}\n", f.count, f.target);
  }
  for (const auto& w : r.warnings) fmt::format_to(it, "\n  warning: {}\n", w);

  fmt::format_to(it, "\n{}: {} (exit {})\n", VerdictLabel(r.verdict), r.message, r.exit_code);
  return out;
}

}  // namespace leakgate::reports
