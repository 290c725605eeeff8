// WriteReports: the five files, written atomically, a failure naming the file; and the
// result schema (reports/result.schema.json) checked by Debian's python3-jsonschema
// against results from the writer: it accepts every field ToJson writes and rejects
// what it does not know.
#include "reports/report_writer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "reports/json_report.h"
#include "tests/reports/external_tools.h"
#include "tests/reports/sample_results.h"

namespace leakgate::reports {
namespace report_writer_test {

namespace fs = std::filesystem;

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(WriteReports, WritesEveryReportAndNoTemporaryFile) {
  const auto dir = testing::MakeTempDir("leakgate-reports");
  ASSERT_TRUE(WriteReports(dir, testing::FullResult()).ok());
  const auto status = WriteReports(dir, testing::FullResult());  // replaces, never appends
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(FilesIn(dir), (std::vector<std::string>{"junit.xml", "report.html", "result.json", "samples.csv", "summary.md"}));
  EXPECT_EQ(nlohmann::json::parse(testing::ReadFile(dir + "/result.json"))["scenario"]["name"], "blocked-send");
  EXPECT_TRUE(testing::ReadFile(dir + "/report.html").ends_with("</html>\n"));
  fs::remove_all(dir);
}

TEST(WriteReports, AFailedWriteNamesTheFile) {
  const auto dir = testing::MakeTempDir("leakgate-reports-ro");
  fs::create_directory(dir + "/junit.xml");  // a directory where the file should go: rename fails
  const auto status = WriteReports(dir, testing::FullResult());
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find(dir + "/junit.xml"), std::string::npos) << status.message();
  EXPECT_EQ(status.message().find("report.html"), std::string::npos) << "the others were written: " << status.message();
  EXPECT_TRUE(fs::exists(dir + "/report.html"));
  EXPECT_TRUE(fs::exists(dir + "/summary.md"));
  fs::remove_all(dir);
}

TEST(WriteReports, MissingDirectoryNamesEveryFile) {
  const auto status = WriteReports("/nonexistent-dir-leakgate", testing::FullResult());
  ASSERT_FALSE(status.ok());
  for (const auto name : kReportFiles) {
    EXPECT_NE(status.message().find("/nonexistent-dir-leakgate/" + std::string(name)), std::string::npos) << name;
  }
}

TEST(WriteReports, InvalidUtf8FromATargetStillGivesValidJson) {
  const auto json = RenderJson(testing::HostileResult());
  const auto parsed = nlohmann::json::parse(json);  // throws on invalid UTF-8
  EXPECT_NE(parsed["leaks"][0]["function"].get<std::string>().find("\xEF\xBF\xBD bad"), std::string::npos);
}

class ResultSchema : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("leakgate-schema"); }
  void TearDown() override { fs::remove_all(dir_); }

  testing::ProcessOutcome Validate(const std::vector<nlohmann::json>& docs) {
    std::vector<std::string> paths;
    for (const auto& doc : docs) {
      paths.push_back(dir_ + "/result" + std::to_string(paths.size()) + ".json");
      WriteFileAtomically(paths.back(), doc.dump(2));
    }
    return testing::ValidateResultJson(paths);
  }
  std::string dir_;
};

TEST_F(ResultSchema, AcceptsEveryFieldTheWriterWrites) {
  std::vector<nlohmann::json> docs;
  for (const auto& r : {testing::FullResult(), testing::HostileResult(), testing::InterruptedResult(),
                        testing::TargetFailedResult()}) {
    docs.push_back(nlohmann::json::parse(RenderJson(r)));
  }
  const auto v = Validate(docs);
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

TEST_F(ResultSchema, RejectsUnknownFieldsAndWrongTypes) {
  auto doc = nlohmann::json::parse(RenderJson(testing::FullResult()));
  doc["leaks"][0]["colour"] = "red";
  doc["phases"][1]["latency_ms"]["p99"] = "fast";
  doc["verdict"] = "maybe";
  doc["assertions"][0].erase("passed");
  const auto v = Validate({doc});
  EXPECT_EQ(v.exit_code, 1) << v.out << v.err;
  for (const char* where : {": /leaks/0: Additional properties", ": /phases/1/latency_ms/p99: 'fast'",
                            ": /verdict: 'maybe'", ": /assertions/0: 'passed' is a required property"}) {
    EXPECT_NE(v.out.find(where), std::string::npos) << where << " in\n" << v.out;
  }
}

TEST_F(ResultSchema, RejectsAMissingTopLevelField) {
  auto doc = nlohmann::json::parse(RenderJson(testing::FullResult()));
  doc.erase("schema_version");
  const auto v = Validate({doc});
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_NE(v.out.find("'schema_version' is a required property"), std::string::npos) << v.out;
}

}  // namespace report_writer_test
}  // namespace leakgate::reports
