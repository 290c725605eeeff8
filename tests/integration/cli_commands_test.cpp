// The subcommands as a user meets them: the real leakgate binary, the real Go example
// target (examples/go-targets/leaky) on a free loopback port, the real goroutine dumps of
// tests/fixtures. Each command's happy path, its errors and their exit codes. Every run
// is a few seconds at most.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "go_target_fixture.h"
#include "leakgate_process.h"
#include "probes/http_fetch.h"

namespace leakgate::testing {
namespace cli_commands_test {

using nlohmann::json;
using std::chrono::seconds;
using namespace std::chrono_literals;

std::string Fixture(const std::string& name) { return std::string(LEAKGATE_SOURCE_DIR) + "/tests/fixtures/" + name; }

std::string WriteFile(const std::string& dir, const std::string& name, const std::string& text) {
  const auto path = dir + "/" + name;
  std::ofstream(path) << text;
  return path;
}

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// ---------------------------------------------------------------------------------------
// --help

TEST(CliHelp, EveryCommandExplainsItselfWithExamples) {
  for (const char* command : {"run", "validate", "check", "probe", "diff", "load"}) {
    const auto r = RunLeakgate({command, "--help"}, seconds(10));
    EXPECT_EQ(r.exit_code, 0) << command << r.err;
    EXPECT_TRUE(Contains(r.out, "Examples:")) << command << ":\n" << r.out;
    EXPECT_TRUE(Contains(r.out, std::string("leakgate ") + command)) << command << ":\n" << r.out;
  }
  const auto r = RunLeakgate({"--help"}, seconds(10));
  EXPECT_EQ(r.exit_code, 0);
  for (const char* command : {"run", "validate", "check", "probe", "diff", "load"}) {
    EXPECT_TRUE(Contains(r.out, command)) << r.out;
  }
}

TEST(CliHelp, AMissingArgumentIsAFlagError) {
  const auto r = RunLeakgate({"diff", Fixture("goroutines/go1.26/baseline.debug2.txt")}, seconds(10));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err + r.out, "after")) << r.err << r.out;
}

// ---------------------------------------------------------------------------------------
// validate

TEST(CliValidate, PrintsWhatTheScenarioResolvesTo) {
  const auto r = RunLeakgate({"validate", "scenarios/demo.yaml"}, seconds(30));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "scenarios/demo.yaml: ok")) << r.out;
  EXPECT_TRUE(Contains(r.out, "/healthz answers 200")) << r.out;
  EXPECT_TRUE(Contains(r.out, "every request prepared")) << r.out;
}

TEST(CliValidate, AUrlTargetWithoutReadyWaitsForItsProbeEndpoint) {
  const auto dir = MakeTempDir("leakgate-validate");
  const auto path = WriteFile(dir, "s.yaml", R"(name: running
target: {url: "http://127.0.0.1:8080"}
traffic: [{name: hello, path: /hello}]
phases: [{name: load, duration: 1s, rate: 1}]
)");
  const auto r = RunLeakgate({"validate", path}, seconds(30));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "GET http://127.0.0.1:8080/debug/pprof/goroutine?debug=1 answers 200")) << r.out;
  std::filesystem::remove_all(dir);
}

TEST(CliValidate, ABadKeyExits2WithFileLineColumn) {
  const auto dir = MakeTempDir("leakgate-validate");
  const auto path = WriteFile(dir, "s.yaml", R"(name: t
target: {url: "http://127.0.0.1:8080"}
traffic: [{name: hello, path: /hello}]
phases:
  - {name: load, duration: 1s, rat: 1}
)");
  const auto r = RunLeakgate({"validate", path}, seconds(30));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, path + ":5:")) << r.err;
  EXPECT_TRUE(Contains(r.err, "rat")) << r.err;
  std::filesystem::remove_all(dir);
}

// The gRPC request is checked against its message type from the .proto, without a server.
TEST(CliValidate, AGrpcRequestThatDoesNotMatchItsMessageTypeExits2WithFileLineColumn) {
  const auto dir = MakeTempDir("leakgate-validate");
  const std::string protos = std::string(LEAKGATE_SOURCE_DIR) + "/examples/go-targets/grpc/proto";
  const auto path = WriteFile(dir, "s.yaml", R"(name: t
target: {url: "http://127.0.0.1:8080"}
grpc:
  protos: [leakgate/example/v1/leak.proto]
  import_paths: [")" + protos + R"("]
traffic:
  - name: blocked-send
    grpc:
      method: leakgate.example.v1.LeakService/BlockedSend
      request: {id: leakgate, no_such_field: 30}
phases: [{name: load, duration: 1s, rate: 1}]
)");
  const auto r = RunLeakgate({"validate", path}, seconds(30));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_TRUE(Contains(r.err, path + ":7:")) << "the traffic entry's place: " << r.err;
  EXPECT_TRUE(Contains(r.err, "no_such_field")) << r.err;

  std::string fixed = ReadFile(path);
  fixed.replace(fixed.find("no_such_field"), std::string("no_such_field").size(), "work_ms");
  const auto ok = WriteFile(dir, "ok.yaml", fixed);
  const auto r2 = RunLeakgate({"validate", ok}, seconds(30));
  EXPECT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_TRUE(Contains(r2.out, "gRPC requests match their message types")) << r2.out;
  std::filesystem::remove_all(dir);
}

TEST(CliValidate, AMissingReplayFileExits2) {
  const auto dir = MakeTempDir("leakgate-validate");
  const auto path = WriteFile(dir, "s.yaml", R"(name: t
target: {url: "http://127.0.0.1:8080"}
traffic:
  - {name: recorded, replay: {file: /nonexistent/recording.jsonl}}
phases: [{name: load, duration: 1s, replay: recorded}]
)");
  const auto r = RunLeakgate({"validate", path}, seconds(30));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_TRUE(Contains(r.err, path + ":4:")) << r.err;
  EXPECT_TRUE(Contains(r.err, "/nonexistent/recording.jsonl")) << r.err;
  std::filesystem::remove_all(dir);
}

// ---------------------------------------------------------------------------------------
// diff

TEST(CliDiff, TheLeakyDumpGrewByTheBlockedSendGroupAndOthers) {
  const auto r = RunLeakgate({"diff", Fixture("goroutines/go1.26/baseline.debug2.txt"),
                              Fixture("goroutines/go1.26/leaky.debug2.txt")},
                             seconds(30));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(Contains(r.out, "+20 goroutines [chan send]: main.blockedSend.func1")) << r.out;
  EXPECT_TRUE(Contains(r.out, "created by main.blockedSend at ")) << r.out;
  EXPECT_TRUE(Contains(r.out, "class01_blocked_send.go:")) << "one stack with file:line: " << r.out;
  EXPECT_TRUE(Contains(r.out, "FAIL:")) << r.out;
}

TEST(CliDiff, JsonListsEveryGroupLargestFirst) {
  const auto r = RunLeakgate({"diff", Fixture("goroutines/go1.26/baseline.debug2.txt"),
                              Fixture("goroutines/go1.26/leaky.debug2.txt"), "--json"},
                             seconds(30));
  ASSERT_EQ(r.exit_code, 1) << r.err;
  const auto j = json::parse(r.out);
  EXPECT_EQ(j["before"]["goroutines"], 11);
  EXPECT_EQ(j["after"]["goroutines"], 151);
  EXPECT_TRUE(j["failed"].get<bool>());
  ASSERT_GE(j["grew"].size(), 5u);
  bool blocked_send = false;
  for (size_t i = 0; i < j["grew"].size(); ++i) {
    const auto& g = j["grew"][i];
    if (i > 0) {
      EXPECT_LE(g["count"], j["grew"][i - 1]["count"]) << "largest first";
    }
    if (g["function"] == "main.blockedSend.func1") {
      blocked_send = true;
      EXPECT_EQ(g["count"], 20);
      EXPECT_EQ(g["state"], "chan send");
      EXPECT_EQ(g["created_by"], "main.blockedSend");
      EXPECT_FALSE(g["stack"].empty());
    }
  }
  EXPECT_TRUE(blocked_send) << r.out;
}

TEST(CliDiff, WithinToleranceOrShrinkingExits0) {
  // The leaks come in groups of exactly 20 (tests/fixtures/README.md).
  auto r = RunLeakgate({"diff", Fixture("goroutines/go1.26/baseline.debug2.txt"),
                        Fixture("goroutines/go1.26/leaky.debug2.txt"), "--tolerance", "20"},
                       seconds(30));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(Contains(r.out, "ok: no group grew by more than 20")) << r.out;
  r = RunLeakgate({"diff", Fixture("goroutines/go1.26/baseline.debug2.txt"),
                   Fixture("goroutines/go1.26/leaky.debug2.txt"), "--tolerance", "19"},
                  seconds(30));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  r = RunLeakgate({"diff", Fixture("goroutines/go1.26/leaky.debug2.txt"),
                   Fixture("goroutines/go1.26/baseline.debug2.txt")},
                  seconds(30));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(Contains(r.out, "no goroutine group grew")) << r.out;
}

TEST(CliDiff, Go119DumpsDiffToo) {
  const auto r = RunLeakgate({"diff", Fixture("goroutines/go1.19/baseline.debug2.txt"),
                              Fixture("goroutines/go1.19/leaky.debug2.txt")},
                             seconds(30));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(Contains(r.out, "main.blockedSend.func1")) << r.out;
}

TEST(CliDiff, UnreadableOrWrongFilesExit2NamingThem) {
  auto r = RunLeakgate({"diff", "/nonexistent/before.txt", Fixture("goroutines/go1.26/leaky.debug2.txt")}, seconds(30));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "BEFORE /nonexistent/before.txt")) << r.err;
  r = RunLeakgate({"diff", Fixture("goroutines/go1.26/baseline.debug2.txt"),
                   Fixture("goroutines/go1.26/leaky.debug1.txt")},
                  seconds(30));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "AFTER")) << r.err;
  EXPECT_TRUE(Contains(r.err, "debug=1 profile")) << "says what to take instead: " << r.err;
  r = RunLeakgate({"diff", Fixture("goroutines/go1.26/baseline.debug2.txt"),
                   Fixture("goroutines/go1.26/leaky.debug2.txt"), "--tolerance", "-1"},
                  seconds(30));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err + r.out, "--tolerance")) << r.err << r.out;
}

// ---------------------------------------------------------------------------------------
// probe and check, against the running Go target

class CliAgainstTarget : public GoTargetTest {
 protected:
  // `n` goroutines left in main.blockedSend.func1 [chan send]: the handler's own timeout
  // (1 ms) ends the request before the work (50 ms) is done (class01_blocked_send.go).
  void LeakBlockedSends(int n) {
    for (int i = 0; i < n; ++i) {
      const auto r = probes::HttpGet(url_ + "/leak/blocked-send?work=50&timeout=1", {.timeout = 5s});
      ASSERT_TRUE(r.ok()) << r.status().message();
    }
  }
};

TEST_F(CliAgainstTarget, ProbeShowsTheGroupsHeapAndTheProcessFoundByItsPort) {
  StartTarget("leaky");
  LeakBlockedSends(5);
  json j;
  for (int i = 0; i < 100; ++i) {  // until the five workers are past their 50 ms of work
    const auto r = RunLeakgate({"probe", url_, "--json"}, seconds(20));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    j = json::parse(r.out);
    bool found = false;
    for (const auto& g : j["groups"]) {
      found = found || (g["function"] == "main.blockedSend.func1" && g["state"] == "chan send" && g["count"] == 5);
    }
    if (found) break;
    std::this_thread::sleep_for(50ms);
  }
  bool found = false;
  for (const auto& g : j["groups"]) {
    if (g["function"] != "main.blockedSend.func1") continue;
    found = true;
    EXPECT_EQ(g["count"], 5);
    EXPECT_EQ(g["state"], "chan send");
    EXPECT_EQ(g["created_by"], "main.blockedSend");
  }
  EXPECT_TRUE(found) << j.dump(2);
  EXPECT_GE(j["goroutines"].get<int>(), 5);
  EXPECT_EQ(j["pid"], target_->pid()) << "found by the listening port";
  EXPECT_GT(j["resources"]["fds"].get<double>(), 0);
  EXPECT_GT(j["resources"]["heap_inuse_bytes"].get<double>(), 0);

  const auto text = RunLeakgate({"probe", url_, "--top", "3"}, seconds(20));
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_TRUE(Contains(text.out, "main.blockedSend.func1")) << text.out;
  EXPECT_TRUE(Contains(text.out, "heap        in use")) << text.out;
  EXPECT_TRUE(Contains(text.out, "process     pid " + std::to_string(target_->pid()))) << text.out;
}

TEST_F(CliAgainstTarget, ProbeRefusesOtherHostsAndReportsAnUnreachableService) {
  auto r = RunLeakgate({"probe", "http://192.0.2.1:8080"}, seconds(10));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "is not loopback")) << r.err;
  r = RunLeakgate({"probe", "http://127.0.0.1:" + std::to_string(runner::AllocateLoopbackPort())}, seconds(20));
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_TRUE(Contains(r.err, "goroutine?debug=2")) << r.err;
  StartTarget("fixed");
  r = RunLeakgate({"probe", url_, "--pprof", "http://10.1.1.1:6060/debug/pprof"}, seconds(10));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "--pprof")) << r.err;
  r = RunLeakgate({"probe", url_, "--top", "0"}, seconds(10));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "--top")) << r.err;
}

std::vector<std::string> CheckCommandLine(const std::string& url, const std::string& out) {
  return {"check", url, "--hit", "GET /leak/blocked-send", "--rate", "100", "--duration", "2s", "--warmup", "500ms",
          "--cancel-after", "10ms", "--settle", "3s", "--out", out};
}

TEST_F(CliAgainstTarget, CheckFindsTheClass1LeakAndNamesIt) {
  StartTarget("leaky");
  const auto out = MakeTempDir("leakgate-check");
  const auto r = RunLeakgate(CheckCommandLine(url_, out), seconds(60));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "main.blockedSend.func1")) << r.out;
  EXPECT_TRUE(Contains(r.err, "target ready after")) << r.err;
  EXPECT_TRUE(Contains(r.err, url_ + "/debug/pprof/goroutine?debug=1"))
      << "no ready: given, so the probe endpoint decided: " << r.err;
  const auto result = json::parse(ReadFile(out + "/result.json"));
  EXPECT_EQ(result["verdict"], "fail");
  ASSERT_FALSE(result["leaks"].empty());
  EXPECT_EQ(result["leaks"][0]["function"], "main.blockedSend.func1");
  EXPECT_TRUE(std::filesystem::exists(out + "/report.html"));
  std::filesystem::remove_all(out);
}

TEST_F(CliAgainstTarget, CheckPassesTheFixedTwin) {
  StartTarget("fixed");
  const auto out = MakeTempDir("leakgate-check");
  const auto r = RunLeakgate(CheckCommandLine(url_, out), seconds(60));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(json::parse(ReadFile(out + "/result.json"))["verdict"], "pass");
  std::filesystem::remove_all(out);
}

TEST(CliCheck, FlagErrorsExit2NamingTheFlag) {
  auto r = RunLeakgate({"check", "http://127.0.0.1:1"}, seconds(10));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err + r.out, "--hit")) << r.err << r.out;
  r = RunLeakgate({"check", "http://127.0.0.1:1", "--hit", "GET"}, seconds(10));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "--hit")) << r.err;
  r = RunLeakgate({"check", "http://127.0.0.1:1", "--hit", "/x", "--duration", "soon"}, seconds(10));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "--duration")) << r.err;
  r = RunLeakgate({"check", "http://203.0.113.7:80", "--hit", "/x"}, seconds(10));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "is not loopback")) << r.err;
}

TEST(CliCheck, NothingListeningIsATargetFailure) {
  const auto port = std::to_string(runner::AllocateLoopbackPort());
  const auto r = RunLeakgate({"check", "http://127.0.0.1:" + port, "--hit", "/x", "--quiet"}, seconds(30));
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "not ready")) << r.out;
  EXPECT_TRUE(Contains(r.out, "probe endpoint")) << "says what it waited for: " << r.out;
}

}  // namespace cli_commands_test
}  // namespace leakgate::testing
