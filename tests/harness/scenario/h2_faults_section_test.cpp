// Scenario loader: the HTTP/2 client faults (h2_rst_stream, h2_stall, h2_abandon,
// h2_goaway) — their keys and defaults, and the rule that HTTP/1.1 connection faults and
// HTTP/2 stream faults each stay in phases of their own protocol.
#include <gtest/gtest.h>

#include <string>

#include "harness/faults/fault_plan.h"
#include "tests/harness/scenario/expect_scenario_error.h"
#include "tests/harness/scenario/one_phase_scenario.h"

namespace leakgate::scenario {
namespace h2_faults_section_test {

using namespace std::chrono_literals;

Phase H2Phase(const std::string& faults) {
  return ParseOnePhase("{name: l, duration: 1s, rate: 1, protocol: h2c, faults: [" + faults + "]}").phases.at(0);
}

TEST(H2FaultsSection, KeysAndDefaults) {
  const auto p = H2Phase(
      "h2_rst_stream: {}, h2_rst_stream: {after: 4096, probability: 0.5}, h2_stall: {}, "
      "h2_stall: {window: connection, hold: 2s}, h2_abandon: {}, h2_goaway: {probability: 0.01}");
  ASSERT_EQ(p.faults.size(), 6u);
  EXPECT_EQ(p.faults[0].kind, Fault::kH2RstStream);
  EXPECT_EQ(p.faults[0].after_bytes, -1) << "after the headers";
  EXPECT_EQ(p.faults[1].after_bytes, 4096);
  EXPECT_EQ(p.faults[1].scope.probability, 0.5);
  EXPECT_EQ(p.faults[2].kind, Fault::kH2Stall);
  EXPECT_FALSE(p.faults[2].connection_window);
  EXPECT_EQ(p.faults[2].hold, Duration::zero()) << "until the request's timeout";
  EXPECT_TRUE(p.faults[3].connection_window);
  EXPECT_EQ(p.faults[3].hold, 2s);
  EXPECT_EQ(p.faults[4].kind, Fault::kH2Abandon);
  EXPECT_EQ(p.faults[5].kind, Fault::kH2Goaway);
  EXPECT_EQ(H2Phase("h2_rst_stream: {after: headers}").faults.at(0).after_bytes, -1);
}

TEST(H2FaultsSection, FaultPlanCarriesEachKindToTheRequest) {
  std::vector<Traffic> traffic(1);
  traffic[0].name = "a";
  const faults::FaultPlan plan(H2Phase("h2_rst_stream: {after: 100}, h2_stall: {window: connection, hold: 1s}, "
                                       "h2_abandon: {}, h2_goaway: {}"),
                               traffic);
  std::mt19937_64 rng(1);
  const auto f = plan.Decide(0, rng);
  EXPECT_EQ(f.h2_reset_after_bytes, 100);
  EXPECT_EQ(f.h2_stall_hold, 1s);
  EXPECT_TRUE(f.h2_stall_connection);
  EXPECT_TRUE(f.h2_abandon);
  EXPECT_TRUE(f.h2_goaway);
  EXPECT_TRUE(f.has(Fault::kH2Goaway));
  EXPECT_EQ(faults::FaultPlan(H2Phase("h2_rst_stream: {}"), traffic).Decide(0, rng).h2_reset_after_bytes, 0)
      << "0: at the headers";
}

TEST(H2FaultsSection, BadValuesAreRefusedAtTheValue) {
  const std::string prefix = "{name: l, duration: 1s, rate: 1, protocol: h2c, faults: [";
  const auto refused = [&](const std::string& fault, const std::string& value, const std::string& part) {
    const std::string phase = prefix + fault + "]}";
    const auto at = phase.find(value, prefix.size());
    ASSERT_NE(at, std::string::npos);
    ExpectScenarioErrorAt([&] { ParseOnePhase(phase); }, kOnePhaseLine, kOnePhaseIndent + static_cast<int>(at) + 1, part);
  };
  refused("h2_rst_stream: {after: 0}", "0}", "phases[0].faults[0].h2_rst_stream.after");
  refused("h2_rst_stream: {after: body}", "body", "phases[0].faults[0].h2_rst_stream.after");
  refused("h2_stall: {window: socket}", "socket", "expected stream or connection, got \"socket\"");
  refused("h2_stall: {hold: 0s}", "0s", "phases[0].faults[0].h2_stall.hold");
  refused("h2_abandon: {after: 1}", "after", "h2_abandon");
}

TEST(H2FaultsSection, EachProtocolKeepsItsOwnFaults) {
  const auto refused_at_item = [](const std::string& phase, const std::string& item, const std::string& part) {
    const auto at = phase.find(item);
    ASSERT_NE(at, std::string::npos);
    ExpectScenarioErrorAt([&] { ParseOnePhase(phase); }, kOnePhaseLine, kOnePhaseIndent + static_cast<int>(at) + 1, part);
  };
  refused_at_item("{name: l, duration: 1s, rate: 1, faults: [h2_goaway: {}]}", "h2_goaway",
                  "h2_goaway acts on HTTP/2 streams; this phase speaks HTTP/1.1 (set protocol: h2c or h2)");
  refused_at_item("{name: l, duration: 1s, rate: 1, protocol: h2, faults: [slow_read: {}]}", "slow_read",
                  "slow_read acts on HTTP/1.1 connections; this phase speaks HTTP/2 (protocol: h2)");
  const auto both = H2Phase("cancel: {after: 5ms}, deadline: {timeout: 1s}");
  EXPECT_EQ(both.cancel.size(), 1u);
  EXPECT_EQ(both.faults.size(), 1u) << "cancel and deadline act on every protocol";
}

}  // namespace h2_faults_section_test
}  // namespace leakgate::scenario
