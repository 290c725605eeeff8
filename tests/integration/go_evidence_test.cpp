// The Go runtime's own evidence, end to end against the real example target: pprof
// labels splitting leak groups (a go 1.27 build, whose debug=2 headers carry them), the
// goroutineleak profile's proof beside the counts, the GC trace of a started target
// (probe.gctrace), and the captures of probe.capture opened with the Go tools themselves.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "leakgate_process.h"

namespace leakgate::testing {
namespace go_evidence_test {

using nlohmann::json;

struct Run {
  ProcessOutcome process;
  json result;
  std::string dir;
};

Run RunYaml(const std::string& yaml) {
  Run r;
  r.dir = MakeTempDir("leakgate-go-evidence");
  {
    std::ofstream f(r.dir + "/scenario.yaml");
    f << yaml;
  }
  r.process = RunLeakgate({"run", r.dir + "/scenario.yaml", "--out", r.dir, "--quiet"}, std::chrono::seconds(90));
  if (std::filesystem::exists(r.dir + "/result.json")) r.result = json::parse(ReadFile(r.dir + "/result.json"));
  return r;
}

// One stuck function (main.blockedSend.func1) reached by GET and by DELETE: with
// group_by [label:method] they are two groups, each naming its method; the Go 1.27
// runtime proved them leaked too, so both kinds of evidence name them. (Requests without a
// body: net/http notices a client that went away only once the body has been read.)
TEST(GoEvidence, LabelsSplitLeakGroupsAndTheRuntimeProvesThem) {
  const auto r = RunYaml(std::string(R"(name: labels
target:
  command: [")") + LEAKGATE_GO127_TARGET + R"(", -addr, "127.0.0.1:${port}", -mode, leaky]
  ready: /healthz
probe: {pprof: /debug/pprof, interval: 200ms}
traffic:
  - {name: get, method: GET, path: /leak/blocked-send, weight: 1}
  - {name: delete, method: DELETE, path: /leak/blocked-send, weight: 1}
phases:
  - {name: warmup, duration: 500ms, rate: 20}
  - name: load
    duration: 2s
    rate: 100
    faults: [{cancel: {after: 10ms, probability: 1}}]
assert:
  settle: 3s
  goroutines: {tolerance: 5}
  group_by: [label:method]
)");
  ASSERT_EQ(r.process.exit_code, 1) << r.process.out << r.process.err;
  std::map<std::string, json> by_method;
  for (const auto& l : r.result["leaks"]) {
    if (l["function"] == "main.blockedSend.func1") by_method[l["labels"].value("method", "")] = l;
  }
  ASSERT_EQ(by_method.size(), 2u) << r.result["leaks"].dump(2);
  for (const char* method : {"GET", "DELETE"}) {
    const auto& l = by_method[method];
    EXPECT_GE(l["count"].get<int>(), 30) << l.dump(2);
    EXPECT_EQ(l["labels"]["route"], "/leak/blocked-send") << l.dump(2);
    EXPECT_EQ(l["state"], "chan send");
    EXPECT_EQ(l["evidence"], "both") << "grew since baseline and proven by the goroutineleak profile";
    EXPECT_FALSE(l["created_by"].get<std::string>().empty());
  }
  EXPECT_TRUE(r.result["leak_profile"]["available"].get<bool>());
  EXPECT_TRUE(std::filesystem::exists(r.dir + "/goroutineleak.final.txt"));
  std::filesystem::remove_all(r.dir);
}

TEST(GoEvidence, GcTraceAndCapturesAreSavedAndOpenWithTheGoTools) {
  const auto r = RunYaml(std::string(R"(name: evidence
target:
  command: [")") + LEAKGATE_GO_TARGET + R"(", -addr, "127.0.0.1:${port}", -mode, fixed]
  ready: /healthz
probe:
  pprof: /debug/pprof
  interval: 200ms
  gctrace: true
  capture: {trace: 1s, cpu: 1s, mutex: true, block: true}
traffic:
  - {name: hello, method: GET, path: /hello}
phases:
  - {name: warmup, duration: 500ms, rate: 20}
  - {name: load, duration: 2s, rate: 100}
assert:
  settle: 3s
  goroutines: {tolerance: 5}
)");
  ASSERT_EQ(r.process.exit_code, 0) << r.process.out << r.process.err;
  // Every GC the target logged: leakgate's own forced ones among them, numbered in order.
  const auto& gc = r.result["gctrace"];
  ASSERT_GE(gc.size(), 3u) << r.result.dump(2);
  int forced = 0;
  for (size_t i = 0; i < gc.size(); ++i) {
    if (i > 0) {
      EXPECT_GT(gc[i]["gc"].get<int>(), gc[i - 1]["gc"].get<int>());
      EXPECT_GE(gc[i]["t_s"].get<double>(), gc[i - 1]["t_s"].get<double>());
    }
    EXPECT_GT(gc[i]["goal_mb"].get<double>(), 0);
    forced += gc[i]["forced"].get<bool>() ? 1 : 0;
  }
  EXPECT_GE(forced, 2) << "every sample forces one (heap?gc=1)";
  EXPECT_NE(ReadFile(r.dir + "/target.log").find("gc 1 @"), std::string::npos) << "the log keeps the lines";
  // The captures, opened by the Go tools.
  for (const char* file : {"trace.load.out", "cpu.load.pb.gz", "mutex.final.pb.gz", "block.final.pb.gz"}) {
    EXPECT_TRUE(std::filesystem::exists(r.dir + "/" + file)) << file << "\n" << r.result["warnings"].dump(2);
  }
  EXPECT_FALSE(std::filesystem::exists(r.dir + "/trace.warmup.out")) << "warm-up phases are not captured";
  const auto trace = RunCommand({"go", "tool", "trace", "-d=parsed", r.dir + "/trace.load.out"}, std::chrono::seconds(60));
  EXPECT_EQ(trace.exit_code, 0) << trace.err;
  EXPECT_NE(trace.out.find("main."), std::string::npos) << "the handler's goroutines are in the trace";
  const auto cpu = RunCommand({"go", "tool", "pprof", "-top", r.dir + "/cpu.load.pb.gz"}, std::chrono::seconds(60));
  EXPECT_EQ(cpu.exit_code, 0) << cpu.err;
  EXPECT_NE(cpu.out.find("Type: cpu"), std::string::npos) << cpu.out;
  std::filesystem::remove_all(r.dir);
}

}  // namespace go_evidence_test
}  // namespace leakgate::testing
