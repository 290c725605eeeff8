// Bad input and failing targets: distinct exit codes, messages that name the place, and a
// report that is still written (partial) when the run cannot finish.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>
#include <nlohmann/json.hpp>

#include "harness/runner/ports.h"
#include "leakgate_process.h"

namespace leakgate::testing {
namespace cli_errors_test {

using nlohmann::json;
using std::chrono::seconds;

// Writes a scenario into a fresh temp dir and returns its path.
std::string WriteScenario(const std::string& yaml) {
  const auto dir = MakeTempDir("leakgate-cli");
  const auto path = dir + "/s.yaml";
  std::ofstream(path) << yaml;
  return path;
}

const char* kValidPrefix = R"(name: t
target:
  command: [build/examples/go-targets/leaky, -addr, "127.0.0.1:${port}", -mode, fixed]
traffic:
  - {name: hello, path: /hello}
)";

TEST(CliErrors, TypoInKeyExits2WithFileLineColumn) {
  const auto path = WriteScenario(std::string(kValidPrefix) + "phases:\n  - {name: load, duraton: 1s, rate: 10}\n");
  const auto r = RunLeakgate({"run", path}, seconds(30));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(path + ":7:18"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("duraton"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("duration"), std::string::npos) << "suggests the right key: " << r.err;
}

TEST(CliErrors, BadDurationExits2WithFileLineColumn) {
  const auto path = WriteScenario(std::string(kValidPrefix) + "phases:\n  - name: load\n    duration: 8x\n");
  const auto r = RunLeakgate({"run", path}, seconds(30));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(path + ":8:15"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("8x"), std::string::npos) << r.err;
}

TEST(CliErrors, MissingScenarioFileExits2NamingIt) {
  const auto r = RunLeakgate({"run", "/nonexistent/leakgate.yaml"}, seconds(30));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/nonexistent/leakgate.yaml"), std::string::npos) << r.err;
}

TEST(CliErrors, UnknownFlagAndBadVarExit2NamingTheFlag) {
  auto r = RunLeakgate({"run", "scenarios/demo.yaml", "--bogus"}, seconds(30));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE((r.err + r.out).find("--bogus"), std::string::npos) << r.err << r.out;
  r = RunLeakgate({"run", "scenarios/demo.yaml", "--var", "novalue"}, seconds(30));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--var"), std::string::npos) << r.err;
}

TEST(CliErrors, NonexistentTargetCommandExits3AndWritesTheReport) {
  const auto path = WriteScenario(R"(name: t
target:
  command: [/nonexistent/target-binary, -addr, "127.0.0.1:${port}"]
traffic:
  - {name: hello, path: /hello}
phases:
  - {name: load, duration: 1s, rate: 10}
)");
  const auto out = MakeTempDir("leakgate-cli-out");
  const auto r = RunLeakgate({"run", path, "--out", out}, seconds(30));
  EXPECT_EQ(r.exit_code, 3) << r.err << r.out;
  EXPECT_NE((r.out + r.err).find("/nonexistent/target-binary"), std::string::npos) << r.out << r.err;
  const auto result = json::parse(ReadFile(out + "/result.json"));
  EXPECT_EQ(result["verdict"], "error");
  EXPECT_EQ(result["exit_code"], 3);
}

TEST(CliErrors, TargetThatExitsBeforeReadyExits3WithItsOutput) {
  const auto path = WriteScenario(R"(name: t
target:
  command: [build/examples/go-targets/leaky, -addr, "127.0.0.1:${port}", -mode, nonsense]
traffic:
  - {name: hello, path: /hello}
phases:
  - {name: load, duration: 1s, rate: 10}
)");
  const auto r = RunLeakgate({"run", path}, seconds(30));
  EXPECT_EQ(r.exit_code, 3) << r.err << r.out;
  EXPECT_NE(r.out.find("exited with status"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("nonsense"), std::string::npos) << "the target's own complaint is shown: " << r.out;
}

TEST(CliErrors, TargetNeverReadyExits3AfterTheReadyTimeout) {
  const auto path = WriteScenario(R"(name: t
target:
  command: [sleep, "30"]
  url: "http://127.0.0.1:${port}"
  ready_timeout: 1s
traffic:
  - {name: hello, path: /hello}
phases:
  - {name: load, duration: 1s, rate: 10}
)");
  const auto started = std::chrono::steady_clock::now();
  const auto r = RunLeakgate({"run", path}, seconds(30));
  EXPECT_EQ(r.exit_code, 3) << r.err << r.out;
  EXPECT_NE(r.out.find("not ready"), std::string::npos) << r.out;
  EXPECT_LT(std::chrono::steady_clock::now() - started, seconds(15)) << "and the sleeping target was stopped";
}

TEST(CliErrors, SigintWritesAPartialReportAndExits130) {
  const auto out = MakeTempDir("leakgate-int");
  const auto r = RunLeakgate({"run", "scenarios/demo.yaml", "--out", out}, seconds(60), std::chrono::milliseconds(4500));
  EXPECT_EQ(r.exit_code, 130) << r.err << r.out;
  const auto result = json::parse(ReadFile(out + "/result.json"));
  EXPECT_EQ(result["verdict"], "interrupted");
  EXPECT_EQ(result["exit_code"], 130);
  EXPECT_GE(result["phases"].size(), 1u) << "the phases that ran are kept";
}

TEST(CliErrors, ValidateAcceptsEveryShippedScenario) {
  for (const auto& entry : std::filesystem::directory_iterator(std::string(LEAKGATE_SOURCE_DIR) + "/scenarios")) {
    if (entry.path().extension() != ".yaml") continue;
    const auto r = RunLeakgate({"validate", entry.path().string()}, seconds(30));
    EXPECT_EQ(r.exit_code, 0) << entry.path() << ": " << r.err;
  }
}

// Regression: a URL without a scheme exited 3 with "mismatch".
TEST(CliErrors, LoadUrlWithoutSchemeOrWithBadPortExits2Saying) {
  auto r = RunLeakgate({"load", "127.0.0.1:8080/x", "--rate", "10", "--duration", "1s"}, seconds(30));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("URL \"127.0.0.1:8080/x\": no scheme (expected http://host:port/...)"), std::string::npos)
      << r.err;
  r = RunLeakgate({"load", "http://127.0.0.1:99999/", "--rate", "10", "--duration", "1s"}, seconds(30));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("port \"99999\" out of range"), std::string::npos) << r.err;
  r = RunLeakgate({"load", "http://127.0.0.1:1/", "--rate", "10", "--duration", "1s", "--allow-host", "a b"},
                  seconds(30));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--allow-host: \"a b\" is not a host name or IP address"), std::string::npos) << r.err;
}

// Ceilings (harness/scenario/limits.h): a flag beyond one exits 2 naming it, before
// anything is sent (port 1 would refuse every request, exit 0 with errors).
TEST(CliErrors, LoadAndCheckFlagsBeyondTheirCeilingsExit2NamingTheFlag) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--rate", "1e12"}, "--rate: must be in [0, 10000000]"},
      {{"--concurrency", "10000000"}, "--concurrency: must be in [0, 100000], got 10000000"},
      {{"--rate", "10", "--threads", "100000"}, "--threads: must be in [0, 256], got 100000"},
      {{"--rate", "10", "--threads", "-3"}, "--threads: must be in [0, 256], got -3"},
      {{"--rate", "10", "--connections", "-1"}, "--connections: must be in [0, 1000000], got -1"},
      {{"--rate", "10", "--streams", "0"}, "--streams: must be in [1, 100000], got 0"},
      {{"--rate", "10", "--duration", "25h"}, "--duration: must be at most 24h0m0s (leakgate's ceiling), got 25h0m0s"},
      {{"--rate", "10", "--timeout", "2h"}, "--timeout: must be at most 1h0m0s (leakgate's ceiling), got 2h0m0s"},
  };
  for (const auto& [flags, message] : cases) {
    std::vector<std::string> args{"load", "http://127.0.0.1:1/"};
    args.insert(args.end(), flags.begin(), flags.end());
    const auto r = RunLeakgate(args, seconds(30));
    EXPECT_EQ(r.exit_code, 2) << flags[0] << ": " << r.err << r.out;
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
  }
  const auto r = RunLeakgate({"check", "http://127.0.0.1:1", "--hit", "/x", "--rate", "2e7"}, seconds(30));
  EXPECT_EQ(r.exit_code, 2) << r.err << r.out;
  EXPECT_NE((r.err + r.out).find("--rate: must be at most 10000000 (leakgate's ceiling)"), std::string::npos)
      << r.err << r.out;
}

// Regression: a rate far beyond what the client sends (here every request fails at once
// against a closed loopback port) ran a 1 s phase for about a minute, sending every
// arrival late. Arrivals unsent at the phase's end are dropped: the phase stops on time.
TEST(CliErrors, LoadAtTheRateCeilingStopsOnTimeAndCountsWhatItDropped) {
  const auto port = std::to_string(runner::AllocateLoopbackPort());  // nothing listens there
  const auto start = std::chrono::steady_clock::now();
  const auto r = RunLeakgate({"load", "http://127.0.0.1:" + port + "/", "--rate", "10000000", "--duration", "1s", "--json"},
                             seconds(60));
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LT(took, seconds(15)) << "a 1 s phase; it took about 55 s before the fix";
  const auto j = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_EQ(j["scheduled"].get<int64_t>(), 10'000'000);
  EXPECT_GT(j["dropped"].get<int64_t>(), 0);
  EXPECT_EQ(j["requests"].get<int64_t>() + j["dropped"].get<int64_t>(), j["scheduled"].get<int64_t>());
}

}  // namespace cli_errors_test
}  // namespace leakgate::testing
