// Scenario loader, a phase's `protocol:` (http/1.1, h2c, h2) and `streams_per_connection:`.
#include <gtest/gtest.h>

#include <string>

#include "tests/harness/scenario/expect_scenario_error.h"
#include "tests/harness/scenario/one_phase_scenario.h"

namespace leakgate::scenario {
namespace phase_protocol_test {

TEST(PhaseProtocol, DefaultsAndValues) {
  const auto d = ParseOnePhase("{name: l, duration: 1s, rate: 1}").phases.at(0);
  EXPECT_EQ(d.protocol, Phase::Wire::kHttp1);
  EXPECT_EQ(d.streams_per_connection, 100);
  EXPECT_EQ(ParseOnePhase("{name: l, duration: 1s, rate: 1, protocol: http/1.1}").phases[0].protocol, Phase::Wire::kHttp1);
  const auto h2c = ParseOnePhase("{name: l, duration: 1s, rate: 1, protocol: h2c, streams_per_connection: 8}").phases[0];
  EXPECT_EQ(h2c.protocol, Phase::Wire::kH2c);
  EXPECT_EQ(h2c.streams_per_connection, 8);
  EXPECT_EQ(ParseOnePhase("{name: l, duration: 1s, rate: 1, protocol: h2}").phases[0].protocol, Phase::Wire::kH2);
}

TEST(PhaseProtocol, ErrorsAreAtTheValue) {
  ExpectScenarioErrorAt([] { ParseOnePhase("{name: l, duration: 1s, protocol: http2}"); }, 5, 39,
                        "phases[0].protocol: expected http/1.1, h2c (HTTP/2 without TLS) or h2 (HTTP/2 over TLS), got \"http2\"");
  ExpectScenarioErrorAt([] { ParseOnePhase("{name: l, duration: 1s, streams_per_connection: 0}"); }, 5, 53,
                        "phases[0].streams_per_connection");
}

}  // namespace phase_protocol_test
}  // namespace leakgate::scenario
