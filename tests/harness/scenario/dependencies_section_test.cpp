// The scenario's chaos-proxy parts (dependencies_section.h): the issue's example parses to
// the expected structs, ${dep.NAME} expands in the target and in URLs, http_* faults mark
// their dependency as an HTTP relay, the address policy applies to upstreams, and every bad
// entry is an error at its file:line:column. YAML texts start right after R"( so their
// first line is line 1.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "harness/scenario/scenario_loader.h"

namespace leakgate::scenario {
namespace dependencies_section_test {

using namespace std::chrono_literals;
using K = DependencyFault::Kind;

constexpr int kFirstPort = 41000;

LoadOptions Options() {
  LoadOptions o;
  auto next = std::make_shared<int>(kFirstPort);
  o.allocate_port = [next] { return (*next)++; };
  return o;
}

Scenario Parse(const std::string& yaml) { return ParseScenario(yaml, "test.yaml", Options()); }

void ExpectErrorAt(const std::string& yaml, int line, int column, const std::string& part) {
  try {
    Parse(yaml);
    ADD_FAILURE() << "no error for:\n" << yaml;
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.mark().line, line) << e.what();
    EXPECT_EQ(e.mark().column, column) << e.what();
    EXPECT_NE(e.message().find(part), std::string::npos) << "missing [" << part << "] in: " << e.what();
  }
}

// The issue's example, nearly verbatim.
const std::string kExample = R"(name: chaos
dependencies:
  - name: quotes
    upstream: "127.0.0.1:9000"
  - name: prices
    stub: {status: 200, body: "42", headers: {content-type: text/plain}, latency: 2ms}
target:
  command: [leaky, -addr, "127.0.0.1:${port}", -dep, "http://${dep.quotes}"]
  env: {PRICES: "${dep.prices}"}
traffic:
  - {name: direct, path: "http://${dep.prices}/v1/x"}
phases:
  - name: outage
    duration: 5s
    rate: 100
    faults:
      - blackhole: {dependency: quotes}
      - latency: {dependency: prices, delay: 150ms, jitter: 10ms, direction: downstream}
      - http_error: {dependency: prices, status: 503, probability: 0.3, path: "/v1/*"}
      - reset: {after: 10ms}
)";

TEST(DependenciesSection, TheIssuesExampleParsesToTheStructsTheProxyTakes) {
  const Scenario s = Parse(kExample);
  ASSERT_EQ(s.dependencies.size(), 2u);
  const Dependency& quotes = s.dependencies[0];
  EXPECT_EQ(quotes.name, "quotes");
  EXPECT_EQ(quotes.upstream_host, "127.0.0.1");
  EXPECT_EQ(quotes.upstream_port, 9000);
  EXPECT_FALSE(quotes.http) << "only TCP faults name it";
  EXPECT_EQ(quotes.line, 3);
  const Dependency& prices = s.dependencies[1];
  ASSERT_TRUE(prices.http_stub);
  EXPECT_EQ(prices.http_stub->status, 200);
  EXPECT_EQ(prices.http_stub->body, "42");
  EXPECT_EQ(prices.http_stub->latency, 2ms);
  ASSERT_EQ(prices.http_stub->headers.size(), 1u);
  EXPECT_EQ(prices.http_stub->headers[0].first, "content-type");
  EXPECT_TRUE(prices.http) << "an http_error names it: relayed as HTTP for the whole run";

  // Ports come from the allocator, one per dependency, and ${dep.NAME} names them.
  EXPECT_GE(quotes.listen_port, kFirstPort);
  EXPECT_NE(quotes.listen_port, prices.listen_port);
  EXPECT_EQ(s.target.command[4], "http://127.0.0.1:" + std::to_string(quotes.listen_port));
  EXPECT_EQ(s.target.env.at("PRICES"), "127.0.0.1:" + std::to_string(prices.listen_port));
  EXPECT_EQ(s.traffic[0].base_url, "http://127.0.0.1:" + std::to_string(prices.listen_port));

  const Phase& p = s.phases[0];
  ASSERT_EQ(p.dependency_faults.size(), 3u);
  EXPECT_EQ(p.dependency_faults[0].kind, K::kBlackhole);
  EXPECT_EQ(p.dependency_faults[0].dependency, "quotes");
  EXPECT_EQ(p.dependency_faults[0].direction, DependencyFault::Direction::kBoth) << "the default";
  EXPECT_EQ(p.dependency_faults[1].kind, K::kLatency);
  EXPECT_EQ(p.dependency_faults[1].delay, 150ms);
  EXPECT_EQ(p.dependency_faults[1].jitter, 10ms);
  EXPECT_EQ(p.dependency_faults[1].direction, DependencyFault::Direction::kDownstream);
  EXPECT_EQ(p.dependency_faults[2].kind, K::kHttpError);
  EXPECT_EQ(p.dependency_faults[2].status, 503);
  EXPECT_DOUBLE_EQ(p.dependency_faults[2].probability, 0.3);
  EXPECT_EQ(p.dependency_faults[2].path, "/v1/*");
  ASSERT_EQ(p.faults.size(), 1u) << "a reset without dependency: stays the client's fault";
  EXPECT_EQ(p.faults[0].kind, Fault::kReset);
}

TEST(DependenciesSection, EveryFaultKindReadsItsParameters) {
  const Scenario s = Parse(R"(name: kinds
dependencies:
  - {name: d, upstream: "localhost:9000"}
  - {name: g, stub: {grpc: {status: UNAVAILABLE, message: down, latency: 5ms}}}
target: {command: [srv]}
phases:
  - name: p
    duration: 1s
    faults:
      - bandwidth: {dependency: d, rate: 1000, direction: upstream, probability: 0.5}
      - stall: {dependency: d}
      - reset: {dependency: d, after_bytes: 100}
      - slow_close: {dependency: d, delay: 1s}
      - slicer: {dependency: d, average_size: 10, size_variation: 5, delay: 1ms}
      - limit_data: {dependency: d, bytes: 4096}
      - down: {dependency: g}
      - http_delay: {dependency: d, delay: 20ms, before: body, method: GET}
      - http_drop: {dependency: d}
      - http_slow_body: {dependency: d, bytes: 3, interval: 5ms}
)");
  const auto& f = s.phases[0].dependency_faults;
  ASSERT_EQ(f.size(), 10u);
  EXPECT_EQ(f[0].rate, 1000);
  EXPECT_EQ(f[0].direction, DependencyFault::Direction::kUpstream);
  EXPECT_DOUBLE_EQ(f[0].probability, 0.5);
  EXPECT_EQ(f[1].kind, K::kStall);
  EXPECT_EQ(f[2].after_bytes, 100);
  EXPECT_EQ(f[3].delay, 1s);
  EXPECT_EQ(f[4].size, 10);
  EXPECT_EQ(f[4].size_variation, 5);
  EXPECT_EQ(f[5].bytes, 4096);
  EXPECT_EQ(f[6].kind, K::kDown);
  EXPECT_EQ(f[7].before, DependencyFault::DelayPoint::kBody);
  EXPECT_EQ(f[7].method, "GET");
  EXPECT_EQ(f[8].kind, K::kHttpDrop);
  EXPECT_EQ(f[9].slow_bytes, 3);
  EXPECT_EQ(f[9].slow_interval, 5ms);
  ASSERT_TRUE(s.dependencies[1].grpc_stub);
  EXPECT_EQ(s.dependencies[1].grpc_stub->code, 14);
  EXPECT_EQ(s.dependencies[1].grpc_stub->message, "down");
  EXPECT_EQ(s.dependencies[0].upstream_host, "localhost");
  EXPECT_TRUE(s.dependencies[0].http);
}

TEST(DependenciesSection, TlsToAnUpstreamReadsItsSettingsAndIsRefusedOnAStub) {
  const auto ca = std::filesystem::temp_directory_path() / ("leakgate-dep-tls-" + std::to_string(::getpid()) + ".pem");
  std::ofstream(ca) << "not parsed by the loader\n";
  const std::string head = "name: t\ntarget: {command: [srv]}\nphases:\n  - {name: p, duration: 1s}\ndependencies:\n";
  const Scenario s = Parse(head + "  - {name: db, upstream: \"localhost:5432\", tls: {ca: \"" + ca.string() +
                           "\", server_name: db.internal, alpn: [h2, http/1.1]}}\n");
  ASSERT_EQ(s.dependencies.size(), 1u);
  ASSERT_TRUE(s.dependencies[0].tls);
  EXPECT_EQ(s.dependencies[0].tls->ca, ca.string());
  EXPECT_EQ(s.dependencies[0].tls->server_name, "db.internal");
  EXPECT_EQ(s.dependencies[0].tls_alpn, (std::vector<std::string>{"h2", "http/1.1"}));
  EXPECT_EQ(s.dependencies[0].upstream_name, "localhost") << "the name TLS checks, kept when the runner resolves the host";
  EXPECT_FALSE(Parse(head + "  - {name: db, upstream: \"127.0.0.1:1\"}\n").dependencies[0].tls) << "plain text by default";
  ExpectErrorAt(head + "  - {name: d, stub: {status: 200}, tls: {}}\n", 6, 41, "a stub answers in plain text");
  ExpectErrorAt(head + "  - {name: d, upstream: \"127.0.0.1:1\", tls: {resume_sessions: true}}\n", 6, 45, "resume_sessions");
  ExpectErrorAt(head + "  - {name: d, upstream: \"127.0.0.1:1\", tls: {alpn: [\"\"]}}\n", 6, 53, "1 to 255 bytes");
  ExpectErrorAt(head + "  - {name: d, upstream: \"127.0.0.1:1\", tls: {cert: \"" + ca.string() + "\"}}\n", 6, 45, "cert and key go together");
  ExpectErrorAt(head + "  - {name: d, upstream: \"127.0.0.1:1\", tls: {ca: /no/such.pem}}\n", 6, 50, "no such file");
  std::filesystem::remove(ca);
}

TEST(DependenciesSection, BadEntriesAreErrorsAtTheirLineAndColumn) {
  const std::string head = "name: t\ntarget: {command: [srv]}\n";
  ExpectErrorAt(head + "dependencies:\n  - {name: d}\n", 4, 5, "needs upstream:");
  ExpectErrorAt(head + "dependencies:\n  - {name: d, upstream: \"127.0.0.1\"}\n", 4, 25, "expected HOST:PORT");
  ExpectErrorAt(head + "dependencies:\n  - {name: d, upstream: \"127.0.0.1:1\", stub: {}}\n", 4, 46, "not both");
  ExpectErrorAt(head + "dependencies:\n  - {name: d, upstream: \"127.0.0.1:1\"}\n  - {name: d, upstream: \"127.0.0.1:2\"}\n", 5,
                5, "duplicate");
  ExpectErrorAt(head + "dependencies:\n  - {name: d, stub: {grpc: {status: UNAVAILBLE}}}\n", 4, 37,
                "did you mean 'UNAVAILABLE'");
  ExpectErrorAt(head + "dependencies:\n  - {name: d, stub: {status: 700}}\n", 4, 30, "100..599");
  const std::string deps = head + "dependencies:\n  - {name: d, upstream: \"127.0.0.1:1\"}\nphases:\n  - name: p\n    duration: 1s\n    faults:\n";
  ExpectErrorAt(deps + "      - latency: {dependency: e, delay: 1s}\n", 9, 31, "unknown dependency \"e\"");
  ExpectErrorAt(deps + "      - latency: {dependency: d, dealy: 1s}\n", 9, 34, "did you mean 'delay'");
  ExpectErrorAt(deps + "      - latency: {dependency: d, delay: 1s, direction: sideways}\n", 9, 56, "upstream, downstream or both");
  ExpectErrorAt(deps + "      - blackhole: {probability: 0.5}\n", 9, 20, "dependency");
  ExpectErrorAt(deps + "      - bandwidth: {dependency: d}\n", 9, 20, "rate");
  ExpectErrorAt(deps + "      - http_error: {dependency: d, probability: 1.5}\n", 9, 50, "between 0 and 1");
  ExpectErrorAt(head + "phases:\n  - name: p\n    duration: 1s\n    faults:\n      - latency: {dependency: d, delay: 1s}\n", 7, 31,
                "no dependencies: are declared");
  ExpectErrorAt(head + "dependencies:\n  - {name: g, stub: {grpc: {}}}\nphases:\n  - name: p\n    duration: 1s\n    faults:\n"
                       "      - http_drop: {dependency: g}\n",
                9, 33, "gRPC stub");
}

TEST(DependenciesSection, UnknownDepReferenceIsAnErrorWithASuggestion) {
  ExpectErrorAt("name: t\ndependencies:\n  - {name: quotes, upstream: \"127.0.0.1:1\"}\n"
                "target: {command: [srv, \"${dep.qoutes}\"]}\n",
                4, 25, "did you mean 'quotes'");
}

TEST(DependenciesSection, UpstreamsFollowTheAddressPolicy) {
  const std::string head = "name: t\ntarget: {command: [srv]}\nphases: [{name: p, duration: 1s}]\n";
  ExpectErrorAt(head + "dependencies:\n  - {name: d, upstream: \"10.1.2.3:80\"}\n", 5, 25, "10.1.2.3");
  ExpectErrorAt(head + "dependencies:\n  - {name: d, upstream: \"db.example:5432\"}\n", 5, 25, "db.example");
  const Scenario allowed = Parse(head + "safety: {allow_hosts: [10.1.2.3, db.example]}\ndependencies:\n"
                                        "  - {name: d, upstream: \"10.1.2.3:80\"}\n  - {name: e, upstream: \"db.example:5432\"}\n");
  EXPECT_EQ(allowed.dependencies[0].upstream_host, "10.1.2.3");
  EXPECT_EQ(allowed.dependencies[1].upstream_host, "db.example");
  EXPECT_EQ(Parse(head + "dependencies:\n  - {name: d, upstream: \"[::1]:80\"}\n").dependencies[0].upstream_host, "::1");
}

}  // namespace dependencies_section_test
}  // namespace leakgate::scenario
