#include "reports/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>

#include "reports/report_text.h"

namespace leakgate::reports {

namespace {

constexpr double kMarginLeft = 56, kMarginRight = 60, kMarginTop = 20, kMarginBottom = 28;
constexpr double kMaxNines = 5;  // 99.999 %
constexpr int kPaletteSize = 6;

std::string SafeId(const std::string& id) {
  std::string out;
  for (const char c : id) out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '-';
  return out;
}

std::string SafeClass(const std::string& kind) { return SafeId(kind.empty() ? "load" : kind); }

double NinesOf(double percentile) {
  const double rest = 1 - std::clamp(percentile, 0.0, 100.0) / 100;
  return rest <= 0 ? kMaxNines : std::min(kMaxNines, -std::log10(rest));
}

// The plot's coordinate mapping.
struct Frame {
  double x0, x1, y0, y1;            // data domain
  double left, right, top, bottom;  // pixels
  double X(double x) const { return left + (x - x0) / (x1 - x0) * (right - left); }
  double Y(double y) const { return bottom - (y - y0) / (y1 - y0) * (bottom - top); }
};

// Points in data coordinates (x already on the nines scale when that applies), finite only.
std::vector<std::pair<double, double>> Prepared(const ChartSeries& s, XScale scale) {
  std::vector<std::pair<double, double>> out;
  out.reserve(s.points.size());
  for (auto [x, y] : s.points) {
    if (!std::isfinite(x) || !std::isfinite(y)) continue;
    out.emplace_back(scale == XScale::kNines ? NinesOf(x) : x, y);
  }
  return out;
}

// Long series keep the minimum and maximum of each pixel column, in x order.
std::vector<std::pair<double, double>> Decimated(const std::vector<std::pair<double, double>>& points,
                                                 const Frame& f) {
  const auto columns = static_cast<size_t>(f.right - f.left);
  if (points.size() <= 2 * columns) return points;
  std::vector<std::pair<double, double>> out;
  size_t i = 0;
  while (i < points.size()) {
    const double column = std::floor(f.X(points[i].first));
    size_t lo = i, hi = i, j = i;
    for (; j < points.size() && std::floor(f.X(points[j].first)) == column; ++j) {
      if (points[j].second < points[lo].second) lo = j;
      if (points[j].second > points[hi].second) hi = j;
    }
    out.push_back(points[std::min(lo, hi)]);
    if (lo != hi) out.push_back(points[std::max(lo, hi)]);
    i = j;
  }
  return out;
}

std::string XTickLabel(const ChartSpec& spec, double x) {
  if (spec.x_scale == XScale::kNines) {
    static constexpr const char* kLabels[] = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};
    return kLabels[static_cast<int>(std::lround(x))];
  }
  return CompactNumber(x) + spec.x_unit;
}

}  // namespace

std::vector<double> NiceTicks(double low, double high, int target) {
  if (!(high > low) || target < 1) return {low};
  const double raw = (high - low) / target;
  const double magnitude = std::pow(10, std::floor(std::log10(raw)));
  double step = magnitude;
  for (const double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    step = m * magnitude;
    if (step >= raw) break;
  }
  std::vector<double> ticks;
  for (double t = std::ceil(low / step) * step; t <= high + step * 1e-9 && ticks.size() < 50; t += step) {
    ticks.push_back(std::fabs(t) < step * 1e-9 ? 0 : t);
  }
  return ticks;
}

std::string CompactNumber(double v) {
  const double a = std::fabs(v);
  if (a >= 1e9) return fmt::format("{:.3g}G", v / 1e9);
  if (a >= 1e6) return fmt::format("{:.3g}M", v / 1e6);
  if (a >= 1e4) return fmt::format("{:.3g}k", v / 1e3);
  return fmt::format("{:.4g}", v);
}

std::string RenderChart(const ChartSpec& spec) {
  std::vector<std::vector<std::pair<double, double>>> series;
  double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin, ymin = 0, ymax = -xmin;
  size_t total_points = 0;
  for (const auto& s : spec.series) {
    series.push_back(Prepared(s, spec.x_scale));
    for (const auto& [x, y] : series.back()) {
      xmin = std::min(xmin, x);
      xmax = std::max(xmax, x);
      ymin = std::min(ymin, y);
      ymax = std::max(ymax, y);
    }
    total_points += series.back().size();
  }
  std::string out;
  auto it = std::back_inserter(out);
  fmt::format_to(it, "<figure class=\"chart\" id=\"{}\"><figcaption><span class=\"chart-title\">{}</span>",
                 SafeId(spec.id), EscapeMarkup(spec.title));
  if (!spec.y_unit.empty()) fmt::format_to(it, " <span class=\"unit\">{}</span>", EscapeMarkup(spec.y_unit));
  if (total_points == 0) {
    out += "</figcaption><p class=\"no-data\">no samples</p></figure>\n";
    return out;
  }
  out += "<span class=\"legend\">";
  for (const auto& s : spec.series) {
    fmt::format_to(it, "<span class=\"key c{}{}\"></span>{} ", s.color % kPaletteSize, s.dashed ? " dashed" : "",
                   EscapeMarkup(s.name));
  }
  for (const auto& r : spec.rules) {
    fmt::format_to(it, "<span class=\"key rule-{}\"></span>{} ", SafeClass(r.kind), EscapeMarkup(r.label));
  }
  out += "</span></figcaption>\n";

  for (const auto& r : spec.rules) ymax = std::max(ymax, r.y);
  if (spec.x_scale == XScale::kNines) {
    xmin = 0;
    xmax = kMaxNines;
  } else {
    for (const auto& b : spec.bands) {
      xmin = std::min(xmin, b.from);
      xmax = std::max(xmax, b.to);
    }
  }
  if (!(xmax > xmin)) xmax = xmin + 1;
  if (!(ymax > ymin)) ymax = ymin + 1;
  // The top of the y axis is the first round tick at or above the largest value.
  auto yticks = NiceTicks(ymin, ymax, 4);
  double ytop = ymax;
  if (yticks.size() >= 2) {
    const double step = yticks[1] - yticks[0];
    ytop = std::ceil(ymax / step - 1e-9) * step;
    if (yticks.back() < ytop - step * 1e-9) yticks.push_back(ytop);
  }
  const Frame f{xmin, xmax, ymin, ytop, kMarginLeft, spec.width - kMarginRight, kMarginTop,
                spec.height - kMarginBottom};

  fmt::format_to(it,
                 "<svg class=\"plot\" viewBox=\"0 0 {} {}\" preserveAspectRatio=\"xMidYMid meet\" role=\"img\" "
                 "aria-label=\"{}\">\n",
                 spec.width, spec.height, EscapeMarkupAttribute(spec.title));
  for (const auto& b : spec.bands) {
    const double x0 = f.X(std::max(b.from, xmin)), x1 = f.X(std::min(b.to, xmax));
    if (x1 <= x0) continue;
    fmt::format_to(it, "<rect class=\"band band-{}\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\">",
                   SafeClass(b.kind), x0, f.top, x1 - x0, f.bottom - f.top);
    fmt::format_to(it, "<title>{}</title></rect>\n", EscapeMarkup(b.label));
    if (x1 - x0 >= 8.0 * static_cast<double>(std::min<size_t>(b.label.size(), 12))) {
      fmt::format_to(it, "<text class=\"band-label\" x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n", x0 + 3, f.top - 5,
                     EscapeMarkup(b.label));
    }
  }
  for (const double t : yticks) {
    fmt::format_to(it, "<line class=\"grid\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>", f.left,
                   f.right, f.Y(t), f.Y(t));
    fmt::format_to(it, "<text class=\"tick y\" x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n", f.left - 6, f.Y(t) + 4,
                   EscapeMarkup(CompactNumber(t)));
  }
  std::vector<double> xticks;
  if (spec.x_scale == XScale::kNines) {
    for (int n = 0; n <= kMaxNines; ++n) xticks.push_back(n);
  } else {
    xticks = NiceTicks(xmin, xmax, 6);
  }
  for (const double t : xticks) {
    fmt::format_to(it, "<text class=\"tick x\" x=\"{:.1f}\" y=\"{:.1f}\">{}</text>", f.X(t), f.bottom + 16,
                   EscapeMarkup(XTickLabel(spec, t)));
  }
  fmt::format_to(it, "\n<line class=\"axis\" x1=\"{0:.1f}\" x2=\"{1:.1f}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\"/>\n", f.left,
                 f.right, f.bottom);
  // Rule labels at the right end name the kind (the legend has the values), kept at
  // least a line apart so that a limit close to its baseline stays readable.
  std::vector<std::pair<double, const ChartRule*>> labels;
  for (const auto& r : spec.rules) {
    fmt::format_to(it, "<line class=\"rule rule-{}\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>\n",
                   SafeClass(r.kind), f.left, f.right, f.Y(r.y), f.Y(r.y));
    labels.emplace_back(f.Y(r.y) + 4, &r);
  }
  std::sort(labels.begin(), labels.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 1; i < labels.size(); ++i) labels[i].first = std::max(labels[i].first, labels[i - 1].first + 11);
  for (const auto& [y, r] : labels) {
    fmt::format_to(it, "<text class=\"rule-label rule-{}\" x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n", SafeClass(r->kind),
                   f.right + 4, y, EscapeMarkup(r->kind));
  }
  for (size_t i = 0; i < series.size(); ++i) {
    const auto points = Decimated(series[i], f);
    if (points.empty()) continue;
    const auto& s = spec.series[i];
    fmt::format_to(it, "<polyline class=\"series c{}{}\" points=\"", s.color % kPaletteSize, s.dashed ? " dashed" : "");
    for (const auto& [x, y] : points) fmt::format_to(it, "{:.1f},{:.1f} ", f.X(x), f.Y(y));
    if (points.size() == 1) fmt::format_to(it, "{:.1f},{:.1f}", f.X(points[0].first) + 2, f.Y(points[0].second));
    fmt::format_to(it, "\"><title>{}</title></polyline>\n", EscapeMarkup(s.name));
  }
  out += "</svg></figure>\n";
  return out;
}

}  // namespace leakgate::reports
