// The inline SVG charts of report.html: one polyline per series with points, the nines
// axis for percentiles, decimation that keeps spikes, escaping, and no-data figures.
#include "reports/svg_chart.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <regex>
#include <sstream>
#include "tests/reports/markup_search.h"

namespace leakgate::reports {
namespace svg_chart_test {

// The x (or, with `y`, the y) pixel coordinates of the first polyline's points.
std::vector<double> PolylineCoordinates(const std::string& svg, bool y) {
  const auto start = svg.find("points=\"") + 8;
  std::istringstream points(svg.substr(start, svg.find('"', start) - start));
  std::vector<double> out;
  std::string pair;
  while (points >> pair) out.push_back(std::stod(y ? pair.substr(pair.find(',') + 1) : pair.substr(0, pair.find(','))));
  return out;
}
std::vector<double> PolylineXs(const std::string& svg) { return PolylineCoordinates(svg, false); }
std::vector<double> PolylineYs(const std::string& svg) { return PolylineCoordinates(svg, true); }

TEST(SvgChart, OnePolylinePerSeriesWithItsPoints) {
  ChartSpec spec;
  spec.id = "chart-goroutines";
  spec.title = "Goroutines";
  spec.series = {{"goroutines", {{0, 4}, {1, 10}, {2, 300}}, 0, false}, {"other", {{0, 1}, {2, 2}}, 1, true}};
  spec.bands = {{0, 1, "baseline", "baseline"}, {1, 2, "load", "load"}};
  spec.rules = {{4, "baseline 4", "baseline"}, {9, "limit 9", "limit"}};
  const auto svg = RenderChart(spec);
  EXPECT_EQ(testing::CountOf(svg, "<polyline class=\"series"), 2u);
  EXPECT_EQ(testing::CountOf(svg, "class=\"series c1 dashed\""), 1u);
  EXPECT_EQ(testing::CountOf(svg, "<rect class=\"band band-baseline\""), 1u);
  EXPECT_EQ(testing::CountOf(svg, "<line class=\"rule rule-limit\""), 1u);
  EXPECT_NE(svg.find("id=\"chart-goroutines\""), std::string::npos);
  EXPECT_EQ(PolylineXs(svg).size(), 3u);
  const auto ys = PolylineYs(svg);
  EXPECT_GT(ys[0], ys[2]) << "larger values are drawn higher (smaller y)";
}

TEST(SvgChart, CloseRuleLabelsAreKeptALineApart) {
  ChartSpec spec;
  spec.series = {{"goroutines", {{0, 0}, {1, 1000}}, 0, false}};
  spec.rules = {{4, "baseline 4", "baseline"}, {9, "limit 9", "limit"}};
  const auto svg = RenderChart(spec);
  const std::regex label_y("<text class=\"rule-label rule-[a-z]+\" x=\"[0-9.]+\" y=\"([0-9.]+)\">");
  std::vector<double> ys;
  for (std::sregex_iterator i(svg.begin(), svg.end(), label_y), end; i != end; ++i) ys.push_back(std::stod((*i)[1]));
  ASSERT_EQ(ys.size(), 2u);
  EXPECT_GE(std::fabs(ys[0] - ys[1]), 11 - 1e-9);
}

TEST(SvgChart, NoPointsMeansNoPolylineButAFigureSayingSo) {
  ChartSpec spec;
  spec.id = "chart-sockets";
  spec.title = "Sockets";
  spec.series = {{"sockets", {}, 0, false}};
  const auto svg = RenderChart(spec);
  EXPECT_EQ(testing::CountOf(svg, "<polyline"), 0u);
  EXPECT_NE(svg.find("no samples"), std::string::npos);
  EXPECT_NE(svg.find("id=\"chart-sockets\""), std::string::npos);
}

TEST(SvgChart, NinesAxisSpacesPercentilesByTheirNines) {
  ChartSpec spec;
  spec.x_scale = XScale::kNines;
  spec.width = 1000;
  spec.series = {{"latency", {{0, 1}, {90, 2}, {99, 3}, {99.9, 4}, {100, 5}}, 0, false}};
  const auto xs = PolylineXs(RenderChart(spec));
  ASSERT_EQ(xs.size(), 5u);
  const double decade = xs[1] - xs[0];
  EXPECT_GT(decade, 100);
  EXPECT_NEAR(xs[2] - xs[1], decade, 0.2) << "90 → 99 is one nine, like 0 → 90";
  EXPECT_NEAR(xs[3] - xs[2], decade, 0.2);
  EXPECT_NEAR(xs[4] - xs[0], 5 * decade, 0.5) << "100 % is drawn at the 99.999 % edge";
  const auto svg = RenderChart(spec);
  EXPECT_NE(svg.find(">99.999%<"), std::string::npos);
}

TEST(SvgChart, LongSeriesAreDecimatedButKeepTheirSpike) {
  ChartSpec spec;
  spec.width = 400;
  ChartSeries s{"fds", {}, 0, false};
  for (int i = 0; i < 20000; ++i) s.points.emplace_back(i, i == 12345 ? 1000 : 10);
  spec.series = {s};
  const auto svg = RenderChart(spec);
  const auto ys = PolylineYs(svg);
  EXPECT_LT(ys.size(), 1000u);
  EXPECT_GT(ys.size(), 100u);
  const double top = *std::min_element(ys.begin(), ys.end());
  EXPECT_LT(top, 40) << "the single spike to 1000 is still drawn near the top";
}

TEST(SvgChart, EscapesTextAndSanitizesIds) {
  ChartSpec spec;
  spec.id = "chart-\"><script>";
  spec.title = "<script>alert(1)</script>";
  spec.series = {{"<b>x</b>", {{0, 1}, {1, 2}}, 0, false}};
  spec.bands = {{0, 1, "<i>phase</i>", "load\" onload=\"x"}};
  const auto svg = RenderChart(spec);
  EXPECT_TRUE(testing::ContainsNoneOf(svg, {"<script", "<b>", "<i>", "onload=\""}));
  EXPECT_NE(svg.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
}

TEST(SvgChart, NonFiniteValuesAreDropped) {
  ChartSpec spec;
  spec.series = {{"x", {{0, 1}, {1, std::nan("")}, {2, std::numeric_limits<double>::infinity()}, {3, 2}}, 0, false}};
  EXPECT_EQ(PolylineXs(RenderChart(spec)).size(), 2u);
}

TEST(SvgChart, NiceTicksAreRoundNumbersCoveringTheRange) {
  EXPECT_EQ(NiceTicks(0, 10, 5), (std::vector<double>{0, 2, 4, 6, 8, 10}));
  EXPECT_EQ(NiceTicks(0, 1300, 4), (std::vector<double>{0, 500, 1000}));
  EXPECT_EQ(NiceTicks(5, 5, 4), (std::vector<double>{5}));
  EXPECT_EQ(CompactNumber(12345), "12.3k");
  EXPECT_EQ(CompactNumber(0.5), "0.5");
}

}  // namespace svg_chart_test
}  // namespace leakgate::reports
