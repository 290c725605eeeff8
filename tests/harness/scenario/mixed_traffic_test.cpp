// Scenario loader, HTTP and gRPC traffic in one scenario: both kinds load side by side
// (gRPC entries still need the top-level grpc:), and each fault applies to the entries of
// its protocol — the HTTP-only faults to the HTTP entries, grpc_cancel / grpc_abandon to
// the gRPC ones, cancel and deadline to both. Errors are checked at file:line:column.
// YAML texts start right after R"( so their first line is 1.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness/scenario/scenario_loader.h"
#include "tests/harness/scenario/expect_scenario_error.h"

namespace leakgate::scenario {
namespace mixed_traffic_test {

const std::string kProtoDir = std::string(LEAKGATE_SOURCE_DIR) + "/examples/go-targets/grpc/proto";

// Lines 1-7: head, grpc:, two HTTP entries and one gRPC entry; then phases: and `phase`.
std::string Mixed(const std::string& phase, bool with_grpc_section = true) {
  return "name: m\n"
         "target: {url: \"http://127.0.0.1:9\"}\n" +
         (with_grpc_section ? "grpc: {protos: [leakgate/example/v1/leak.proto], import_paths: [\"" + kProtoDir + "\"]}\n"
                            : std::string("description: no grpc section\n")) +
         "traffic:\n"
         "  - {name: web, path: /hello, weight: 3}\n"
         "  - {name: vars, path: /debug/vars}\n"
         "  - {name: rpc, grpc: {method: leakgate.example.v1.LeakService/Hello}}\n"
         "phases:\n" +
         phase + "\n";
}

Scenario Parse(const std::string& yaml) { return ParseScenario(yaml, "m.yaml", {}); }

void ExpectError(const std::string& yaml, int line, int column, const std::string& part) {
  ExpectScenarioErrorAt([&] { Parse(yaml); }, line, column, part);
}

TEST(MixedTraffic, HttpAndGrpcEntriesLoadSideBySide) {
  const auto s = Parse(Mixed("  - {name: load, duration: 1s, rate: 10}"));
  ASSERT_EQ(s.traffic.size(), 3u);
  EXPECT_FALSE(s.traffic[0].grpc);
  EXPECT_EQ(s.traffic[0].path, "/hello");
  EXPECT_EQ(s.traffic[0].weight, 3);
  EXPECT_FALSE(s.traffic[1].grpc);
  ASSERT_TRUE(s.traffic[2].grpc);
  EXPECT_EQ(s.traffic[2].grpc->method, "leakgate.example.v1.LeakService/Hello");
  ASSERT_TRUE(s.grpc);
}

TEST(MixedTraffic, GrpcEntriesStillNeedTheGrpcSection) {
  ExpectError(Mixed("  - {name: load, duration: 1s, rate: 10}", /*with_grpc_section=*/false), 1, 1,
              "traffic has gRPC calls: add a top-level grpc:");
}

TEST(MixedTraffic, EachFaultAppliesToTheEntriesOfItsProtocol) {
  const auto s = Parse(Mixed(R"(  - name: load
    duration: 1s
    rate: 10
    faults:
      - reset: {after: 5ms}
      - slow_read: {bytes: 10, traffic: [vars]}
      - grpc_cancel: {after_messages: 1}
      - grpc_abandon: {traffic: [rpc]}
      - cancel: {after: 5ms}
      - deadline: {timeout: 1ms})"));
  const auto& p = s.phases.at(0);
  ASSERT_EQ(p.faults.size(), 3u);
  EXPECT_EQ(p.faults[0].kind, Fault::kReset);
  EXPECT_EQ(p.faults[0].scope.traffic, (std::vector<std::string>{"web", "vars"})) << "every HTTP entry, not rpc";
  EXPECT_EQ(p.faults[1].scope.traffic, std::vector<std::string>{"vars"});
  EXPECT_EQ(p.faults[2].kind, Fault::kDeadline);
  EXPECT_TRUE(p.faults[2].scope.traffic.empty()) << "deadline applies to both protocols";
  ASSERT_EQ(p.grpc.faults.size(), 2u);
  EXPECT_EQ(p.grpc.faults[0].traffic, std::vector<std::string>{"rpc"}) << "every gRPC entry";
  EXPECT_EQ(p.grpc.faults[1].traffic, std::vector<std::string>{"rpc"});
  ASSERT_EQ(p.cancel.size(), 1u);
  EXPECT_TRUE(p.cancel[0].traffic.empty()) << "cancel applies to both protocols";
}

TEST(MixedTraffic, NamingAnEntryOfTheOtherProtocolIsAnErrorAtTheName) {
  // Line 9 is the phase line.
  ExpectError(Mixed("  - {name: load, duration: 1s, rate: 10, faults: [reset: {traffic: [web, rpc]}]}"), 9, 74,
              "phases[0].faults[0].reset.traffic[1]: traffic \"rpc\" is a gRPC call; reset applies to HTTP requests only");
  ExpectError(Mixed("  - {name: load, duration: 1s, rate: 10, faults: [truncate_body: {traffic: [rpc]}]}"), 9, 77,
              "traffic \"rpc\" is a gRPC call; truncate_body applies to HTTP requests only");
  ExpectError(Mixed("  - {name: load, duration: 1s, rate: 10, faults: [grpc_cancel: {after_messages: 1, traffic: [web]}]}"), 9,
              94, "phases[0].faults[0].grpc_cancel.traffic[0]: traffic \"web\" is not a gRPC call");
  const auto s = Parse(Mixed("  - {name: load, duration: 1s, rate: 10, faults: [cancel: {traffic: [rpc, web]}, "
                             "deadline: {timeout: 1ms, traffic: [rpc]}]}"));
  EXPECT_EQ(s.phases[0].cancel.at(0).traffic, (std::vector<std::string>{"rpc", "web"}));
  EXPECT_EQ(s.phases[0].faults.at(0).scope.traffic, std::vector<std::string>{"rpc"});
}

TEST(MixedTraffic, FaultsWithoutEntriesOfTheirProtocolStayErrors) {
  const std::string grpc_only = "name: g\ntarget: {url: \"http://127.0.0.1:9\"}\ngrpc: {reflection: true}\n"
                                "traffic:\n  - {name: rpc, grpc: {method: a.B/C}}\nphases:\n";
  ExpectError(grpc_only + "  - {name: load, duration: 1s, rate: 1, faults: [half_close: {}]}\n", 7, 5,
              "phases[0].faults: half_close does not apply to gRPC calls");
  const std::string http_only = "name: h\ntarget: {url: \"http://127.0.0.1:9\"}\ntraffic:\n  - {name: web, path: /}\nphases:\n";
  ExpectError(http_only + "  - {name: load, duration: 1s, rate: 1, faults: [grpc_abandon: {}]}\n", 6, 64,
              "gRPC faults need gRPC traffic");
}

TEST(MixedTraffic, PhaseReplayMustNameAnHttpReplayEntry) {
  ExpectError(Mixed("  - {name: load, duration: 1s, replay: rpc}"), 9, 40, "\"rpc\" is not a traffic entry with replay:");
}

}  // namespace mixed_traffic_test
}  // namespace leakgate::scenario
