// junit.xml: a test case per assertion, goleak-shaped failure messages, run-level cases
// for interrupted and failed runs, and well-formed XML (checked by Python's XML parser)
// whatever the strings hold.
#include "reports/junit_report.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "reports/json_report.h"
#include "tests/reports/external_tools.h"
#include "tests/reports/sample_results.h"
#include "tests/reports/markup_search.h"

namespace leakgate::reports {
namespace junit_report_test {

// Parses `xml` with Python's xml.etree and prints, per test case, "name|element|message".
testing::ProcessOutcome ParseCases(const std::string& xml) {
  const std::string dir = testing::MakeTempDir("leakgate-junit");
  const std::string path = dir + "/junit.xml";
  WriteFileAtomically(path, xml);
  const char* script = R"py(
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
for suite in root.findall("testsuite"):
    print("suite|%s|%s|%s|%s" % (suite.get("name"), suite.get("tests"), suite.get("failures"), suite.get("errors")))
    for case in suite.findall("testcase"):
        bad = case.find("failure") if case.find("failure") is not None else case.find("error")
        print("case|%s|%s|%s|%s" % (case.get("classname"), case.get("name"),
              "" if bad is None else bad.tag, "" if bad is None else bad.get("message").replace("\n", "\\n")))
)py";
  auto outcome = testing::RunSubprocess({testing::kSystemPython, "-c", script, path}, {});
  std::filesystem::remove_all(dir);
  return outcome;
}

TEST(JunitReport, OneTestCasePerAssertionWithGoleakShapedFailures) {
  const auto xml = RenderJunitXml(testing::FullResult());
  const auto parsed = ParseCases(xml);
  ASSERT_EQ(parsed.exit_code, 0) << parsed.err << xml;
  EXPECT_NE(parsed.out.find("suite|blocked-send|4|3|0\n"), std::string::npos) << parsed.out;
  EXPECT_NE(parsed.out.find(
                "case|blocked-send|goroutines|failure|goroutines: baseline 4, final 304, limit 9\\n"
                "found unexpected goroutines:\\n"
                "[300 goroutines in state chan send, with main.blockedSend.func1 on top of the stack:\\n"
                "labels: route=/leak/blocked-send, tenant=7\\n"
                "runtime.gopark /usr/lib/go/src/runtime/proc.go:435\\n"),
            std::string::npos)
      << parsed.out;
  EXPECT_NE(parsed.out.find("created by main.blockedSend\\n\t/src/leaky/class01_blocked_send.go:40\\n]"),
            std::string::npos) << parsed.out;
  EXPECT_NE(parsed.out.find("case|blocked-send|fds|failure|fds: baseline 8, final 20, limit 11\\nopened and not closed:"
                            "\\n  10 × socket"),
            std::string::npos) << parsed.out;
  EXPECT_NE(parsed.out.find("case|blocked-send|heap_inuse_bytes||\n"), std::string::npos) << parsed.out;
  EXPECT_NE(parsed.out.find("case|blocked-send|p99 < 5ms [load]|failure|p99 < 5ms [load]: measured 9.8ms, "
                            "limit 5ms (p99 9.80ms)"),
            std::string::npos) << parsed.out;
  EXPECT_EQ(testing::CountOf(parsed.out, "case|"), 4u) << "no run-level case when the assertions tell the story";
  // The message names the top group only; the element's text lists every group.
  EXPECT_NE(xml.find("type=\"leak\">goroutines: baseline 4"), std::string::npos);
  EXPECT_NE(xml.find("main.tickerWorker on top of the stack"), std::string::npos);
  EXPECT_NE(xml.find("<system-out>"), std::string::npos);
}

TEST(JunitReport, InterruptedRunIsAFailingRunCase) {
  const auto parsed = ParseCases(RenderJunitXml(testing::InterruptedResult()));
  ASSERT_EQ(parsed.exit_code, 0) << parsed.err;
  EXPECT_NE(parsed.out.find("suite|blocked-send|1|1|0\n"), std::string::npos) << parsed.out;
  EXPECT_NE(parsed.out.find("case|blocked-send|run|failure|interrupted; the result is partial\n"), std::string::npos)
      << parsed.out;
}

TEST(JunitReport, TargetFailureIsAnErroringRunCase) {
  const auto xml = RenderJunitXml(testing::TargetFailedResult());
  const auto parsed = ParseCases(xml);
  ASSERT_EQ(parsed.exit_code, 0) << parsed.err;
  EXPECT_NE(parsed.out.find("suite|blocked-send|1|0|1\n"), std::string::npos) << parsed.out;
  EXPECT_NE(parsed.out.find("case|blocked-send|run|error|target not ready within 10.0s"), std::string::npos)
      << parsed.out;
  EXPECT_NE(xml.find("type=\"target_failed\""), std::string::npos);
}

TEST(JunitReport, PassedRunWithoutAssertionsStillHasATestCase) {
  reports::RunResult r;
  r.scenario_name = "quiet";
  r.verdict = Verdict::kPass;
  r.exit_code = kExitPass;
  const auto parsed = ParseCases(RenderJunitXml(r));
  ASSERT_EQ(parsed.exit_code, 0) << parsed.err;
  EXPECT_NE(parsed.out.find("case|quiet|run||\n"), std::string::npos) << parsed.out;
}

TEST(JunitReport, HostileStringsKeepTheDocumentWellFormed) {
  const auto xml = RenderJunitXml(testing::HostileResult());
  const auto parsed = ParseCases(xml);
  ASSERT_EQ(parsed.exit_code, 0) << parsed.err;
  EXPECT_NE(parsed.out.find(std::string("case|") + testing::kHostileMarker), std::string::npos)
      << "the parser gives the original text back as the classname: " << parsed.out;
  EXPECT_TRUE(testing::ContainsNoneOf(xml, {"<script", "\x01"}));
}

}  // namespace junit_report_test
}  // namespace leakgate::reports
