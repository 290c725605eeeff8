// result.json: field names promised by the CLI contract, and atomic writing.
#include "reports/json_report.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace leakgate::reports {
namespace json_report_test {

RunResult Sample() {
  RunResult r;
  r.scenario_name = "demo";
  r.verdict = Verdict::kFail;
  r.exit_code = kExitLeak;
  AssertionResult a;
  a.name = "goroutines";
  a.passed = false;
  a.baseline = 4;
  a.final = 1204;
  a.limit = 9;
  r.assertions.push_back(a);
  GoroutineLeak leak;
  leak.count = 1200;
  leak.function = "main.blockedSend.func1";
  leak.created_by = "main.blockedSend";
  leak.created_by_location = "/src/x.go:40";
  leak.state = "chan send";
  leak.labels = {{"route", "/leak/blocked-send"}};
  leak.stack = {"main.blockedSend.func1 /src/x.go:42"};
  r.leaks.push_back(leak);
  PhaseResult p;
  p.name = "load";
  p.requests = 2400;
  p.cancelled = 1190;
  p.latency.p50_ms = 1.2;
  p.latency.p99_ms = 9.8;
  r.phases.push_back(p);
  return r;
}

TEST(JsonReport, HasTheDocumentedShape) {
  const auto j = ToJson(Sample());
  EXPECT_EQ(j["verdict"], "fail");
  EXPECT_EQ(j["exit_code"], 1);
  EXPECT_EQ(j["assertions"][0]["name"], "goroutines");
  EXPECT_EQ(j["assertions"][0]["passed"], false);
  EXPECT_EQ(j["assertions"][0]["baseline"], 4);
  EXPECT_EQ(j["assertions"][0]["final"], 1204);
  EXPECT_EQ(j["assertions"][0]["limit"], 9);
  EXPECT_EQ(j["leaks"][0]["count"], 1200);
  EXPECT_EQ(j["leaks"][0]["function"], "main.blockedSend.func1");
  EXPECT_EQ(j["leaks"][0]["created_by"], "main.blockedSend");
  EXPECT_EQ(j["leaks"][0]["state"], "chan send");
  EXPECT_EQ(j["leaks"][0]["evidence"], "grew");
  EXPECT_EQ(j["leaks"][0]["labels"]["route"], "/leak/blocked-send");
  EXPECT_EQ(j["schema_version"], kResultSchemaVersion);
  EXPECT_EQ(j["phases"][0]["requests"], 2400);
  EXPECT_EQ(j["phases"][0]["cancelled"], 1190);
  EXPECT_DOUBLE_EQ(j["phases"][0]["latency_ms"]["p50"].get<double>(), 1.2);
  EXPECT_DOUBLE_EQ(j["phases"][0]["latency_ms"]["p99"].get<double>(), 9.8);
}

TEST(JsonReport, WritesAtomicallyAndLeavesNoTemporaryFile) {
  const auto dir = std::filesystem::temp_directory_path() / ("leakgate-json-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = (dir / "result.json").string();
  WriteJsonReport(path, Sample());
  WriteJsonReport(path, Sample());  // replaces, never appends
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const auto parsed = nlohmann::json::parse(text.str());
  EXPECT_EQ(parsed["scenario"]["name"], "demo");
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++files;
  EXPECT_EQ(files, 1u);
  std::filesystem::remove_all(dir);
}

TEST(JsonReport, UnwritableDirectoryThrowsNamingThePath) {
  try {
    WriteFileAtomically("/nonexistent-dir-leakgate/result.json", "{}");
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir-leakgate/result.json"), std::string::npos) << e.what();
  }
}

}  // namespace json_report_test
}  // namespace leakgate::reports
