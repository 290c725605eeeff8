// Scenario loader, gRPC keys: the top-level grpc: section, traffic entries' grpc: form
// (requests as YAML mappings or JSON text, metadata, deadlines, replay files), a phase's
// grpc: shaping and the grpc_cancel / grpc_abandon faults — and every invalid input is an
// error at file:line:column. YAML texts start right after R"( so their first line is 1.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "harness/scenario/scenario_loader.h"

namespace leakgate::scenario {
namespace grpc_scenario_test {

using namespace std::chrono_literals;

const std::string kProtoDir = std::string(LEAKGATE_SOURCE_DIR) + "/examples/go-targets/grpc/proto";

// A scenario with the given traffic and phase lines, grpc: pointing at the example proto.
std::string Yaml(const std::string& traffic, const std::string& phase = "  - {name: load, duration: 1s, rate: 10}",
                 const std::string& grpc = "") {
  return "name: g\n"
         "target: {url: \"http://127.0.0.1:9\"}\n" +
         (grpc.empty() ? "grpc: {protos: [leakgate/example/v1/leak.proto], import_paths: [\"" + kProtoDir + "\"]}\n"
                       : grpc + "\n") +
         "traffic:\n" + traffic + "\nphases:\n" + phase + "\n";
}

Scenario Parse(const std::string& yaml) { return ParseScenario(yaml, "g.yaml", {}); }

// Expects a ScenarioError at line:column whose message contains `part`.
void ExpectError(const std::string& yaml, int line, int column, const std::string& part) {
  try {
    Parse(yaml);
    ADD_FAILURE() << "no error for:\n" << yaml;
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.mark().line, line) << e.what();
    EXPECT_EQ(e.mark().column, column) << e.what();
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("g.yaml:", 0), 0u) << e.what();
  }
}

TEST(GrpcScenario, FullCallTemplate) {
  const auto s = Parse(Yaml(R"(  - name: chat
    weight: 2
    grpc:
      method: /leakgate.example.v1.LeakService/Chat
      requests:
        - {text: hi, seq: 3, priority: PRIORITY_HIGH}
        - '{"text": "raw json"}'
        - {text: "007", from: "true"}
      messages: 5
      interval: 10ms
      deadline: 2s
      metadata: {x-user: alice, x-trace-bin: abc})"));
  ASSERT_TRUE(s.grpc);
  EXPECT_EQ(s.grpc->protos, std::vector<std::string>{"leakgate/example/v1/leak.proto"});
  EXPECT_FALSE(s.grpc->reflection);
  ASSERT_EQ(s.traffic.size(), 1u);
  const auto& t = s.traffic[0];
  EXPECT_EQ(t.weight, 2);
  ASSERT_TRUE(t.grpc);
  const auto& g = *t.grpc;
  EXPECT_EQ(g.method, "leakgate.example.v1.LeakService/Chat") << "the leading '/' is dropped";
  ASSERT_EQ(g.requests.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(g.requests[0]), nlohmann::json::parse(R"({"text":"hi","seq":3,"priority":"PRIORITY_HIGH"})"));
  EXPECT_EQ(nlohmann::json::parse(g.requests[1]), nlohmann::json::parse(R"({"text":"raw json"})"));
  EXPECT_EQ(nlohmann::json::parse(g.requests[2]), nlohmann::json::parse(R"({"text":"007","from":"true"})"))
      << "quoted scalars stay strings";
  EXPECT_EQ(g.messages, 5);
  EXPECT_EQ(g.interval, 10ms);
  ASSERT_TRUE(g.deadline);
  EXPECT_EQ(*g.deadline, 2s);
  ASSERT_EQ(g.metadata.size(), 2u);
  EXPECT_EQ(g.metadata[0], (std::pair<std::string, std::string>{"x-user", "alice"}));
}

TEST(GrpcScenario, DefaultsAndPhaseKeys) {
  const auto s = Parse(Yaml("  - {name: hello, grpc: {method: leakgate.example.v1.LeakService/Hello}}",
                            R"(  - name: load
    duration: 1s
    rate: 10
    grpc: {connections: 4, channel_churn: 100}
    faults:
      - grpc_cancel: {after_messages: 3, probability: 0.5, traffic: [hello]}
      - grpc_abandon: {hold: 1s}
      - cancel: {after: 5ms})"));
  const auto& g = *s.traffic[0].grpc;
  EXPECT_EQ(g.requests, std::vector<std::string>{"{}"});
  EXPECT_EQ(g.messages, 1);
  EXPECT_FALSE(g.deadline);
  const auto& p = s.phases[0];
  EXPECT_EQ(p.grpc.connections, 4);
  EXPECT_EQ(p.grpc.channel_churn, 100);
  ASSERT_EQ(p.grpc.faults.size(), 2u);
  EXPECT_EQ(p.grpc.faults[0].kind, GrpcFault::kCancelAfterMessages);
  EXPECT_EQ(p.grpc.faults[0].after_messages, 3);
  EXPECT_EQ(p.grpc.faults[0].probability, 0.5);
  EXPECT_EQ(p.grpc.faults[0].traffic, std::vector<std::string>{"hello"});
  EXPECT_EQ(p.grpc.faults[1].kind, GrpcFault::kAbandon);
  EXPECT_EQ(p.grpc.faults[1].hold, 1s);
  EXPECT_EQ(p.cancel.size(), 1u);
}

TEST(GrpcScenario, ReflectionNeedsNoProtos) {
  const auto s = Parse(Yaml("  - {name: h, grpc: {method: a.B/C}}", "  - {name: load, duration: 1s, rate: 1}",
                            "grpc: {reflection: true}"));
  EXPECT_TRUE(s.grpc->reflection);
  EXPECT_TRUE(s.grpc->protos.empty());
}

TEST(GrpcScenario, ClientIsTheHttp2PlaneUnlessGrpcppIsAsked) {
  const auto call = "  - {name: h, grpc: {method: a.B/C}}";
  const auto phase = "  - {name: load, duration: 1s, rate: 1}";
  EXPECT_EQ(Parse(Yaml(call, phase, "grpc: {reflection: true}")).grpc->client, GrpcConfig::Client::kH2);
  EXPECT_EQ(Parse(Yaml(call, phase, "grpc: {reflection: true, client: h2}")).grpc->client, GrpcConfig::Client::kH2);
  EXPECT_EQ(Parse(Yaml(call, phase, "grpc: {reflection: true, client: grpcpp}")).grpc->client, GrpcConfig::Client::kGrpcpp);
  ExpectError(Yaml(call, phase, "grpc: {reflection: true, client: grpcc}"), 3, 34,
              "unknown gRPC client \"grpcc\" (did you mean 'grpcpp'?) (h2 or grpcpp)");
}

TEST(GrpcScenario, ReplayFile) {
  const auto dir = std::filesystem::temp_directory_path() / "leakgate-grpc-scenario-test";
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "calls.jsonl").string();
  std::ofstream(file) << R"({"method": "/a.B/C", "request": {"x": 1}, "offset_ms": 0}
# comment

{"method": "a.B/D", "metadata": {"k": "v"}, "requests": [{"y": 2}, {"y": 3}], "offset_ms": 12.5}
)";
  const auto s = Parse(Yaml("  - {name: rec, grpc: {replay: \"" + file + "\", pace: recorded, speed: 2}}"));
  const auto& g = *s.traffic[0].grpc;
  EXPECT_TRUE(g.recorded_pace);
  EXPECT_EQ(g.speed, 2);
  ASSERT_EQ(g.replay.size(), 2u);
  EXPECT_EQ(g.replay[0].method, "a.B/C");
  EXPECT_EQ(g.replay[1].method, "a.B/D");
  EXPECT_EQ(g.replay[1].line, 4);
  EXPECT_EQ(g.replay[1].offset, 12500us);
  EXPECT_EQ(g.replay[1].requests.size(), 2u);
  EXPECT_EQ(g.replay[1].metadata[0].second, "v");

  std::ofstream(file) << "{\"method\": \"a.B/C\", \"offset_ms\": 5}\n{\"method\": \"a.B/C\", \"ofset_ms\": 9}\n";
  ExpectError(Yaml("  - {name: rec, grpc: {replay: \"" + file + "\"}}"), 5, 32, "calls.jsonl:2: unknown key 'ofset_ms' (did you mean 'offset_ms'?)");
  std::ofstream(file) << "{\"method\": \"a.B/C\", \"offset_ms\": 5}\n{\"method\": \"a.B/C\", \"offset_ms\": 1}\n";
  ExpectError(Yaml("  - {name: rec, grpc: {replay: \"" + file + "\"}}"), 5, 32, "must not decrease");
  std::ofstream(file) << "not json\n";
  ExpectError(Yaml("  - {name: rec, grpc: {replay: \"" + file + "\"}}"), 5, 32, "calls.jsonl:1: expected one JSON object per line");
  std::filesystem::remove_all(dir);
}

TEST(GrpcScenario, Errors) {
  // Line 5 is the first traffic line.
  ExpectError(Yaml("  - {name: h, grpc: {methd: a.B/C}}"), 5, 22, "unknown key 'methd' (did you mean 'method'?)");
  ExpectError(Yaml("  - {name: h, grpc: {method: a.B}}"), 5, 30, "expected a full method name such as \"package.Service/Method\"");
  ExpectError(Yaml("  - {name: h, grpc: {}}"), 5, 21, "needs method:");
  ExpectError(Yaml("  - {name: h, path: /x, grpc: {method: a.B/C}}"), 5, 21, "'path' is for HTTP requests");
  ExpectError(Yaml("  - {name: h, grpc: {method: a.B/C, request: [1, 2]}}"), 5, 46, "expected a mapping (the request message)");
  ExpectError(Yaml("  - {name: h, grpc: {method: a.B/C, request: 'not json'}}"), 5, 46, "expected a mapping or a JSON object");
  ExpectError(Yaml("  - {name: h, grpc: {method: a.B/C, request: {}, requests: [{}]}}"), 5, 60, "request: and requests: exclude each other");
  ExpectError(Yaml("  - {name: h, grpc: {method: a.B/C, messages: 0}}"), 5, 47, "must be >= 1");
  ExpectError(Yaml("  - {name: h, grpc: {method: a.B/C, metadata: {X-Up: 1}}}"), 5, 48, "invalid metadata key \"X-Up\"");
  ExpectError(Yaml("  - {name: h, grpc: {method: a.B/C, metadata: {grpc-timeout: 1}}}"), 5, 48, "reserved by gRPC");
  ExpectError(Yaml("  - {name: h, grpc: {method: a.B/C, pace: recorded}}"), 5, 43, "only with replay:");
  ExpectError(Yaml("  - {name: h, grpc: {replay: /nonexistent/calls.jsonl}}"), 5, 30, "cannot read replay file");
  // Top-level grpc:.
  ExpectError("name: g\ntarget: {url: \"http://127.0.0.1:9\"}\ntraffic:\n  - {name: h, grpc: {method: a.B/C}}\n"
              "phases:\n  - {name: load, duration: 1s, rate: 1}\n",
              1, 1, "traffic has gRPC calls: add a top-level grpc:");
  ExpectError(Yaml("  - {name: h, grpc: {method: a.B/C}}", "  - {name: load, duration: 1s, rate: 1}", "grpc: {}"), 3, 7,
              "needs protos:");
  ExpectError(Yaml("  - {name: h, grpc: {method: a.B/C}}", "  - {name: load, duration: 1s, rate: 1}", "grpc: {reflecton: true}"), 3, 8,
              "unknown key 'reflecton' (did you mean 'reflection'?)");
  // Phase grpc: and gRPC faults.
  ExpectError(Yaml("  - {name: h, grpc: {method: a.B/C}}", "  - {name: load, duration: 1s, rate: 1, grpc: {connections: 0}}"), 7,
              61, "must be >= 1");
  ExpectError(Yaml("  - {name: h, grpc: {method: a.B/C}}",
                   "  - {name: load, duration: 1s, rate: 1, faults: [slow_send: {bytes: 1}]}"),
              7, 5, "phases[0].faults: slow_send does not apply to gRPC calls");
  ExpectError(Yaml("  - {name: h, grpc: {method: a.B/C}}",
                   "  - {name: load, duration: 1s, rate: 1, faults: [grpc_cancel: {after: 3}]}"),
              7, 64, "unknown key 'after'");
  ExpectError(Yaml("  - {name: h, grpc: {method: a.B/C}}",
                   "  - {name: load, duration: 1s, rate: 1, faults: [grpc_cancel: {after_messages: 2, traffic: [x]}]}"),
              7, 93, "unknown traffic \"x\"");
}

}  // namespace grpc_scenario_test
}  // namespace leakgate::scenario
