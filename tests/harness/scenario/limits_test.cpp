// Scenario loader: the ceilings of harness/scenario/limits.h — a value at the ceiling loads,
// one beyond it is refused at the value with the ceiling in the message.
#include "harness/scenario/limits.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/harness/scenario/expect_scenario_error.h"
#include "tests/harness/scenario/one_phase_scenario.h"

namespace leakgate::scenario {
namespace limits_test {

// `phase` is refused at the first occurrence of `value`, with a message holding `part`.
void ExpectRefusedAt(const std::string& phase, const std::string& value, const std::string& part) {
  SCOPED_TRACE(phase);
  const auto at = phase.find(value);
  ASSERT_NE(at, std::string::npos);
  ExpectScenarioErrorAt([&] { ParseOnePhase(phase); }, kOnePhaseLine, kOnePhaseIndent + static_cast<int>(at) + 1, part);
}

TEST(ScenarioLimits, ValuesAtTheCeilingsLoad) {
  const auto p = ParseOnePhase("{name: l, duration: 24h, rate: 10000000, max_in_flight: 1000000, workers: 256, timeout: 1h, "
                               "connections: {pool: 1000000, max: 1000000}, streams_per_connection: 100000}")
                     .phases.at(0);
  EXPECT_EQ(p.duration, limits::kPhaseDuration);
  EXPECT_EQ(p.rate, limits::kRate);
  EXPECT_EQ(p.max_in_flight, limits::kMaxInFlight);
  EXPECT_EQ(p.workers, limits::kWorkers);
  EXPECT_EQ(p.timeout, limits::kRequestTimeout);
  EXPECT_EQ(p.connections.max, limits::kConnections);
  EXPECT_EQ(p.streams_per_connection, limits::kStreamsPerConnection);
  const auto closed = ParseOnePhase("{name: l, duration: 1s, concurrency: 100000, think_time: 1h}").phases.at(0);
  EXPECT_EQ(closed.concurrency, limits::kConcurrency);
  EXPECT_EQ(closed.think_time, limits::kThinkTime);
  EXPECT_EQ(ParseOnePhase("{name: l, duration: 1s, rate: {from: 0, to: 10000000}}").phases.at(0).rate_to, limits::kRate);
}

TEST(ScenarioLimits, ValuesBeyondTheCeilingsAreRefusedAtTheValue) {
  ExpectRefusedAt("{name: l, duration: 1s, rate: 1e12}", "1e12",
                  "phases[0].rate: must be at most 10000000 (leakgate's ceiling), got 1000000000000");
  ExpectRefusedAt("{name: l, duration: 1s, rate: {from: 1, to: 20000000}}", "20000000", "phases[0].rate.to: must be at most");
  ExpectRefusedAt("{name: l, duration: 1s, rate: {from: 1e9, to: 1}}", "1e9", "phases[0].rate.from: must be at most");
  ExpectRefusedAt("{name: l, duration: 1s, concurrency: 10000000}", "10000000",
                  "phases[0].concurrency: must be at most 100000 (leakgate's ceiling), got 10000000");
  ExpectRefusedAt("{name: l, duration: 1s, rate: 1, workers: 100000}", "100000",
                  "phases[0].workers: must be at most 256 (leakgate's ceiling), got 100000");
  ExpectRefusedAt("{name: l, duration: 1s, rate: 1, max_in_flight: 1000001}", "1000001",
                  "phases[0].max_in_flight: must be at most 1000000");
  ExpectRefusedAt("{name: l, duration: 1s, rate: 1, connections: {max: 2000000}}", "2000000",
                  "phases[0].connections.max: must be at most 1000000");
  ExpectRefusedAt("{name: l, duration: 1s, rate: 1, connections: {pool: 2000000}}", "2000000",
                  "phases[0].connections.pool: must be at most 1000000");
  ExpectRefusedAt("{name: l, duration: 1s, rate: 1, streams_per_connection: 100001}", "100001",
                  "phases[0].streams_per_connection: must be at most 100000");
  ExpectRefusedAt("{name: l, duration: 25h, rate: 1}", "25h",
                  "phases[0].duration: must be at most 24h0m0s (leakgate's ceiling), got 25h0m0s");
  ExpectRefusedAt("{name: l, duration: 1s, rate: 1, timeout: 61m}", "61m",
                  "phases[0].timeout: must be at most 1h0m0s (leakgate's ceiling), got 1h1m0s");
  ExpectRefusedAt("{name: l, duration: 1s, concurrency: 1, think_time: 2h}", "2h",
                  "phases[0].think_time: must be at most 1h0m0s");
}

}  // namespace limits_test
}  // namespace leakgate::scenario
