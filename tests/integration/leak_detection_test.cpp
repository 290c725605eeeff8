// The detection matrix: leakgate run against the real Go example target, for every leak
// class it carries. Leaky variant → exit 1 with the culprit named in result.json; fixed
// twin → exit 0. Runs are shortened with --var (load, settle), never with mocks.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "leakgate_process.h"

namespace leakgate::testing {
namespace {

using nlohmann::json;

struct LeakCase {
  std::string scenario;        // under scenarios/
  std::string function;        // expected top leaked function ("" for fd-only classes)
  std::string state;           // expected goroutine state ("" to skip)
  std::string fd_target_part;  // expected substring of the top fd leak ("" for goroutine classes)
};

// gtest prints a parameter with the test's name; the scenario file says all there is.
void PrintTo(const LeakCase& c, std::ostream* os) { *os << c.scenario; }

std::string CaseName(const ::testing::TestParamInfo<LeakCase>& info) {
  std::string name = info.param.scenario;
  for (auto& c : name) {
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

struct RunOutput {
  ProcessOutcome process;
  json result;
};

RunOutput RunScenario(const std::string& scenario, const std::vector<std::string>& extra) {
  const std::string out = MakeTempDir("leakgate-it");
  std::vector<std::string> args{"run", "scenarios/" + scenario, "--out", out, "--quiet"};
  args.insert(args.end(), extra.begin(), extra.end());
  RunOutput r;
  r.process = RunLeakgate(args, std::chrono::seconds(120));
  const auto path = out + "/result.json";
  if (std::filesystem::exists(path)) r.result = json::parse(ReadFile(path));
  std::filesystem::remove_all(out);
  return r;
}

class LeakDetection : public ::testing::TestWithParam<LeakCase> {};

TEST_P(LeakDetection, LeakyVariantFailsNamingTheCulprit) {
  const auto& c = GetParam();
  const auto r = RunScenario(c.scenario, {"--var", "mode=leaky", "--var", "load=3s", "--var", "settle=4s"});
  ASSERT_EQ(r.process.exit_code, 1) << r.process.out << r.process.err;
  ASSERT_TRUE(r.result.is_object());
  EXPECT_EQ(r.result["verdict"], "fail");
  EXPECT_EQ(r.result["exit_code"], 1);
  if (!c.function.empty()) {
    ASSERT_FALSE(r.result["leaks"].empty()) << r.result.dump(2);
    const auto& top = r.result["leaks"][0];
    EXPECT_EQ(top["function"], c.function) << r.result["leaks"].dump(2);
    if (!c.state.empty()) {
      EXPECT_EQ(top["state"], c.state) << top.dump(2);
    }
    EXPECT_GE(top["count"].get<int>(), 50) << "a 3 s load at 200 req/s leaks far more than 50";
    EXPECT_NE(r.process.out.find(c.function), std::string::npos) << "the console summary names it too";
  }
  if (!c.fd_target_part.empty()) {
    ASSERT_FALSE(r.result["fd_leaks"].empty()) << r.result.dump(2);
    EXPECT_NE(r.result["fd_leaks"][0]["target"].get<std::string>().find(c.fd_target_part), std::string::npos)
        << r.result["fd_leaks"].dump(2);
    EXPECT_GE(r.result["fd_leaks"][0]["count"].get<int>(), 50);
  }
}

TEST_P(LeakDetection, FixedTwinPasses) {
  const auto& c = GetParam();
  const auto r = RunScenario(c.scenario, {"--var", "mode=fixed", "--var", "load=3s", "--var", "settle=8s"});
  ASSERT_EQ(r.process.exit_code, 0) << r.process.out << r.process.err;
  EXPECT_EQ(r.result["verdict"], "pass");
  EXPECT_TRUE(r.result["leaks"].empty()) << r.result["leaks"].dump(2);
  EXPECT_GT(r.result["phases"][1]["requests"].get<int>(), 400) << "the load phase really ran";
}

INSTANTIATE_TEST_SUITE_P(
    Classes, LeakDetection,
    ::testing::Values(LeakCase{"leak-01-blocked-send.yaml", "main.blockedSend.func1", "chan send", ""},
                      LeakCase{"leak-02-no-ctx-done.yaml", "main.noCtxDoneWorker", "select", ""},
                      LeakCase{"leak-05-range-unclosed.yaml", "main.rangeUnclosedWorker", "chan receive", ""},
                      LeakCase{"leak-09-unclosed-file.yaml", "", "", "audit-journal.dat"}),
    CaseName);

// The README's demo, unchanged: leaky → 1 naming the class-1 closure; fixed → 0.
TEST(Demo, LeakyDemoNamesTheBlockedSendClosure) {
  const auto r = RunScenario("demo.yaml", {});
  ASSERT_EQ(r.process.exit_code, 1) << r.process.out << r.process.err;
  ASSERT_FALSE(r.result["leaks"].empty());
  EXPECT_EQ(r.result["leaks"][0]["function"], "main.blockedSend.func1");
  EXPECT_EQ(r.result["leaks"][0]["created_by"], "main.blockedSend");
  EXPECT_EQ(r.result["leaks"][0]["state"], "chan send");
  const auto& load = r.result["phases"][1];
  EXPECT_EQ(load["name"], "load");
  EXPECT_GT(load["cancelled"].get<int>(), 300) << "about half of 2400 requests are cancelled";
  EXPECT_GE(r.result["assertions"][0]["final"].get<double>(), r.result["leaks"][0]["count"].get<double>());
}

TEST(Demo, FixedDemoPasses) {
  const auto r = RunScenario("demo.yaml", {"--var", "mode=fixed"});
  ASSERT_EQ(r.process.exit_code, 0) << r.process.out << r.process.err;
  EXPECT_EQ(r.result["verdict"], "pass");
  EXPECT_TRUE(r.result["settled"].get<bool>());
}

}  // namespace
}  // namespace leakgate::testing
