// Thresholds besides leaks, end to end: the real leakgate binary runs scenarios with
// phase thresholds against the real Go example target (examples/go-targets/leaky). A
// threshold that holds leaves the run a pass (exit 0); one that cannot hold — a p50 below
// the 30 ms the /slow endpoint sleeps — fails it with exit 4; with a real leak as well
// (class 1, blocked senders) the leak's exit 1 wins and both assertions are reported. The
// reports are checked by their consumers: result.json against its schema, junit.xml by
// Python's XML parser (one test case per threshold), summary.md and the console by text.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/integration/leakgate_process.h"
#include "tests/reports/external_tools.h"

namespace leakgate::testing {
namespace thresholds_test {

namespace fs = std::filesystem;
using nlohmann::json;

struct ThresholdRun {
  ProcessOutcome process;
  json result;
  std::string junit, summary;
};

// One run of a scenario: `mode` of the target, one traffic `path`, 1.5 s of load at
// 100 req/s with `thresholds` (a YAML flow list), goroutines asserted.
ThresholdRun RunWithThresholds(const std::string& mode, const std::string& path, const std::string& thresholds,
                 const std::string& settle) {
  const std::string dir = MakeTempDir("leakgate-thresholds");
  {
    std::ofstream f(dir + "/thresholds.yaml");
    f << "name: thresholds\n"
         "target:\n  command: [\"" LEAKGATE_GO_TARGET "\", -addr, \"127.0.0.1:${port}\", -mode, " << mode << "]\n"
      << "  ready: /healthz\n"
         "traffic: [{name: t, path: \"" << path << "\"}]\n"
      << "phases:\n"
         "  - {name: warmup, duration: 500ms, rate: 50}\n"
         "  - {name: load, duration: 1500ms, rate: 100, thresholds: " << thresholds << "}\n"
      << "assert: {settle: " << settle << ", goroutines: {tolerance: 5}}\n";
  }
  ThresholdRun run;
  run.process = RunLeakgate({"run", dir + "/thresholds.yaml", "--out", dir + "/out", "--quiet"}, std::chrono::seconds(90));
  if (fs::exists(dir + "/out/result.json")) run.result = json::parse(ReadFile(dir + "/out/result.json"));
  const auto schema = ValidateResultJson(dir + "/out/result.json");
  EXPECT_EQ(schema.exit_code, 0) << schema.out << schema.err;
  const auto xml = ParseXml(dir + "/out/junit.xml");
  EXPECT_EQ(xml.exit_code, 0) << xml.err;
  run.junit = ReadFile(dir + "/out/junit.xml");
  run.summary = ReadFile(dir + "/out/summary.md");
  fs::remove_all(dir);
  return run;
}

// The assertion named `name` in result.json (null when absent).
json Assertion(const json& result, const std::string& name) {
  for (const auto& a : result["assertions"]) {
    if (a["name"] == name) return a;
  }
  return nullptr;
}

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(Thresholds, ThresholdsThatHoldPassTheRun) {
  const auto r = RunWithThresholds("fixed", "/hello", R"(["p99 < 5s", "errors < 1%", "rate > 50%", "req/s > 10"])", "5s");
  ASSERT_EQ(r.process.exit_code, 0) << r.process.out << r.process.err;
  EXPECT_EQ(r.result["verdict"], "pass");
  for (const char* name : {"p99 < 5s", "errors < 1%", "rate > 50%", "req/s > 10"}) {
    const auto a = Assertion(r.result, name);
    ASSERT_TRUE(a.is_object()) << name << ": " << r.result["assertions"].dump(2);
    EXPECT_EQ(a["kind"], "threshold") << name;
    EXPECT_EQ(a["phase"], "load") << name;
    EXPECT_TRUE(a["passed"].get<bool>()) << a.dump();
    std::string attribute = std::string(name) + " [load]";  // as XML writes it
    for (size_t at = 0; (at = attribute.find_first_of("<>", at)) != std::string::npos; ++at) {
      attribute.replace(at, 1, attribute[at] == '<' ? "&lt;" : "&gt;");
    }
    EXPECT_TRUE(Contains(r.junit, "name=\"" + attribute + "\"")) << "one test case each: " << r.junit;
  }
  const auto rate = Assertion(r.result, "rate > 50%");
  EXPECT_EQ(rate["unit"], "%");
  EXPECT_GT(rate["final"].get<double>(), 50);
  EXPECT_LE(rate["final"].get<double>(), 101) << "the achieved share of 100 req/s";
}

TEST(Thresholds, AFailedThresholdExits4AndEveryReportSaysWhich) {
  const auto r = RunWithThresholds("fixed", "/slow?ms=30", R"(["p50 < 5ms", "errors < 1%"])", "5s");
  ASSERT_EQ(r.process.exit_code, 4) << r.process.out << r.process.err;
  EXPECT_EQ(r.result["verdict"], "fail");
  EXPECT_EQ(r.result["exit_code"], 4);
  EXPECT_TRUE(r.result["message"].get<std::string>().starts_with("threshold failed: p50 < 5ms [load]: p50 "))
      << r.result["message"];
  const auto p50 = Assertion(r.result, "p50 < 5ms");
  ASSERT_TRUE(p50.is_object()) << r.result["assertions"].dump(2);
  EXPECT_FALSE(p50["passed"].get<bool>());
  EXPECT_GE(p50["final"].get<double>(), 30) << "every request sleeps 30 ms";
  EXPECT_EQ(p50["unit"], "ms");
  EXPECT_TRUE(Assertion(r.result, "errors < 1%")["passed"].get<bool>());
  EXPECT_TRUE(Assertion(r.result, "goroutines")["passed"].get<bool>()) << "no leak";
  EXPECT_TRUE(Contains(r.junit, "name=\"p50 &lt; 5ms [load]\"")) << r.junit;
  EXPECT_TRUE(Contains(r.junit, "type=\"threshold\"")) << r.junit;
  EXPECT_TRUE(Contains(r.summary, "| ❌ | p50 &lt; 5ms \\[load\\] |")) << r.summary;
  EXPECT_TRUE(Contains(r.process.out, "FAIL p50 < 5ms [load]")) << "the console too: " << r.process.out;
}

TEST(Thresholds, ALeakOutranksAFailedThresholdAndBothAreReported) {
  const auto r = RunWithThresholds("leaky", "/leak/blocked-send?work=50&timeout=1", R"(["p50 < 100us"])", "2s");
  ASSERT_EQ(r.process.exit_code, 1) << r.process.out << r.process.err;
  EXPECT_EQ(r.result["exit_code"], 1);
  const auto goroutines = Assertion(r.result, "goroutines");
  ASSERT_TRUE(goroutines.is_object()) << r.result["assertions"].dump(2);
  EXPECT_FALSE(goroutines["passed"].get<bool>());
  EXPECT_EQ(goroutines["kind"], "leak");
  const auto p50 = Assertion(r.result, "p50 < 100us");
  ASSERT_TRUE(p50.is_object()) << r.result["assertions"].dump(2);
  EXPECT_FALSE(p50["passed"].get<bool>()) << "the handler waits its 1 ms timeout";
  EXPECT_EQ(p50["kind"], "threshold");
  ASSERT_FALSE(r.result["leaks"].empty());
  EXPECT_EQ(r.result["leaks"][0]["function"], "main.blockedSend.func1");
  EXPECT_TRUE(Contains(r.junit, "type=\"leak\"")) << r.junit;
  EXPECT_TRUE(Contains(r.junit, "type=\"threshold\"")) << r.junit;
}

// validate shows the thresholds per phase, and a bad one exits 2 at its character.
TEST(Thresholds, ValidateShowsThemAndPlacesABadOneAtFileLineColumn) {
  const std::string dir = MakeTempDir("leakgate-thresholds");
  const auto write = [&](const std::string& name, const std::string& thresholds) {
    std::ofstream(dir + "/" + name) << "name: t\ntarget: {url: \"http://127.0.0.1:9\"}\ntraffic: [{name: a, path: /}]\n"
                                       "phases:\n  - {name: load, duration: 1s, rate: 5, thresholds: "
                                    << thresholds << "}\n";
    return dir + "/" + name;
  };
  auto r = RunLeakgate({"validate", write("ok.yaml", R"(["p99 < 50ms", "errors < 1%"])")}, std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "load 1.0s at 5 req/s, thresholds p99 < 50ms, errors < 1%")) << r.out;
  r = RunLeakgate({"validate", write("bad.yaml", R"(["p99 < 50ms", "p99 =< 1s"])")}, std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_TRUE(Contains(r.err, "bad.yaml:5:73: phases[0].thresholds[1]: unknown comparison \"=<\"")) << r.err;
  fs::remove_all(dir);
}

}  // namespace thresholds_test
}  // namespace leakgate::testing
