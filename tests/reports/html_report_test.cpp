// report.html: its structure for full, partial and failed results, that nothing in it
// can be fetched or run, and that hostile strings stay text, checked both on the markup
// and in the DOM a real browser (headless Chromium) builds from it.
#include "reports/html_report.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "reports/json_report.h"
#include "tests/reports/external_tools.h"
#include "tests/reports/sample_results.h"
#include "tests/reports/markup_search.h"

namespace leakgate::reports {
namespace html_report_test {

// The markup of the <figure id="ID"> chart.
std::string Figure(const std::string& html, const std::string& id) {
  return testing::Slice(html, "<figure class=\"chart\" id=\"" + id + "\"", "</figure>");
}

TEST(HtmlReport, FullResultDrawsEveryChartAndTable) {
  const auto html = RenderHtmlReport(testing::FullResult());
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>"));
  EXPECT_NE(html.find("class=\"verdict verdict-fail\""), std::string::npos);
  EXPECT_NE(html.find("exit code<b>1</b>"), std::string::npos);
  for (const char* id : {"chart-goroutines", "chart-heap_inuse_bytes", "chart-fds", "chart-rss_bytes", "chart-throughput",
                         "chart-errors", "chart-p99", "chart-latency", "chart-gc-heap", "chart-gc-pause"}) {
    EXPECT_GT(testing::CountOf(Figure(html, id), "<polyline class=\"series"), 0u) << id;
  }
  EXPECT_EQ(testing::CountOf(Figure(html, "chart-sockets"), "<polyline"), 0u) << "no socket samples: an empty figure";
  EXPECT_NE(Figure(html, "chart-sockets").find("no samples"), std::string::npos);
  EXPECT_EQ(testing::CountOf(Figure(html, "chart-latency"), "<polyline class=\"series"), 2u) << "load: corrected and uncorrected";
  const auto goroutines = Figure(html, "chart-goroutines");
  EXPECT_NE(goroutines.find("rule rule-baseline"), std::string::npos);
  EXPECT_NE(goroutines.find("rule rule-limit"), std::string::npos);
  EXPECT_NE(goroutines.find("</span>limit 9 "), std::string::npos) << "in the legend";
  EXPECT_NE(goroutines.find(">limit</text>"), std::string::npos) << "on the plot";
  for (const char* band : {"band-warmup", "band-baseline", "band-load", "band-settle"}) {
    EXPECT_NE(goroutines.find(band), std::string::npos) << band;
  }
  EXPECT_EQ(testing::CountOf(html, "<tr class=\"leak-row\">"), 3u) << "two grown groups and one proven";
  EXPECT_NE(html.find("<span class=\"label\">route=/leak/blocked-send</span>"), std::string::npos);
  EXPECT_NE(html.find("<details><summary>3 frames</summary>"), std::string::npos);
  for (const char* text : {"main.unboundedCache", "/tmp/leaky-file", "/tmp/finalized", "Per traffic entry",
                           "healthz", "Dependencies (chaos proxy)", "requests_answered 31", "p99 &lt; 5ms [load]",
                           "Settled values per cycle", "not measurable for this target", "href=\"./target.log\"",
                           "href=\"./junit.xml\"", "both", "proven"}) {
    EXPECT_NE(html.find(text), std::string::npos) << text;
  }
}

TEST(HtmlReport, NothingCanBeFetchedOrRun) {
  const auto html = RenderHtmlReport(testing::FullResult());
  EXPECT_NE(html.find("Content-Security-Policy\" content=\"default-src 'none'"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://127.0.0.1:41234")) << "the only URL is the target's, as text";
  EXPECT_TRUE(testing::ContainsNoneOf(html, {"<script", "https://", "@import", "url(", "<link", "src="}));
}

TEST(HtmlReport, HostileStringsStayText) {
  const auto html = RenderHtmlReport(testing::HostileResult());
  EXPECT_TRUE(testing::ContainsNoneOf(html, {"<script", "<img", "href=\"javascript:", "\x01", "\xff"}));
  EXPECT_NE(html.find("href=\"./javascript:alert(1)\""), std::string::npos) << "a relative link, not a scheme";
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), std::string::npos);
}

TEST(HtmlReport, ChromiumParsesHostileStringsAsText) {
  const std::string dir = testing::MakeTempDir("leakgate-html-hostile");
  const std::string path = dir + "/report.html";
  WriteFileAtomically(path, RenderHtmlReport(testing::HostileResult()));
  const auto dom = testing::ChromiumDumpDom(path);
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  ASSERT_NE(dom.out.find("</html>"), std::string::npos) << dom.out.substr(0, 2000) << dom.err;
  // The browser built no element from the strings: the only <img>/<script> would be theirs.
  EXPECT_TRUE(testing::ContainsNoneOf(dom.out, {"<img", "<script"}));
  // And shows them as text inside the leak rows.
  const std::string row = testing::Slice(dom.out, "<tr class=\"leak-row\">", "</tr>");
  ASSERT_FALSE(row.empty()) << dom.out.substr(0, 4000);
  EXPECT_NE(row.find("&lt;script&gt;alert('x')&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"),
            std::string::npos) << row;
  std::filesystem::remove_all(dir);
}

TEST(HtmlReport, InterruptedRunSaysSoAndDrawsWhatItHas) {
  const auto html = RenderHtmlReport(testing::InterruptedResult());
  EXPECT_NE(html.find("verdict-interrupted"), std::string::npos);
  EXPECT_NE(html.find(">INTERRUPTED<"), std::string::npos);
  EXPECT_NE(html.find("exit code<b>130</b>"), std::string::npos);
  EXPECT_NE(html.find("No assertion was evaluated"), std::string::npos);
  EXPECT_GT(testing::CountOf(Figure(html, "chart-goroutines"), "<polyline"), 0u);
  EXPECT_NE(html.find("No per-second load data."), std::string::npos);
  EXPECT_NE(html.find("No request completed."), std::string::npos);
  EXPECT_TRUE(html.ends_with("</html>\n"));
}

TEST(HtmlReport, EmptyResultOfAFailedTargetStillRenders) {
  const auto html = RenderHtmlReport(testing::TargetFailedResult());
  EXPECT_NE(html.find("verdict-error"), std::string::npos);
  EXPECT_NE(html.find("connection refused"), std::string::npos);
  EXPECT_NE(html.find("No probe samples were taken."), std::string::npos);
  EXPECT_NE(html.find("No phase ran."), std::string::npos);
  EXPECT_EQ(testing::CountOf(html, "<polyline"), 0u);
  EXPECT_TRUE(html.ends_with("</html>\n"));
}

TEST(HtmlReport, LatencyWithoutACurveFallsBackToTheSummaryPercentiles) {
  auto r = testing::FullResult();
  for (auto& p : r.phases) p.latency.curve.clear(), p.latency_uncorrected.curve.clear();
  const auto html = RenderHtmlReport(r);
  EXPECT_EQ(testing::CountOf(Figure(html, "chart-latency"), "<polyline class=\"series"), 2u);
  EXPECT_NE(html.find("only the summary percentiles"), std::string::npos);
}

}  // namespace html_report_test
}  // namespace leakgate::reports
