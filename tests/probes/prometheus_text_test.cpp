#include "probes/prometheus_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "tests/probes/fixture_text.h"

namespace leakgate::probes {
namespace prometheus_text_test {

using test_support::WithCrlf;

// The fixture tests/fixtures/metrics/<name>; a missing one fails the test.
#define LOAD_FIXTURE(var, name) LEAKGATE_LOAD_FIXTURE(var, std::string("metrics/") + (name))

using Labels = std::vector<std::pair<std::string, std::string>>;

constexpr double kInf = std::numeric_limits<double>::infinity();

// Parses a single line (terminated here) and returns its sample, or nullopt when the
// line was skipped.
std::optional<MetricSample> ParseOne(std::string_view line) {
  PrometheusPage page = ParsePrometheusText(std::string(line) + "\n");
  if (page.samples.size() != 1) return std::nullopt;
  EXPECT_EQ(page.skipped_lines, 0u) << line;
  return page.samples[0];
}

std::optional<double> ValueOf(std::string_view line) {
  const std::optional<MetricSample> s = ParseOne(line);
  if (!s) return std::nullopt;
  return s->value;
}

// ---- a real /metrics page from client_golang v1.25.0 on go1.26.8 ------------------------

TEST(PrometheusTextFixtureTest, ParsesEveryLineOfTheGoPage) {
  LOAD_FIXTURE(text, "go1.26.metrics.txt");
  const PrometheusPage page = ParsePrometheusText(text);
  EXPECT_EQ(page.samples.size(), 65u);
  EXPECT_EQ(page.families.size(), 43u);
  EXPECT_EQ(page.skipped_lines, 0u);
  EXPECT_FALSE(page.truncated);
  EXPECT_EQ(page.samples.front().name, "go_gc_duration_seconds");
  EXPECT_EQ(page.samples.front().labels, (Labels{{"quantile", "0"}}));
  EXPECT_EQ(page.samples.front().value, 6.2912e-05);
  EXPECT_EQ(page.samples.back().name, "queue_wait_seconds_count");
  EXPECT_EQ(page.samples.back().value, 10);
}

TEST(PrometheusTextFixtureTest, StandardGoResources) {
  LOAD_FIXTURE(text, "go1.26.metrics.txt");
  const auto resources = PrometheusResources(ParsePrometheusText(text));
  const std::map<std::string, double> expected = {
      {"goroutines", 9},         {"threads", 7},        {"heap_inuse_bytes", 19537920},
      {"heap_objects", 14136},   {"heap_alloc_bytes", 18243616},
      {"fds", 12},               {"rss_bytes", 17784832},
  };
  EXPECT_EQ(resources, expected);
}

TEST(PrometheusTextFixtureTest, ExponentNanAndInfValuesAsGoFormatsThem) {
  LOAD_FIXTURE(text, "go1.26.metrics.txt");
  const PrometheusPage page = ParsePrometheusText(text);
  const auto value = [&](std::string_view kind) {
    return FindGauge(page, "leakgate_fixture_value", {{"kind", kind}});
  };
  EXPECT_EQ(value("big"), 1.5e+06);
  EXPECT_EQ(value("huge"), 6.02214076e+23);
  EXPECT_EQ(value("tiny"), 1.5e-07);
  EXPECT_EQ(value("negative"), -42);
  EXPECT_EQ(value("pos_inf"), kInf);
  EXPECT_EQ(value("neg_inf"), -kInf);
  ASSERT_TRUE(value("nan").has_value());
  EXPECT_TRUE(std::isnan(*value("nan")));
  EXPECT_EQ(FindGauge(page, "go_gc_gomemlimit_bytes"), 9.223372036854776e+18);
  EXPECT_EQ(FindGauge(page, "process_virtual_memory_max_bytes"), 1.8446744073709552e+19);
  EXPECT_EQ(FindGauge(page, "process_start_time_seconds"), 1.79542054775e+09);
  EXPECT_EQ(FindGauge(page, "go_gc_duration_seconds", {{"quantile", "0.75"}}), 0.00027673);
}

TEST(PrometheusTextFixtureTest, LabelValuesWithEscapesCommasAndBraces) {
  LOAD_FIXTURE(text, "go1.26.metrics.txt");
  const PrometheusPage page = ParsePrometheusText(text);
  const MetricSample* ok = FindSample(page, "http_requests_total", {{"code", "200"}});
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ(ok->labels, (Labels{{"code", "200"}, {"handler", "cache"}, {"path", "/cache/{id}"}}));
  EXPECT_EQ(ok->value, 1.5e+06);
  const MetricSample* err = FindSample(page, "http_requests_total", {{"code", "500"}});
  ASSERT_NE(err, nullptr);
  EXPECT_EQ(err->labels, (Labels{{"code", "500"}, {"handler", "items"}, {"path", "/items,all \"quoted\" \\ back\nslash"}}));
  EXPECT_EQ(err->value, 3);
}

TEST(PrometheusTextFixtureTest, FamiliesHistogramsAndSummaries) {
  LOAD_FIXTURE(text, "go1.26.metrics.txt");
  const PrometheusPage page = ParsePrometheusText(text);
  ASSERT_TRUE(page.families.count("http_requests_total"));
  EXPECT_EQ(page.families.at("http_requests_total").type, MetricType::kCounter);
  EXPECT_EQ(page.families.at("http_requests_total").help,
            "Requests by handler and code.\nSecond line with a backslash \\ in it.");
  EXPECT_EQ(page.families.at("go_goroutines").type, MetricType::kGauge);
  EXPECT_EQ(page.families.at("http_request_duration_seconds").type, MetricType::kHistogram);
  EXPECT_EQ(page.families.at("go_gc_duration_seconds").type, MetricType::kSummary);
  EXPECT_EQ(page.families.at("go_gc_duration_seconds").help,
            "A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles.");

  EXPECT_EQ(FindGauge(page, "http_request_duration_seconds_bucket", {{"le", "+Inf"}}), 100);
  EXPECT_EQ(FindGauge(page, "http_request_duration_seconds_bucket", {{"handler", "cache"}, {"le", "0.5"}}), 51);
  EXPECT_EQ(FindGauge(page, "http_request_duration_seconds_sum"), 49.5);
  EXPECT_EQ(FindGauge(page, "http_request_duration_seconds_count"), 100);
  EXPECT_EQ(FindGauge(page, "queue_wait_seconds", {{"quantile", "0.99"}}), 0.01);
  EXPECT_EQ(FindGauge(page, "queue_wait_seconds_sum"), 0.055);

  EXPECT_EQ(FamilyName(page, "http_request_duration_seconds_bucket"), "http_request_duration_seconds");
  EXPECT_EQ(FamilyName(page, "http_request_duration_seconds_count"), "http_request_duration_seconds");
  EXPECT_EQ(FamilyName(page, "queue_wait_seconds_sum"), "queue_wait_seconds");
  EXPECT_EQ(FamilyName(page, "queue_wait_seconds_bucket"), "queue_wait_seconds_bucket") << "summaries have no buckets";
  EXPECT_EQ(FamilyName(page, "go_memstats_alloc_bytes_total"), "go_memstats_alloc_bytes_total");
  EXPECT_EQ(FamilyName(page, "http_requests_total_count"), "http_requests_total_count") << "a counter";
}

TEST(PrometheusTextFixtureTest, TimestampColumn) {
  LOAD_FIXTURE(text, "go1.26.metrics.txt");
  const PrometheusPage page = ParsePrometheusText(text);
  const MetricSample* s = FindSample(page, "leakgate_fixture_stamped");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->value, 7);
  EXPECT_EQ(s->timestamp_ms, int64_t{1795419723713});
  EXPECT_EQ(FindSample(page, "go_goroutines")->timestamp_ms, std::nullopt);
}

TEST(PrometheusTextFixtureTest, CrlfPageParsesTheSame) {
  LOAD_FIXTURE(text, "go1.26.metrics.txt");
  const PrometheusPage lf = ParsePrometheusText(text);
  const PrometheusPage crlf = ParsePrometheusText(WithCrlf(text));
  ASSERT_EQ(crlf.samples.size(), lf.samples.size());
  EXPECT_EQ(crlf.skipped_lines, 0u);
  for (size_t i = 0; i < lf.samples.size(); ++i) {
    EXPECT_EQ(crlf.samples[i].name, lf.samples[i].name);
    EXPECT_EQ(crlf.samples[i].labels, lf.samples[i].labels);
    EXPECT_EQ(crlf.samples[i].timestamp_ms, lf.samples[i].timestamp_ms);
    if (!std::isnan(lf.samples[i].value)) {
      EXPECT_EQ(crlf.samples[i].value, lf.samples[i].value);
    }
  }
  EXPECT_EQ(crlf.families.at("http_requests_total").help, lf.families.at("http_requests_total").help);
}

TEST(PrometheusTextFixtureTest, TrailingGarbageIsSkippedAndCounted) {
  LOAD_FIXTURE(text, "go1.26.metrics.txt");
  const std::string page_text = text + "<html>\n\n{\"not\": \"metrics\"}\n" + std::string("\x00\xff\x01 2\n", 6);
  const PrometheusPage page = ParsePrometheusText(page_text);
  EXPECT_EQ(page.samples.size(), 65u);
  EXPECT_EQ(page.skipped_lines, 3u);
  EXPECT_FALSE(page.truncated);
}

// Cutting the page anywhere never yields a sample that the whole page does not have:
// the cut last line is dropped, not read as a shorter number.
TEST(PrometheusTextFixtureTest, CutAnywhereKeepsOnlyCompleteLines) {
  LOAD_FIXTURE(text, "go1.26.metrics.txt");
  const PrometheusPage whole = ParsePrometheusText(text);
  for (size_t cut = 0; cut < text.size(); cut += 7) {
    const std::string_view prefix = std::string_view(text).substr(0, cut);
    const PrometheusPage page = ParsePrometheusText(prefix);
    ASSERT_LE(page.samples.size(), whole.samples.size());
    for (size_t i = 0; i < page.samples.size(); ++i) {
      ASSERT_EQ(page.samples[i].name, whole.samples[i].name) << "cut at " << cut;
      ASSERT_EQ(page.samples[i].labels, whole.samples[i].labels) << "cut at " << cut;
      if (!std::isnan(whole.samples[i].value)) {
        ASSERT_EQ(page.samples[i].value, whole.samples[i].value);
      }
    }
    const bool ends_line = cut == 0 || prefix.back() == '\n';
    ASSERT_EQ(page.truncated, !ends_line) << "cut at " << cut;
    ASSERT_LE(page.skipped_lines, 1u) << "cut at " << cut;
  }
}

// ---- single lines ---------------------------------------------------------------------

TEST(PrometheusTextTest, CutValueIsNotReadAsASmallerNumber) {
  const PrometheusPage page = ParsePrometheusText("go_threads 7\ngo_goroutines 1");  // of "... 123\n"
  EXPECT_EQ(FindGauge(page, "go_threads"), 7);
  EXPECT_EQ(FindGauge(page, "go_goroutines"), std::nullopt);
  EXPECT_TRUE(page.truncated);
  EXPECT_EQ(page.skipped_lines, 1u);
}

TEST(PrometheusTextTest, ValueForms) {
  EXPECT_EQ(ValueOf("a 1.5e+06"), 1.5e+06);
  EXPECT_EQ(ValueOf("a 1.5E+06"), 1.5e+06);
  EXPECT_EQ(ValueOf("a 1e3"), 1000);
  EXPECT_EQ(ValueOf("a 2.5e-3"), 0.0025);
  EXPECT_EQ(ValueOf("a 1.7954197237130883e+09"), 1.7954197237130883e+09);
  EXPECT_EQ(ValueOf("a 42"), 42);
  EXPECT_EQ(ValueOf("a -42"), -42);
  EXPECT_EQ(ValueOf("a +42"), 42);
  EXPECT_EQ(ValueOf("a 0.000113263"), 0.000113263);
  EXPECT_EQ(ValueOf("a 9007199254740993"), 9007199254740992.0) << "rounded like ParseFloat";
  EXPECT_EQ(ValueOf("a +Inf"), kInf);
  EXPECT_EQ(ValueOf("a -Inf"), -kInf);
  EXPECT_EQ(ValueOf("a Inf"), kInf);
  EXPECT_EQ(ValueOf("a inf"), kInf);
  EXPECT_EQ(ValueOf("a +infinity"), kInf);
  ASSERT_TRUE(ValueOf("a NaN").has_value());
  EXPECT_TRUE(std::isnan(*ValueOf("a NaN")));
  EXPECT_TRUE(std::isnan(*ValueOf("a nan")));
  const std::optional<double> neg_zero = ValueOf("a -0");
  ASSERT_TRUE(neg_zero.has_value());
  EXPECT_TRUE(std::signbit(*neg_zero));
}

TEST(PrometheusTextTest, MalformedLinesAreSkippedAndCounted) {
  const std::string_view bad[] = {
      "a",                         // no value
      "a{b=\"c\"}",                // labels, no value
      "a{b=\"c\"} ",               // labels, blank, no value
      "a +-1",                     // double sign
      "a ++1",                     //
      "a +",                       //
      "a 1.5e+06x",                // trailing junk in the value
      "a 0x1F",                    // hex is not a Go float format here
      "a 1e400",                   // out of range
      "a 1,5",                     //
      "a 1 1.5",                   // timestamps are integers
      "a 1 2 3",                   // extra column
      "a 1 99999999999999999999",  // timestamp overflow
      "1a 3",                      // name starts with a digit
      "a-b 3",                     // '-' is not a name character
      "a{b=c} 1",                  // unquoted value
      "a{b=\"c} 1",                // unterminated value
      "a{b=\"c\\\"} 1",            // escaped quote leaves it unterminated
      "a{b=\"\\x\"} 1",            // unknown escape
      "a{b=\"c\" d=\"e\"} 1",      // missing comma
      "a{,} 1",                    // empty label
      "a{=\"c\"} 1",               // no label name
      "a{1b=\"c\"} 1",             // label name starts with a digit
      "a{b=\"c\"",                 // unclosed label set
      "a{b=\"c\"}} 1",             //
      "{b=\"c\"} 1",               // no name at all
      "a{\"x\",\"y\"} 1",          // two quoted names
      "a{\"\"} 1",                 // empty quoted name
      "a{b=\"c\"}{d=\"e\"} 1",     // two label sets
      "a1",                        // a name only
  };
  std::string text;
  for (std::string_view line : bad) {
    text += line;
    text += '\n';
    EXPECT_EQ(ParseOne(line), std::nullopt) << "accepted: " << line;
  }
  text += "good 1\n";
  const PrometheusPage page = ParsePrometheusText(text);
  EXPECT_EQ(page.skipped_lines, std::size(bad));
  ASSERT_EQ(page.samples.size(), 1u);
  EXPECT_EQ(page.samples[0].name, "good");
}

TEST(PrometheusTextTest, LabelSyntax) {
  std::optional<MetricSample> s = ParseOne(R"(m{a="x,y}z",b="{\"q\": 1}",c="",d="back\\slash\nnl"} 5)");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "m");
  EXPECT_EQ(s->labels, (Labels{{"a", "x,y}z"}, {"b", "{\"q\": 1}"}, {"c", ""}, {"d", "back\\slash\nnl"}}));
  EXPECT_EQ(s->value, 5);

  s = ParseOne(R"(m{a="1",} 2)");  // trailing comma
  ASSERT_TRUE(s);
  EXPECT_EQ(s->labels, (Labels{{"a", "1"}}));

  s = ParseOne("  m { a = \"1\" ,\tb=\"2\" }\t3  ");  // blanks around tokens and the line
  ASSERT_TRUE(s);
  EXPECT_EQ(s->labels, (Labels{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(s->value, 3);

  s = ParseOne("m{} 4");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->labels.empty());

  s = ParseOne(R"(m{a="b"}6)");  // "}" separates the value
  ASSERT_TRUE(s);
  EXPECT_EQ(s->value, 6);

  s = ParseOne("job:http_requests:rate5m 0.5");  // recording-rule names with colons
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "job:http_requests:rate5m");
}

TEST(PrometheusTextTest, QuotedUtf8Names) {
  const PrometheusPage page = ParsePrometheusText(
      "# HELP \"my.metric\" Dotted.\n"
      "# TYPE \"my.metric\" gauge\n"
      "{\"my.metric\",\"label.x\"=\"v\",plain=\"w\"} 1\n"
      "{\"my.metric\"} 2\n");
  EXPECT_EQ(page.skipped_lines, 0u);
  ASSERT_EQ(page.samples.size(), 2u);
  EXPECT_EQ(page.samples[0].name, "my.metric");
  EXPECT_EQ(page.samples[0].labels, (Labels{{"label.x", "v"}, {"plain", "w"}}));
  EXPECT_EQ(page.samples[1].value, 2);
  EXPECT_EQ(page.families.at("my.metric").type, MetricType::kGauge);
  EXPECT_EQ(page.families.at("my.metric").help, "Dotted.");
}

TEST(PrometheusTextTest, TimestampsAndExemplars) {
  std::optional<MetricSample> s = ParseOne("a 1 1795419723713");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->timestamp_ms, int64_t{1795419723713});
  s = ParseOne("a 1 -5");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->timestamp_ms, int64_t{-5});
  s = ParseOne("a_total 3 # {trace_id=\"abc\"} 1 1.6e9");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->value, 3);
  EXPECT_EQ(s->timestamp_ms, std::nullopt);
  s = ParseOne("a_total 3 1000 # {trace_id=\"abc\"} 1");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->timestamp_ms, int64_t{1000});
}

TEST(PrometheusTextTest, CommentsHelpAndType) {
  const PrometheusPage page = ParsePrometheusText(
      "# just a comment\n"
      "#\n"
      "# EOF\n"
      "# HELP a\n"                  // no docstring: empty help
      "# TYPE a counter\n"
      "# TYPE a gauge\n"            // a later TYPE replaces
      "# HELP b Has \\\\ and \\n and \\t kept.\n"
      "# TYPE b enum\n"             // unknown type: malformed
      "# TYPE c\n"                  // no type: malformed
      "# HELP\n"                    // no name: malformed
      "# TYPE d GAUGE extra\n"      // extra token: malformed
      "# TYPE e Histogram\n"        // types are case-insensitive
      "a 1\n");
  EXPECT_EQ(page.skipped_lines, 4u);
  EXPECT_EQ(page.samples.size(), 1u);
  EXPECT_EQ(page.families.at("a").type, MetricType::kGauge);
  EXPECT_EQ(page.families.at("a").help, "");
  EXPECT_EQ(page.families.at("b").help, "Has \\ and \n and \\t kept.");
  EXPECT_EQ(page.families.at("b").type, MetricType::kUntyped);
  EXPECT_EQ(page.families.count("c"), 0u);
  EXPECT_EQ(page.families.count("d"), 0u);
  EXPECT_EQ(page.families.at("e").type, MetricType::kHistogram);
}

TEST(PrometheusTextTest, EmptyAndBlankInput) {
  PrometheusPage page = ParsePrometheusText("");
  EXPECT_TRUE(page.samples.empty());
  EXPECT_EQ(page.skipped_lines, 0u);
  EXPECT_FALSE(page.truncated);
  page = ParsePrometheusText("\n\r\n \t\n");
  EXPECT_EQ(page.skipped_lines, 0u);
  EXPECT_FALSE(page.truncated);
}

TEST(PrometheusTextTest, FindGaugeMatchesLabelSubsetsInPageOrder) {
  const PrometheusPage page = ParsePrometheusText(
      "x{a=\"1\",b=\"2\"} 10\n"
      "x{a=\"1\",b=\"3\"} 11\n"
      "x 12\n"
      "x_total 13\n");
  EXPECT_EQ(FindGauge(page, "x"), 10) << "no matchers: the first sample";
  EXPECT_EQ(FindGauge(page, "x", {{"b", "3"}}), 11);
  EXPECT_EQ(FindGauge(page, "x", {{"a", "1"}, {"b", "3"}}), 11);
  EXPECT_EQ(FindGauge(page, "x", {{"a", "2"}}), std::nullopt);
  EXPECT_EQ(FindGauge(page, "x", {{"c", ""}}), std::nullopt) << "an absent label is not an empty one";
  EXPECT_EQ(FindGauge(page, "x_tot"), std::nullopt);
  EXPECT_EQ(FindGauge(page, "y"), std::nullopt);
}

TEST(PrometheusTextTest, ResourcesSkipMissingAndNonFiniteValues) {
  const PrometheusPage page = ParsePrometheusText(
      "go_goroutines 1.2e+03\n"
      "process_open_fds NaN\n"
      "go_threads +Inf\n"
      "process_resident_memory_bytes{x=\"y\"} 4096\n");
  const std::map<std::string, double> expected = {{"goroutines", 1200}, {"rss_bytes", 4096}};
  EXPECT_EQ(PrometheusResources(page), expected);
}

TEST(PrometheusTextTest, MetricTypeNames) {
  EXPECT_EQ(MetricTypeName(MetricType::kCounter), "counter");
  EXPECT_EQ(MetricTypeName(MetricType::kGauge), "gauge");
  EXPECT_EQ(MetricTypeName(MetricType::kHistogram), "histogram");
  EXPECT_EQ(MetricTypeName(MetricType::kSummary), "summary");
  EXPECT_EQ(MetricTypeName(MetricType::kUntyped), "untyped");
}

}  // namespace prometheus_text_test
}  // namespace leakgate::probes

#undef LOAD_FIXTURE  // file-local (unity batches compile several test files as one)
