// The chart sections of report.html (see reports/html_sections.h).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <optional>

#include "reports/html_sections.h"
#include "reports/report_text.h"
#include "reports/svg_chart.h"

namespace leakgate::reports::html {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;
constexpr size_t kLatencyPhasesShown = 4;

struct ResourceChart {
  const char* name;
  const char* title;
};
constexpr std::array<ResourceChart, 5> kStandardResources{{
    {"goroutines", "Goroutines"},
    {"heap_inuse_bytes", "Heap in use"},
    {"fds", "Open file descriptors"},
    {"sockets", "Sockets"},
    {"rss_bytes", "Resident memory (RSS)"},
}};

// Bytes are charted in MiB; everything else as it is.
double Scaled(const std::string& resource, double value) {
  return resource.ends_with("_bytes") ? value / kMiB : value;
}

const AssertionResult* LeakAssertionOf(const RunResult& r, const std::string& resource) {
  for (const auto& a : r.assertions) {
    if (a.kind == AssertionKind::kLeak && a.name == resource) return &a;
  }
  return nullptr;
}

// Contiguous runs of one phase label in the sample timeline, as bands.
std::vector<ChartBand> TimelineBands(const RunResult& r) {
  std::vector<ChartBand> bands;
  for (size_t i = 0; i < r.timeline.size(); ++i) {
    const auto& p = r.timeline[i];
    if (!bands.empty() && bands.back().label == p.phase) {
      bands.back().to = p.t_s;
      continue;
    }
    if (!bands.empty()) bands.back().to = p.t_s;
    bands.push_back({p.t_s, p.t_s, p.phase, PhaseKind(r, p.phase)});
  }
  return bands;
}

std::string ResourceChartOf(const RunResult& r, const std::string& resource, const std::string& title,
                            const std::vector<ChartBand>& bands, bool always) {
  ChartSeries series{resource, {}, 0, false};
  for (const auto& p : r.timeline) {
    if (auto v = p.values.find(resource); v != p.values.end()) {
      series.points.emplace_back(p.t_s, Scaled(resource, v->second));
    }
  }
  if (series.points.empty() && !always) return "";
  ChartSpec spec;
  spec.id = "chart-" + resource;
  spec.title = title;
  spec.x_unit = "s";
  spec.y_unit = resource.ends_with("_bytes") ? "MiB" : "";
  spec.bands = bands;
  const AssertionResult* a = LeakAssertionOf(r, resource);
  std::optional<double> baseline;
  if (a) {
    baseline = a->baseline;
  } else if (auto b = r.baseline.find(resource); b != r.baseline.end()) {
    baseline = b->second;
  }
  if (baseline) {
    spec.rules.push_back({Scaled(resource, *baseline), "baseline " + FormatResourceValue(resource, *baseline), "baseline"});
  }
  if (a) spec.rules.push_back({Scaled(resource, a->limit), "limit " + FormatResourceValue(resource, a->limit), "limit"});
  spec.series.push_back(std::move(series));
  return RenderChart(spec);
}

std::string SectionOpen(const char* id, const char* title) {
  return fmt::format("<section id=\"{}\"><h2>{}</h2>\n", id, title);
}

// The points of a latency curve: the recorded one, or the summary's fixed percentiles.
std::vector<std::pair<double, double>> CurveOf(const LatencySummary& l, bool* from_summary) {
  if (!l.curve.empty()) return l.curve;
  *from_summary = true;
  return {{50, l.p50_ms}, {90, l.p90_ms}, {99, l.p99_ms}, {99.9, l.p999_ms}, {99.99, l.p9999_ms}};
}

std::string PhaseTitle(const RunResult& r, const PhaseResult& p) {
  const bool cycled = r.cycles.size() > 1 && p.cycle > 0;
  return cycled ? fmt::format("{} #{}", p.name, p.cycle) : p.name;
}

}  // namespace

std::string PhaseKind(const RunResult& r, const std::string& label) {
  if (label == "baseline" || label == "settle") return label;
  for (const auto& p : r.phases) {
    if (p.name == label) return p.warmup ? "warmup" : "load";
  }
  return label == "warmup" ? "warmup" : "load";
}

std::string ResourceChartsSection(const RunResult& r) {
  std::string out = SectionOpen("resources", "Resources over the run");
  if (r.timeline.empty()) return out + "<p class=\"no-data\">No probe samples were taken.</p></section>\n";
  const auto bands = TimelineBands(r);
  out += "<div class=\"charts\">\n";
  std::vector<std::string> charted;
  for (const auto& c : kStandardResources) {
    out += ResourceChartOf(r, c.name, c.title, bands, /*always=*/true);
    charted.emplace_back(c.name);
  }
  for (const auto& a : r.assertions) {
    if (a.kind != AssertionKind::kLeak || std::find(charted.begin(), charted.end(), a.name) != charted.end()) continue;
    out += ResourceChartOf(r, a.name, a.name, bands, /*always=*/false);
    charted.push_back(a.name);
  }
  return out + "</div>\n<p class=\"note\">Time since the first sample. Shaded: the phase each sample was taken in. "
               "Dashed: the baseline (median of the baseline samples) and the tolerance limit.</p></section>\n";
}

std::string LoadChartsSection(const RunResult& r) {
  ChartSpec throughput{"chart-throughput", "Throughput", "s", "req/s", XScale::kLinear, {}, {}, {}, 640, 220};
  ChartSpec errors{"chart-errors", "Errors", "s", "per second", XScale::kLinear, {}, {}, {}, 640, 220};
  ChartSpec p99{"chart-p99", "p99 latency", "s", "ms", XScale::kLinear, {}, {}, {}, 640, 220};
  ChartSeries completed{"completed", {}, 0, false}, ok{"ok", {}, 1, false}, failed{"errors", {}, 4, false},
      tail{"p99", {}, 2, false};
  double offset = 0;
  for (const auto& p : r.phases) {
    double length = p.duration_s;
    for (const auto& s : p.timeline) {
      const double x = offset + static_cast<double>(s.second) + 0.5;  // the middle of its second
      completed.points.emplace_back(x, static_cast<double>(s.completed));
      ok.points.emplace_back(x, static_cast<double>(s.ok));
      failed.points.emplace_back(x, static_cast<double>(s.errors));
      if (s.completed > 0) tail.points.emplace_back(x, s.p99_ms);
      length = std::max(length, static_cast<double>(s.second + 1));
    }
    const ChartBand band{offset, offset + length, PhaseTitle(r, p), p.warmup ? "warmup" : "load"};
    for (auto* spec : {&throughput, &errors, &p99}) spec->bands.push_back(band);
    offset += length;
  }
  std::string out = SectionOpen("load", "Load per second");
  if (completed.points.empty()) return out + "<p class=\"no-data\">No per-second load data.</p></section>\n";
  throughput.series = {std::move(completed), std::move(ok)};
  errors.series = {std::move(failed)};
  p99.series = {std::move(tail)};
  return out + "<div class=\"charts\">\n" + RenderChart(throughput) + RenderChart(errors) + RenderChart(p99) +
         "</div>\n<p class=\"note\">Load phases laid end to end (seconds of load, by completion time).</p></section>\n";
}

std::string LatencySection(const RunResult& r) {
  std::vector<const PhaseResult*> shown;
  for (const auto& p : r.phases) {
    if (!p.warmup && p.latency.count > 0) shown.push_back(&p);
  }
  if (shown.empty()) {
    for (const auto& p : r.phases) {
      if (p.latency.count > 0) shown.push_back(&p);
    }
  }
  std::string out = SectionOpen("latency", "Latency distribution");
  if (shown.empty()) return out + "<p class=\"no-data\">No request completed.</p></section>\n";
  const size_t total = shown.size();
  if (shown.size() > kLatencyPhasesShown) shown.resize(kLatencyPhasesShown);
  ChartSpec spec{"chart-latency", "Latency by percentile", "", "ms", XScale::kNines, {}, {}, {}, 980, 300};
  bool from_summary = false;
  int color = 0;
  for (const PhaseResult* p : shown) {
    const std::string title = PhaseTitle(r, *p);
    spec.series.push_back({title + " (corrected)", CurveOf(p->latency, &from_summary), color, false});
    if (p->latency_uncorrected.count > 0) {
      spec.series.push_back({title + " (uncorrected)", CurveOf(p->latency_uncorrected, &from_summary), color, true});
    }
    ++color;
  }
  out += RenderChart(spec);
  out += "<p class=\"note\">Corrected: from the intended send time (no coordinated omission); uncorrected "
         "(dashed): from the actual send time.";
  if (total > shown.size()) out += fmt::format(" The first {} of {} load phases are shown.", shown.size(), total);
  if (from_summary) out += " Some curves have only the summary percentiles (p50 to p99.99).";
  return out + "</p></section>\n";
}

std::string GcTraceSection(const RunResult& r) {
  if (r.gctrace.empty()) return "";
  ChartSpec heap{"chart-gc-heap", "Heap at each GC", "s", "MiB", XScale::kLinear, {}, {}, {}, 640, 220};
  ChartSpec pause{"chart-gc-pause", "GC pause", "s", "ms", XScale::kLinear, {}, {}, {}, 640, 220};
  ChartSeries live{"live heap", {}, 0, false}, goal{"goal", {}, 1, true}, pauses{"pause", {}, 3, false};
  int forced = 0;
  double max_pause = 0;
  for (const auto& g : r.gctrace) {
    live.points.emplace_back(g.t_s, g.heap_live_mb);
    goal.points.emplace_back(g.t_s, g.goal_mb);
    pauses.points.emplace_back(g.t_s, g.pause_ms);
    forced += g.forced ? 1 : 0;
    max_pause = std::max(max_pause, g.pause_ms);
  }
  heap.series = {std::move(live), std::move(goal)};
  pause.series = {std::move(pauses)};
  return SectionOpen("gctrace", "Garbage collector (gctrace)") + "<div class=\"charts\">\n" + RenderChart(heap) +
         RenderChart(pause) +
         fmt::format("</div>\n<p class=\"note\">{} collections ({} forced), longest pause {:.3f} ms, GC CPU {:.1f}% "
                     "at the last one. Time since the target started.</p></section>\n",
                     r.gctrace.size(), forced, max_pause, r.gctrace.back().cpu_percent);
}

}  // namespace leakgate::reports::html
