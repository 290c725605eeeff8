// SvgChart: one line chart as an HTML <figure> holding an inline SVG, for report.html.
//
// A chart is plain data (ChartSpec): series of (x, y) points, optional shaded x-ranges
// (phase bands) and horizontal rules (baseline, tolerance limit). RenderChart turns it
// into markup with no script and no external reference; the page's stylesheet colours
// it through the classes named below (series c0..c5, dashed; band-<kind>; rule-<kind>).
//
// Contracts:
// - Every string of the spec is escaped; ids are reduced to [A-Za-z0-9_-].
// - Axes: x linear over the data (or, with XScale::kNines, a percentile axis on the
//   "nines" scale from 0 to 99.999, x = -log10(1 - p/100)); y from min(0, data) to a
//   rounded maximum that includes every rule.
// - A series becomes one <polyline class="series ..."> when it has at least one point;
//   a series longer than twice the plot width is reduced to the min and max of each
//   pixel column, so spikes survive. Non-finite points are dropped.
// - A spec without any point renders a figure saying there is no data (no polyline).
// Pure function; thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace leakgate::reports {

enum class XScale { kLinear, kNines };

struct ChartSeries {
  std::string name;
  std::vector<std::pair<double, double>> points;  // (x, y); with kNines x is a percentile 0..100
  int color = 0;                                  // palette index 0..5
  bool dashed = false;
};

// A shaded x-range, e.g. a phase of the run.
struct ChartBand {
  double from = 0, to = 0;
  std::string label;
  std::string kind;  // "warmup", "baseline", "load", "settle": picks the shade
};

// A horizontal line across the plot, named by its kind at its right end.
struct ChartRule {
  double y = 0;
  std::string label;  // in the legend, e.g. "limit 9"
  std::string kind;   // "baseline" or "limit": the line's style and its label on the plot
};

struct ChartSpec {
  std::string id;       // id of the <figure>, e.g. "chart-goroutines"
  std::string title;
  std::string x_unit;   // appended to x tick labels ("s"); ignored with kNines
  std::string y_unit;   // shown beside the title ("MiB", "ms", "req/s")
  XScale x_scale = XScale::kLinear;
  std::vector<ChartSeries> series;
  std::vector<ChartBand> bands;
  std::vector<ChartRule> rules;
  int width = 640;
  int height = 220;
};

std::string RenderChart(const ChartSpec& spec);

// Tick values for an axis over [low, high]: about `target` round numbers (1, 2, 5 × 10^k).
std::vector<double> NiceTicks(double low, double high, int target);

// Compact axis label: 1234 → "1.23k", 0.5 → "0.5", 2e6 → "2M".
std::string CompactNumber(double value);

}  // namespace leakgate::reports
