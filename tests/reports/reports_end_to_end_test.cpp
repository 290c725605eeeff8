// The reports of real runs: the real leakgate binary runs a shipped scenario against the
// real Go example target (leaky, its fixed twin, and a run interrupted with SIGINT), and
// the files it writes are checked by real consumers: result.json by python3-jsonschema
// against reports/result.schema.json, junit.xml by Python's XML parser, report.html by
// headless Chromium, which must draw every chart and name the leaking function. The leaky
// run's reports and the screenshot stay in BUILD/test-artifacts/reports-leaky/ to look at.
// Each test makes its own run, so that ctest may run them in parallel.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/integration/leakgate_process.h"
#include "tests/reports/external_tools.h"
#include "tests/reports/markup_search.h"

namespace leakgate::testing {
namespace reports_end_to_end_test {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kScenario = "scenarios/leak-01-blocked-send.yaml";
const std::vector<std::string> kShortRun{"--var", "warmup=1s", "--var", "load=2s", "--var", "settle=2s"};

struct RunReports {
  ProcessOutcome process;
  std::string dir;
  json result;
};

RunReports RunScenario(const std::string& dir, const std::string& mode, std::chrono::milliseconds interrupt_after = {}) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::vector<std::string> args{"run", kScenario, "--out", dir, "--quiet", "--var", "mode=" + mode};
  args.insert(args.end(), kShortRun.begin(), kShortRun.end());
  RunReports run{RunLeakgate(args, std::chrono::seconds(120), interrupt_after), dir, {}};
  if (fs::exists(dir + "/result.json")) run.result = json::parse(ReadFile(dir + "/result.json"));
  return run;
}

void ExpectEveryReport(const RunReports& run) {
  for (const char* name : {"result.json", "report.html", "junit.xml", "summary.md", "samples.csv"}) {
    EXPECT_TRUE(fs::exists(run.dir + "/" + name)) << name << "\n" << run.process.out << run.process.err;
  }
  const auto schema = ValidateResultJson(run.dir + "/result.json");
  EXPECT_EQ(schema.exit_code, 0) << schema.out << schema.err;
  const auto xml = ParseXml(run.dir + "/junit.xml");
  EXPECT_EQ(xml.exit_code, 0) << xml.err;
}

// The markup of <figure id="ID"> in Chromium's DOM dump.
std::string Figure(const std::string& dom, const std::string& id) { return Slice(dom, "id=\"" + id + "\"", "</figure>"); }

void CheckResultJson(const RunReports& run) {
  ExpectEveryReport(run);
  EXPECT_EQ(run.result["schema_version"], 2);
  // The runner fills the HDR-style latency curve from its histograms.
  const auto& load = run.result["phases"][1];
  ASSERT_EQ(load["name"], "load");
  EXPECT_GT(load["latency_ms"]["curve"].size(), 10u) << load["latency_ms"].dump();
  EXPECT_GT(load["latency_uncorrected_ms"]["curve"].size(), 10u);
}

void CheckChromiumDrawing(const RunReports& run) {
  const std::string html = run.dir + "/report.html";
  const auto dom = ChromiumDumpDom(html);
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  for (const char* id : {"chart-goroutines", "chart-heap_inuse_bytes", "chart-fds", "chart-sockets", "chart-rss_bytes",
                         "chart-throughput", "chart-errors", "chart-p99", "chart-latency"}) {
    const auto figure = Figure(dom.out, id);
    ASSERT_FALSE(figure.empty()) << id;
    EXPECT_GT(CountOf(figure, "<polyline class=\"series"), 0u) << id << ": " << figure.substr(0, 600);
  }
  const auto goroutines = Figure(dom.out, "chart-goroutines");
  EXPECT_NE(goroutines.find("rule rule-limit"), std::string::npos);
  EXPECT_NE(goroutines.find("band band-settle"), std::string::npos);
  EXPECT_EQ(CountOf(Figure(dom.out, "chart-latency"), "<polyline class=\"series"), 2u) << "corrected and uncorrected";

  const auto row = Slice(dom.out, "<tr class=\"leak-row\">", "</tr>");
  ASSERT_FALSE(row.empty());
  EXPECT_NE(row.find("main.blockedSend.func1"), std::string::npos) << row;
  EXPECT_NE(row.find("chan send"), std::string::npos) << row;
  EXPECT_NE(row.find("<details>"), std::string::npos) << row;
  EXPECT_NE(dom.out.find("<div class=\"verdict-word\">FAIL</div>"), std::string::npos);
  EXPECT_NE(dom.out.find("exit code<b>1</b>"), std::string::npos);

  const std::string png = run.dir + "/report.png";
  const auto shot = ChromiumScreenshot(html, png, 1400, 2400);
  ASSERT_EQ(shot.exit_code, 0) << shot.err;
  const auto image = ReadFile(png);
  EXPECT_EQ(PngSize(image), (std::pair<int, int>{1400, 2400}));
  EXPECT_GT(image.size(), 30'000u) << "a page of charts and tables, not a blank one";
}

void CheckJunitSummaryAndSamples(const RunReports& run) {
  const auto xml = ReadFile(run.dir + "/junit.xml");
  const auto failure = Slice(xml, "name=\"goroutines\"", "</testcase>");
  ASSERT_FALSE(failure.empty()) << xml;
  EXPECT_NE(failure.find("<failure message=\"goroutines: baseline"), std::string::npos) << failure;
  EXPECT_NE(failure.find("found unexpected goroutines:&#10;["), std::string::npos) << failure;
  EXPECT_NE(failure.find("in state chan send, with main.blockedSend.func1 on top of the stack"), std::string::npos);
  EXPECT_NE(failure.find("created by main.blockedSend"), std::string::npos);

  const auto md = ReadFile(run.dir + "/summary.md");
  EXPECT_TRUE(md.starts_with("## ❌ leakgate FAIL: blocked-send")) << md;
  EXPECT_NE(md.find("| ❌ | goroutines |"), std::string::npos) << md;
  EXPECT_NE(md.find("| main.blockedSend.func1 | chan send | main.blockedSend |"), std::string::npos) << md;

  const auto csv = ReadFile(run.dir + "/samples.csv");
  EXPECT_TRUE(csv.starts_with("t_s,phase,")) << csv.substr(0, 200);
  EXPECT_NE(csv.substr(0, csv.find("\r\n")).find(",goroutines,"), std::string::npos);
  EXPECT_EQ(CountOf(csv, "\r\n"), run.result["timeline"].size() + 1);
  EXPECT_NE(csv.find(",settle,"), std::string::npos);
}

// One leaky run (a few seconds) checked by every consumer; its reports and the
// screenshot stay in BUILD/test-artifacts/reports-leaky/.
TEST(ReportsOfALeakyRun, AreValidDrawnAndNameTheLeak) {
  const auto run = RunScenario(std::string(LEAKGATE_TEST_ARTIFACTS_DIR) + "/reports-leaky", "leaky");
  ASSERT_EQ(run.process.exit_code, 1) << run.process.out << run.process.err;
  {
    SCOPED_TRACE("result.json");
    CheckResultJson(run);
  }
  {
    SCOPED_TRACE("report.html in Chromium");
    CheckChromiumDrawing(run);
  }
  {
    SCOPED_TRACE("junit.xml, summary.md, samples.csv");
    CheckJunitSummaryAndSamples(run);
  }
}

TEST(ReportsOfOtherRuns, PassedRunWritesPassingReports) {
  const auto run = RunScenario(MakeTempDir("leakgate-reports-pass"), "fixed");
  ASSERT_EQ(run.process.exit_code, 0) << run.process.out << run.process.err;
  ExpectEveryReport(run);
  const auto xml = ReadFile(run.dir + "/junit.xml");
  EXPECT_NE(xml.find("name=\"goroutines\" time=\"0\"/>"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("<failure"), std::string::npos);
  EXPECT_NE(ReadFile(run.dir + "/report.html").find("verdict verdict-pass"), std::string::npos);
  EXPECT_TRUE(ReadFile(run.dir + "/summary.md").starts_with("## ✅ leakgate PASS"));
  fs::remove_all(run.dir);
}

TEST(ReportsOfOtherRuns, InterruptedRunWritesPartialReports) {
  const auto run = RunScenario(MakeTempDir("leakgate-reports-int"), "leaky", std::chrono::milliseconds(2500));
  ASSERT_EQ(run.process.exit_code, 130) << run.process.out << run.process.err;
  ExpectEveryReport(run);
  const auto xml = ReadFile(run.dir + "/junit.xml");
  EXPECT_NE(xml.find("name=\"run\" time=\"0\">\n      <failure message=\"interrupted"), std::string::npos) << xml;
  EXPECT_NE(ReadFile(run.dir + "/report.html").find("verdict verdict-interrupted"), std::string::npos);
  EXPECT_TRUE(ReadFile(run.dir + "/summary.md").starts_with("## ⏹️ leakgate INTERRUPTED"));
  fs::remove_all(run.dir);
}

}  // namespace reports_end_to_end_test
}  // namespace leakgate::testing
