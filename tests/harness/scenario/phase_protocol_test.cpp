// Scenario loader, a phase's `protocol:` (http/1.1, h2c, h2) and `streams_per_connection:`.
#include <gtest/gtest.h>

#include <string>

#include "harness/scenario/scenario_loader.h"
#include "tests/harness/scenario/expect_scenario_error.h"

namespace leakgate::scenario {
namespace {

Scenario Parse(const std::string& phase) {
  LoadOptions options;
  options.allocate_port = [next = 40000]() mutable { return next++; };
  return ParseScenario("name: p\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /}]\nphases:\n  - " + phase +
                           "\n",
                       "p.yaml", options);
}

TEST(PhaseProtocol, DefaultsAndValues) {
  const auto d = Parse("{name: l, duration: 1s, rate: 1}").phases.at(0);
  EXPECT_EQ(d.protocol, Phase::Wire::kHttp1);
  EXPECT_EQ(d.streams_per_connection, 100);
  EXPECT_EQ(Parse("{name: l, duration: 1s, rate: 1, protocol: http/1.1}").phases[0].protocol, Phase::Wire::kHttp1);
  const auto h2c = Parse("{name: l, duration: 1s, rate: 1, protocol: h2c, streams_per_connection: 8}").phases[0];
  EXPECT_EQ(h2c.protocol, Phase::Wire::kH2c);
  EXPECT_EQ(h2c.streams_per_connection, 8);
  EXPECT_EQ(Parse("{name: l, duration: 1s, rate: 1, protocol: h2}").phases[0].protocol, Phase::Wire::kH2);
}

TEST(PhaseProtocol, ErrorsAreAtTheValue) {
  ExpectScenarioErrorAt([] { Parse("{name: l, duration: 1s, protocol: http2}"); }, 5, 39,
                        "phases[0].protocol: expected http/1.1, h2c (HTTP/2 without TLS) or h2 (HTTP/2 over TLS), got \"http2\"");
  ExpectScenarioErrorAt([] { Parse("{name: l, duration: 1s, streams_per_connection: 0}"); }, 5, 53,
                        "phases[0].streams_per_connection");
}

}  // namespace
}  // namespace leakgate::scenario
