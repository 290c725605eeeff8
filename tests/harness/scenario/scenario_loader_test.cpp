// Scenario loader: the documented format parses to the expected structs, variables and
// ports are substituted, defaults apply, and every invalid input is an error at the exact
// file:line:column of the offending key or value. YAML texts start right after R"( so
// their first line is line 1; columns are 1-based like the messages.
#include "harness/scenario/scenario_loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace leakgate::scenario {
namespace scenario_loader_test {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr int kFirstPort = 40000;

// A port allocator handing out kFirstPort, kFirstPort + 1, ... and counting its calls.
struct FakePorts {
  int calls = 0;
  LoadOptions Options(std::map<std::string, std::string> overrides = {}) {
    LoadOptions o;
    o.var_overrides = std::move(overrides);
    o.allocate_port = [this] { return kFirstPort + calls++; };
    return o;
  }
};

Scenario Parse(std::string_view yaml, const LoadOptions& options) { return ParseScenario(yaml, "test.yaml", options); }

Scenario Parse(std::string_view yaml) {
  FakePorts ports;
  return Parse(yaml, ports.Options());
}

// Parses `yaml` expecting a ScenarioError; fails the test (and returns a dummy) otherwise.
ScenarioError ErrorOf(std::string_view yaml, const LoadOptions& options) {
  try {
    Parse(yaml, options);
  } catch (const ScenarioError& e) {
    return e;
  }
  ADD_FAILURE() << "no error for:\n" << yaml;
  return ScenarioError(SourceMark{}, "(no error)");
}

ScenarioError ErrorOf(std::string_view yaml) {
  FakePorts ports;
  return ErrorOf(yaml, ports.Options());
}

// Asserts the error is at line:column and its message contains every one of `parts`.
void ExpectErrorAt(std::string_view yaml, int line, int column, std::initializer_list<std::string> parts) {
  const auto e = ErrorOf(yaml);
  EXPECT_EQ(e.mark().file, "test.yaml");
  EXPECT_EQ(e.mark().line, line) << e.what();
  EXPECT_EQ(e.mark().column, column) << e.what();
  const std::string prefix = "test.yaml:" + std::to_string(line) + ":" + std::to_string(column) + ": ";
  EXPECT_EQ(std::string(e.what()), prefix + e.message()) << "what() is file:line:col: message";
  for (const auto& part : parts) EXPECT_NE(e.message().find(part), std::string::npos) << "missing [" << part << "] in: " << e.what();
}

// A valid scenario up to (and including) line 5; tests append `phases:` from line 6 on.
const std::string kPrefix = R"(name: t
target:
  command: [srv, -addr, "127.0.0.1:${port}"]
traffic:
  - {name: hello, path: /hello}
)";

// ---------------------------------------------------------------------------------------
// The documented example and the values it produces

// The example of the format reference, comments included.
constexpr std::string_view kFullExample = R"(name: demo
description: optional text
vars: {mode: leaky}                       # ${mode} anywhere in strings; --var mode=fixed overrides
target:
  command: [build/examples/go-targets/leaky, -addr, "127.0.0.1:${port}", -mode, "${mode}"]
  ready: /healthz                         # polled until 200, with a time limit (ready_timeout: 15s)
  # url: http://127.0.0.1:8080            # instead of command: a target already running, not started
  # env: {GODEBUG: "..."}, stop_timeout: 5s
probe:
  pprof: /debug/pprof                     # relative to the target's base URL, or absolute
  interval: 200ms
  # samples: 5, force_gc: true, timeout: 5s
traffic:
  - {name: blocked, method: GET, path: /leak/blocked-send, weight: 1}
  # headers: {X-A: b}, body: "..."
phases:
  - {name: warmup, duration: 2s, rate: 100}
  - name: load
    duration: 8s
    rate: 300                             # requests per second, open model
    # max_in_flight: 1000, timeout: 10s, workers: 0, warmup: false
    faults:
      - cancel: {after: 20ms, probability: 0.5}     # optional `traffic: [names]`
assert:
  settle: 15s                             # time budget to return to baseline after the last phase
  goroutines: {tolerance: 5}              # tolerance: absolute number; also accept relative: "10%" or 0.1 via `relative:` key
  # fds: {tolerance: 3}, max_error_rate: 0.01
)";

TEST(ScenarioLoader, FullExampleParsesToTheExpectedValues) {
  FakePorts ports;
  const Scenario s = Parse(kFullExample, ports.Options());

  EXPECT_EQ(s.name, "demo");
  EXPECT_EQ(s.description, "optional text");
  EXPECT_EQ(s.file, "test.yaml");
  EXPECT_EQ(s.vars, (std::map<std::string, std::string>{{"mode", "leaky"}}));
  EXPECT_EQ(s.ports, (std::map<std::string, int>{{"", kFirstPort}}));
  EXPECT_EQ(ports.calls, 1) << "${port} and the default url share one port";

  EXPECT_EQ(s.target.command, (std::vector<std::string>{"build/examples/go-targets/leaky", "-addr", "127.0.0.1:40000",
                                                         "-mode", "leaky"}));
  EXPECT_EQ(s.target.url, "http://127.0.0.1:40000");
  EXPECT_TRUE(s.target.env.empty());
  EXPECT_EQ(s.target.ready, "/healthz");
  EXPECT_EQ(s.target.ready_timeout, 15s);
  EXPECT_EQ(s.target.stop_timeout, 5s);

  EXPECT_EQ(s.probe.pprof, "/debug/pprof");
  EXPECT_EQ(s.probe.interval, 200ms);
  EXPECT_EQ(s.probe.samples, 5);
  EXPECT_TRUE(s.probe.force_gc);
  EXPECT_EQ(s.probe.timeout, 5s);

  ASSERT_EQ(s.traffic.size(), 1u);
  EXPECT_EQ(s.traffic[0].name, "blocked");
  EXPECT_EQ(s.traffic[0].method, "GET");
  EXPECT_EQ(s.traffic[0].path, "/leak/blocked-send");
  EXPECT_EQ(s.traffic[0].weight, 1.0);
  EXPECT_TRUE(s.traffic[0].headers.empty());
  EXPECT_EQ(s.traffic[0].body, "");
  EXPECT_EQ(s.traffic[0].mark.str(), "test.yaml:14:5");

  ASSERT_EQ(s.phases.size(), 2u);
  const Phase& warmup = s.phases[0];
  EXPECT_EQ(warmup.name, "warmup");
  EXPECT_EQ(warmup.duration, 2s);
  EXPECT_EQ(warmup.rate, 100);
  EXPECT_TRUE(warmup.warmup) << "a phase named warmup is a warm-up";
  EXPECT_TRUE(warmup.cancel.empty());
  EXPECT_EQ(warmup.mark.str(), "test.yaml:17:5");
  const Phase& load = s.phases[1];
  EXPECT_EQ(load.name, "load");
  EXPECT_EQ(load.duration, 8s);
  EXPECT_EQ(load.rate, 300);
  EXPECT_FALSE(load.warmup);
  EXPECT_EQ(load.max_in_flight, 1000);
  EXPECT_EQ(load.timeout, 10s);
  EXPECT_EQ(load.workers, 0);
  EXPECT_EQ(load.mark.str(), "test.yaml:18:5");
  ASSERT_EQ(load.cancel.size(), 1u);
  EXPECT_EQ(load.cancel[0].after, 20ms);
  EXPECT_EQ(load.cancel[0].probability, 0.5);
  EXPECT_TRUE(load.cancel[0].traffic.empty());

  EXPECT_EQ(s.assertions.settle, 15s);
  ASSERT_TRUE(s.assertions.Find("goroutines") != nullptr);
  EXPECT_EQ(s.assertions.Find("goroutines")->absolute, 5.0);
  EXPECT_FALSE(s.assertions.Find("goroutines")->relative.has_value());
  EXPECT_EQ(s.assertions.Find("fds"), nullptr);
  EXPECT_FALSE(s.assertions.max_error_rate.has_value());
}

TEST(ScenarioLoader, EveryOptionalKeyIsRead) {
  const Scenario s = Parse(R"(name: all
target:
  command: [./srv, --port, "${port}"]
  env: {GODEBUG: "gctrace=1", EMPTY: ""}
  ready: ""
  ready_timeout: 30s
  stop_timeout: 0
probe:
  pprof: http://127.0.0.1:6060/debug/pprof
  interval: 1s
  samples: 3
  force_gc: false
  timeout: 2s
traffic:
  - name: post
    method: POST
    path: /items?x=1
    headers: {Content-Type: application/json, X-A: b}
    body: '{"a": 1}'
    weight: 2.5
  - {name: other, path: /other, method: M-SEARCH}
phases:
  - {name: prime, duration: 500ms, rate: 5, warmup: true}
  - {name: warmup, duration: 1s, warmup: false}
  - name: load
    duration: 1m30s
    rate: 12.5
    max_in_flight: 64
    timeout: 250ms
    workers: 2
    faults:
      - cancel: {after: 5ms, probability: 0.25, traffic: [post]}
      - cancel: {probability: 0}
assert:
  settle: 0s
  goroutines: {tolerance: "10%"}
  fds: {tolerance: 3, relative: 0.5}
  max_error_rate: 0.01
)");
  EXPECT_EQ(s.target.command, (std::vector<std::string>{"./srv", "--port", "40000"}));
  EXPECT_EQ(s.target.env, (std::map<std::string, std::string>{{"GODEBUG", "gctrace=1"}, {"EMPTY", ""}}));
  EXPECT_EQ(s.target.ready, "");
  EXPECT_EQ(s.target.ready_timeout, 30s);
  EXPECT_EQ(s.target.stop_timeout, 0s);
  EXPECT_EQ(s.probe.pprof, "http://127.0.0.1:6060/debug/pprof");
  EXPECT_EQ(s.probe.interval, 1s);
  EXPECT_EQ(s.probe.samples, 3);
  EXPECT_FALSE(s.probe.force_gc);
  EXPECT_EQ(s.probe.timeout, 2s);

  ASSERT_EQ(s.traffic.size(), 2u);
  EXPECT_EQ(s.traffic[0].method, "POST");
  EXPECT_EQ(s.traffic[0].path, "/items?x=1");
  EXPECT_EQ(s.traffic[0].headers, (std::vector<std::pair<std::string, std::string>>{
                                      {"Content-Type", "application/json"}, {"X-A", "b"}}))
      << "headers keep document order";
  EXPECT_EQ(s.traffic[0].body, R"({"a": 1})");
  EXPECT_EQ(s.traffic[0].weight, 2.5);
  EXPECT_EQ(s.traffic[1].method, "M-SEARCH");
  EXPECT_EQ(s.traffic[1].weight, 1.0);

  ASSERT_EQ(s.phases.size(), 3u);
  EXPECT_TRUE(s.phases[0].warmup);
  EXPECT_EQ(s.phases[0].duration, 500ms);
  EXPECT_FALSE(s.phases[1].warmup) << "warmup: false wins over the name";
  EXPECT_EQ(s.phases[1].rate, 0) << "rate omitted: idle phase";
  const Phase& load = s.phases[2];
  EXPECT_EQ(load.duration, 90s);
  EXPECT_EQ(load.rate, 12.5);
  EXPECT_EQ(load.max_in_flight, 64);
  EXPECT_EQ(load.timeout, 250ms);
  EXPECT_EQ(load.workers, 2);
  ASSERT_EQ(load.cancel.size(), 2u);
  EXPECT_EQ(load.cancel[0].after, 5ms);
  EXPECT_EQ(load.cancel[0].probability, 0.25);
  EXPECT_EQ(load.cancel[0].traffic, (std::vector<std::string>{"post"}));
  EXPECT_EQ(load.cancel[1].after, 10ms) << "default";
  EXPECT_EQ(load.cancel[1].probability, 0);

  EXPECT_EQ(s.assertions.settle, 0s);
  ASSERT_TRUE(s.assertions.Find("goroutines"));
  EXPECT_FALSE(s.assertions.Find("goroutines")->absolute);
  EXPECT_DOUBLE_EQ(s.assertions.Find("goroutines")->relative.value_or(-1), 0.1);
  ASSERT_TRUE(s.assertions.Find("fds"));
  EXPECT_EQ(s.assertions.Find("fds")->absolute, 3.0);
  EXPECT_EQ(s.assertions.Find("fds")->relative, 0.5);
  EXPECT_EQ(s.assertions.max_error_rate, 0.01);
}

TEST(ScenarioLoader, UrlTargetIsNotStartedAndAllocatesNoPort) {
  FakePorts ports;
  const Scenario s = Parse(R"(name: t
target: {url: "http://localhost:8080/base"}
phases:
  - {name: idle, duration: 1s}
)",
                           ports.Options());
  EXPECT_TRUE(s.target.command.empty());
  EXPECT_EQ(s.target.url, "http://localhost:8080/base");
  EXPECT_EQ(ports.calls, 0);
  EXPECT_TRUE(s.ports.empty());
}

TEST(ScenarioLoader, CommandWithoutPortStillGetsADefaultUrlOnAFreshPort) {
  FakePorts ports;
  const Scenario s = Parse(R"(name: t
target: {command: [./srv]}
phases: [{name: idle, duration: 1s}]
)",
                           ports.Options());
  EXPECT_EQ(s.target.url, "http://127.0.0.1:40000");
  EXPECT_EQ(s.ports, (std::map<std::string, int>{{"", kFirstPort}}));
}

TEST(ScenarioLoader, CommandAndUrlTogetherUseTheGivenUrl) {
  // The started process listens where url says (e.g. a port fixed in its own config).
  FakePorts ports;
  const Scenario s = Parse(R"(name: t
target:
  command: [sleep, "30"]
  url: "http://127.0.0.1:9999"
phases: [{name: idle, duration: 1s}]
)",
                           ports.Options());
  EXPECT_EQ(s.target.command, (std::vector<std::string>{"sleep", "30"}));
  EXPECT_EQ(s.target.url, "http://127.0.0.1:9999");
  EXPECT_EQ(ports.calls, 0);
}

TEST(ScenarioLoader, DefaultsWhenAssertIsAbsent) {
  const Scenario s = Parse(kPrefix + "phases: [{name: load, duration: 1s, rate: 1}]\n");
  EXPECT_EQ(s.assertions.settle, 15s);
  ASSERT_TRUE(s.assertions.Find("goroutines") != nullptr);
  EXPECT_EQ(s.assertions.Find("goroutines")->absolute, 5.0);
  EXPECT_FALSE(s.assertions.Find("goroutines")->relative);
  EXPECT_EQ(s.assertions.Find("fds"), nullptr);
  EXPECT_EQ(s.target.ready, std::nullopt) << "no ready: given (the probe endpoint is the default)";
  EXPECT_EQ(s.probe.pprof, "/debug/pprof");
  EXPECT_EQ(s.traffic[0].method, "GET");
}

TEST(ScenarioLoader, AssertNamingOnlyFdsDoesNotAddGoroutines) {
  const Scenario s = Parse(kPrefix + "phases: [{name: load, duration: 1s}]\nassert: {fds: {tolerance: 0}}\n");
  EXPECT_EQ(s.assertions.Find("goroutines"), nullptr);
  ASSERT_TRUE(s.assertions.Find("fds"));
  EXPECT_EQ(s.assertions.Find("fds")->absolute, 0.0);
  const Scenario settle_only = Parse(kPrefix + "phases: [{name: load, duration: 1s}]\nassert: {settle: 3s}\n");
  ASSERT_TRUE(settle_only.assertions.Find("goroutines")) << "no resource named: goroutines are still asserted";
  EXPECT_EQ(settle_only.assertions.Find("goroutines")->absolute, 5.0);
}

TEST(ScenarioLoader, WarmUpIsRecognisedByName) {
  const Scenario s = Parse(kPrefix + R"(phases:
  - {name: warm-up, duration: 1s}
  - {name: Warmup, duration: 1s}
)");
  EXPECT_TRUE(s.phases[0].warmup);
  EXPECT_FALSE(s.phases[1].warmup) << "names are matched exactly";
}

TEST(ScenarioLoader, RelativeToleranceForms) {
  const auto tolerance = [](const std::string& goroutines) {
    return Parse(kPrefix + "phases: [{name: l, duration: 1s}]\nassert: {goroutines: " + goroutines + "}\n")
                .assertions.resources.at("goroutines");
  };
  EXPECT_DOUBLE_EQ(*tolerance(R"({tolerance: "10%"})").relative, 0.10);
  EXPECT_DOUBLE_EQ(*tolerance("{relative: 0.1}").relative, 0.10);
  EXPECT_DOUBLE_EQ(*tolerance(R"({relative: "25%"})").relative, 0.25);
  const Tolerance both = tolerance("{tolerance: 2, relative: 0.5}");
  EXPECT_EQ(both.absolute, 2.0);
  EXPECT_EQ(both.relative, 0.5);
}

// ---------------------------------------------------------------------------------------
// Variables and ports

constexpr std::string_view kVarScenario = R"(name: "${who}-${mode}"
vars: {mode: leaky, load: 3s, rate: "200", who: vars}
target:
  command: [srv, "-mode=${mode}"]
traffic: [{name: a, path: /a}]
phases:
  - {name: load, duration: "${load}", rate: "${rate}"}
)";

TEST(ScenarioVars, DeclaredValuesAreSubstitutedBeforeInterpretation) {
  const Scenario s = Parse(kVarScenario);
  EXPECT_EQ(s.name, "vars-leaky");
  EXPECT_EQ(s.target.command[1], "-mode=leaky");
  EXPECT_EQ(s.phases[0].duration, 3s) << "a duration from a variable";
  EXPECT_EQ(s.phases[0].rate, 200) << "a number from a variable";
}

TEST(ScenarioVars, OverridesReplaceDeclaredValuesAndDefineNewOnes) {
  FakePorts ports;
  const Scenario s = Parse(kVarScenario, ports.Options({{"mode", "fixed"}, {"load", "500ms"}, {"extra", "x"}}));
  EXPECT_EQ(s.target.command[1], "-mode=fixed");
  EXPECT_EQ(s.phases[0].duration, 500ms);
  EXPECT_EQ(s.vars.at("mode"), "fixed");
  EXPECT_EQ(s.vars.at("extra"), "x") << "an undeclared --var defines the variable";
  EXPECT_EQ(s.vars.at("rate"), "200");

  const Scenario with_undeclared = Parse(R"(name: "${flavour}"
target: {url: "http://h:1"}
phases: [{name: l, duration: 1s}]
)",
                                         ports.Options({{"flavour", "vanilla"}}));
  EXPECT_EQ(with_undeclared.name, "vanilla");
}

TEST(ScenarioVars, AnOverrideThatIsNotANumberIsReportedAtTheUse) {
  FakePorts ports;
  const auto e = ErrorOf(kVarScenario, ports.Options({{"rate", "fast"}}));
  EXPECT_EQ(e.mark().line, 7);
  EXPECT_EQ(e.mark().column, 45);
  EXPECT_NE(e.message().find(R"(phases[0].rate: expected a number, got "fast" (from "${rate}"))"), std::string::npos) << e.what();
}

TEST(ScenarioVars, PortsAreAllocatedOncePerDistinctNameAndStable) {
  FakePorts ports;
  const Scenario s = Parse(R"(name: t
target:
  command: [srv, -addr, "127.0.0.1:${port}", -db, "127.0.0.1:${port.db}", -again, "${port}"]
  env: {DB_PORT: "${port.db}", ADMIN: "${port.admin}"}
phases: [{name: l, duration: 1s}]
)",
                           ports.Options());
  EXPECT_EQ(ports.calls, 3);
  EXPECT_EQ(s.ports, (std::map<std::string, int>{{"", 40000}, {"db", 40001}, {"admin", 40002}}));
  EXPECT_EQ(s.target.command[2], "127.0.0.1:40000");
  EXPECT_EQ(s.target.command[4], "127.0.0.1:40001");
  EXPECT_EQ(s.target.command[6], "40000") << "the same name gives the same port";
  EXPECT_EQ(s.target.env.at("DB_PORT"), "40001");
  EXPECT_EQ(s.target.url, "http://127.0.0.1:40000") << "the default url uses ${port}";
}

TEST(ScenarioVars, PortWithoutAnAllocatorIsAnError) {
  const auto e = ErrorOf(kPrefix + "phases: [{name: l, duration: 1s}]\n", LoadOptions{});
  EXPECT_EQ(e.mark().line, 3);
  EXPECT_EQ(e.mark().column, 25);
  EXPECT_NE(e.message().find("${port}"), std::string::npos) << e.what();
}

TEST(ScenarioVars, EscapeEnvironmentAndScenarioDir) {
  ::setenv("LEAKGATE_TEST_TOKEN", "s3cret", 1);
  const Scenario s = Parse(R"(name: t
target:
  url: "http://h:1"
traffic:
  - name: a
    path: /a
    headers: {Authorization: "Bearer ${env.LEAKGATE_TEST_TOKEN}"}
    body: "literal $${mode} and $$ and $x and ${scenario_dir}/data"
phases: [{name: l, duration: 1s}]
)");
  EXPECT_EQ(s.traffic[0].headers[0].second, "Bearer s3cret");
  const std::string dir = fs::absolute(fs::current_path()).string();
  EXPECT_EQ(s.traffic[0].body, "literal ${mode} and $$ and $x and " + dir + "/data");
  ::unsetenv("LEAKGATE_TEST_TOKEN");
}

TEST(ScenarioVars, VarValuesAreLiteralAndNotScannedAgain) {
  const Scenario s = Parse(R"(name: "${b}"
vars: {a: x, b: "$${a} $x"}
target: {url: "http://h:1"}
phases: [{name: l, duration: 1s}]
)");
  EXPECT_EQ(s.name, "${a} $x") << "$${ is unescaped once; the result is not expanded again";
  ExpectErrorAt(R"(name: t
vars: {a: x, b: "${a}"}
target: {url: "http://h:1"}
phases: [{name: l, duration: 1s}]
)",
                2, 17, {"vars.b: vars values cannot refer to variables"});
}

TEST(ScenarioVars, UndefinedVariableIsAnErrorAtTheScalarNamingIt) {
  ExpectErrorAt(R"(name: t
vars: {mode: leaky}
target:
  command: [srv, -mode, "${mdoe}"]
phases: [{name: l, duration: 1s}]
)",
                4, 25, {"target.command[2]", "undefined variable \"${mdoe}\"", "did you mean '${mode}'?", "--var mdoe="});
}

TEST(ScenarioVars, UnsetEnvironmentVariableIsAnError) {
  ::unsetenv("LEAKGATE_SURELY_UNSET");
  ExpectErrorAt(R"(name: t
target: {url: "http://h:${env.LEAKGATE_SURELY_UNSET}"}
phases: [{name: l, duration: 1s}]
)",
                2, 15, {"target.url", "LEAKGATE_SURELY_UNSET is not set"});
}

TEST(ScenarioVars, UnterminatedReferenceIsAnError) {
  ExpectErrorAt(R"(name: "x${mode"
target: {url: "http://h:1"}
phases: [{name: l, duration: 1s}]
)",
                1, 7, {"name: unterminated \"${\"", "$${"});
}

TEST(ScenarioVars, BuiltInNamesCannotBeDeclaredOrOverridden) {
  ExpectErrorAt(R"(name: t
vars: {port: "8080"}
target: {url: "http://h:1"}
phases: [{name: l, duration: 1s}]
)",
                2, 8, {"vars: 'port' is a built-in variable"});

  FakePorts ports;
  const auto e = ErrorOf(kVarScenario, ports.Options({{"scenario_dir", "/x"}}));
  EXPECT_EQ(e.mark().line, 0) << "an override has no place in the file";
  EXPECT_EQ(std::string(e.what()), "test.yaml: " + e.message());
  EXPECT_NE(e.message().find("--var scenario_dir"), std::string::npos) << e.what();
}

// ---------------------------------------------------------------------------------------
// Errors: every class, at the exact line:column

TEST(ScenarioErrors, UnknownKeyNamesTheKeyAndSuggestsTheClosest) {
  ExpectErrorAt(kPrefix + "phases:\n  - {name: load, duraton: 1s, rate: 10}\n", 7, 18,
                {"phases[0]: unknown key 'duraton' (did you mean 'duration'?)"});
  ExpectErrorAt(kPrefix + "phases:\n  - name: load\n    duration: 1s\n    rtae: 10\n", 9, 5,
                {"phases[0]: unknown key 'rtae' (did you mean 'rate'?)"});
  ExpectErrorAt(R"(name: t
target:
  comand: [srv]
phases: [{name: l, duration: 1s}]
)",
                3, 3, {"target: unknown key 'comand' (did you mean 'command'?)"});
  ExpectErrorAt(kPrefix + "phase:\n  - {name: load, duration: 1s}\n", 6, 1, {"unknown key 'phase' (did you mean 'phases'?)"});
  ExpectErrorAt(kPrefix + "phases: [{name: l, duration: 1s}]\nassert: {goroutine: {tolerance: 1}}\n", 7, 10,
                {"assert: unknown key 'goroutine' (did you mean 'goroutines'?)"});
}

TEST(ScenarioErrors, UnknownKeyWithoutACloseMatchListsTheAllowedKeys) {
  ExpectErrorAt(kPrefix + "phases: [{name: l, duration: 1s}]\nprobe: {frequency: 1s}\n", 7, 9,
                {"probe: unknown key 'frequency' (allowed here: pprof, metrics, expvar, heap_profile, goroutine_leak_profile, interval, samples, force_gc, timeout, gctrace, capture, tls)"});
}

TEST(ScenarioErrors, DuplicateKey) {
  ExpectErrorAt(kPrefix + "phases:\n  - name: load\n    duration: 1s\n    duration: 2s\n", 9, 5,
                {"phases[0]: duplicate key 'duration' (first at line 8)"});
}

TEST(ScenarioErrors, MissingRequiredKeysAndSections) {
  ExpectErrorAt(kPrefix, 1, 1, {"missing required key 'phases'"});
  ExpectErrorAt(kPrefix + "phases:\n  - {name: load, rate: 1}\n", 7, 5, {"phases[0]: missing required key 'duration'"});
  ExpectErrorAt(kPrefix + "phases:\n  - {duration: 1s}\n", 7, 5, {"phases[0]: missing required key 'name'"});
  ExpectErrorAt("target: {url: \"http://h:1\"}\nphases: [{name: l, duration: 1s}]\n", 1, 1, {"missing required key 'name'"});
  ExpectErrorAt(kPrefix + "phases: []\n", 6, 9, {"phases: needs at least one phase"});
}

TEST(ScenarioErrors, WrongTypes) {
  ExpectErrorAt(kPrefix + "phases:\n  - name: load\n    duration: 1s\n    rate: fast\n", 9, 11,
                {R"(phases[0].rate: expected a number, got "fast")"});
  ExpectErrorAt(R"(name: t
target: {url: "http://h:1"}
traffic: {name: a, path: /a}
phases: [{name: l, duration: 1s}]
)",
                3, 10, {"traffic: expected a list, got a mapping"});
  ExpectErrorAt(R"(name: t
target:
  command: build/srv -addr x
phases: [{name: l, duration: 1s}]
)",
                3, 12, {R"(target.command: expected a list, got "build/srv -addr x")"});
  ExpectErrorAt(kPrefix + "phases:\n  - name: load\n    duration: 1s\n    max_in_flight: 1.5\n", 9, 20,
                {R"(phases[0].max_in_flight: expected a whole number, got "1.5")"});
  ExpectErrorAt(kPrefix + "phases:\n  - name: load\n    duration: 1s\n    warmup: yes\n", 9, 13,
                {R"(phases[0].warmup: expected true or false, got "yes")"});
  ExpectErrorAt(kPrefix + "phases:\n  - name: load\n    duration: 1s\n    rate: [1, 2]\n", 9, 11,
                {"phases[0].rate: expected a number, got a list"});
  ExpectErrorAt("- a\n- b\n", 1, 1, {"expected a mapping at the top level"});
}

TEST(ScenarioErrors, EmptyValueIsReportedAtItsKey) {
  ExpectErrorAt(kPrefix + "phases:\n  - name: load\n    duration:\n    rate: 1\n", 8, 5,
                {"phases[0].duration: expected a duration, got no value"});
}

TEST(ScenarioErrors, BadDurations) {
  ExpectErrorAt(kPrefix + "phases:\n  - name: load\n    duration: 8x\n", 8, 15,
                {R"(phases[0].duration: invalid duration "8x" (expected e.g. 500ms, 2s, 1m30s))"});
  ExpectErrorAt(kPrefix + "phases:\n  - name: load\n    duration: -1s\n", 8, 15,
                {R"(phases[0].duration: invalid duration "-1s" (must not be negative))"});
  ExpectErrorAt(kPrefix + "phases:\n  - name: load\n    duration: fast\n", 8, 15, {R"(invalid duration "fast")"});
  ExpectErrorAt(kPrefix + "phases:\n  - name: load\n    duration: 10\n", 8, 15, {R"(invalid duration "10")"});
  ExpectErrorAt(kPrefix + "phases:\n  - name: load\n    duration: 0s\n", 8, 15, {"phases[0].duration: must be longer than 0"});
  ExpectErrorAt(kPrefix + "phases: [{name: l, duration: 1s}]\nassert: {settle: 15}\n", 7, 18,
                {R"(assert.settle: invalid duration "15")"});
  ExpectErrorAt(R"(name: t
target: {url: "http://h:1", ready_timeout: 1 s}
phases: [{name: l, duration: 1s}]
)",
                2, 44, {R"(target.ready_timeout: invalid duration "1 s")"});
}

TEST(ScenarioErrors, ProbabilityOutsideZeroToOne) {
  ExpectErrorAt(kPrefix + R"(phases:
  - name: load
    duration: 1s
    rate: 10
    faults:
      - cancel: {after: 20ms, probability: 1.5}
)",
                11, 44, {"phases[0].faults[0].cancel.probability: a probability must be between 0 and 1, got 1.5"});
  ExpectErrorAt(kPrefix + "phases:\n  - name: load\n    duration: 1s\n    faults: [{cancel: {probability: -0.1}}]\n", 9, 37,
                {"probability must be between 0 and 1, got -0.1"});
}

TEST(ScenarioErrors, NegativeRate) {
  ExpectErrorAt(kPrefix + "phases:\n  - {name: load, duration: 1s, rate: -5}\n", 7, 38,
                {"phases[0].rate: must be >= 0, got -5"});
}

TEST(ScenarioErrors, RateWithoutTraffic) {
  const std::string no_traffic = R"(name: t
target: {url: "http://h:1"}
phases:
  - {name: idle, duration: 1s, rate: 0}
  - {name: load, duration: 1s, rate: 300}
)";
  ExpectErrorAt(no_traffic, 5, 38, {"phases[1].rate: 300 requests/s, but traffic: defines no requests"});
  ExpectErrorAt(R"(name: t
target: {url: "http://h:1"}
traffic: []
phases: [{name: load, duration: 1s, rate: 1}]
)",
                4, 43, {"phases[0].rate"});
}

TEST(ScenarioErrors, DuplicateNames) {
  ExpectErrorAt(kPrefix + "phases:\n  - {name: load, duration: 1s}\n  - {name: load, duration: 2s}\n", 8, 12,
                {R"(phases[1].name: duplicate phase name "load" (first at line 7))"});
  ExpectErrorAt(R"(name: t
target: {url: "http://h:1"}
traffic:
  - {name: a, path: /a}
  - {name: a, path: /b}
phases: [{name: l, duration: 1s}]
)",
                5, 12, {R"(traffic[1].name: duplicate traffic name "a" (first at line 4))"});
}

TEST(ScenarioErrors, FaultNamingUnknownTraffic) {
  ExpectErrorAt(kPrefix + R"(phases:
  - name: load
    duration: 1s
    faults:
      - cancel: {after: 1ms, traffic: [hello, helo]}
)",
                10, 47, {R"(phases[0].faults[0].cancel.traffic[1]: unknown traffic "helo" (did you mean 'hello'?))"});
  ExpectErrorAt(kPrefix + "phases:\n  - name: load\n    duration: 1s\n    faults: [{cancel: {traffic: [zzz]}}]\n", 9, 34,
                {R"(unknown traffic "zzz" (defined: hello))"});
  ExpectErrorAt(kPrefix + "phases:\n  - name: load\n    duration: 1s\n    faults: [{kill: {}}]\n", 9, 15,
                {"phases[0].faults[0]: unknown key 'kill' (allowed here: cancel, reset, slow_send"});
}

TEST(ScenarioErrors, InvalidHttpMethod) {
  ExpectErrorAt(R"(name: t
target: {url: "http://h:1"}
traffic:
  - {name: a, method: "GE T", path: /a}
phases: [{name: l, duration: 1s}]
)",
                4, 23, {R"(traffic[0].method: invalid HTTP method "GE T")"});
  ExpectErrorAt(R"(name: t
target: {url: "http://h:1"}
traffic:
  - {name: a, method: get, path: /a}
phases: [{name: l, duration: 1s}]
)",
                4, 23, {"did you mean 'GET'?"});
}

TEST(ScenarioErrors, TargetNeedsCommandOrUrl) {
  ExpectErrorAt(R"(name: t
target:
  ready: /healthz
phases: [{name: l, duration: 1s}]
)",
                3, 3, {"target: needs command: (a service for leakgate to start) or url: (a service already running)"});
  ExpectErrorAt("name: t\ntarget: {command: []}\nphases: [{name: l, duration: 1s}]\n", 2, 19,
                {"target.command: must not be empty"});
  ExpectErrorAt("name: t\ntarget: {url: \"ftp://h:1\"}\nphases: [{name: l, duration: 1s}]\n", 2, 15,
                {"target.url: expected an http:// or https:// URL"});
  ExpectErrorAt("name: t\ntarget: {url: \"localhost:80\"}\nphases: [{name: l, duration: 1s}]\n", 2, 15,
                {"target.url: expected an http:// or https:// URL"});
}

TEST(ScenarioErrors, TrafficPathMustStartWithSlash) {
  ExpectErrorAt(R"(name: t
target: {url: "http://h:1"}
traffic:
  - name: a
    path: leak/blocked-send
phases: [{name: l, duration: 1s}]
)",
                5, 11, {R"(traffic[0].path: must start with '/', got "leak/blocked-send")"});
}

TEST(ScenarioErrors, WeightMustBePositive) {
  ExpectErrorAt(R"(name: t
target: {url: "http://h:1"}
traffic:
  - {name: a, path: /a, weight: 0}
phases: [{name: l, duration: 1s}]
)",
                4, 33, {"traffic[0].weight: must be > 0, got 0"});
  ExpectErrorAt(R"(name: t
target: {url: "http://h:1"}
traffic:
  - {name: a, path: /a, weight: -2}
phases: [{name: l, duration: 1s}]
)",
                4, 33, {"must be > 0, got -2"});
}

TEST(ScenarioErrors, WarmUpAfterAMeasuredPhase) {
  ExpectErrorAt(kPrefix + "phases:\n  - {name: load, duration: 1s}\n  - {name: warmup, duration: 1s}\n", 8, 12,
                {"phases[1].name: warm-up phases run before the baseline"});
  ExpectErrorAt(kPrefix + "phases:\n  - {name: warmup, duration: 1s}\n", 7, 3, {"phases: every phase is a warm-up"});
}

TEST(ScenarioErrors, ToleranceProblems) {
  const std::string phases = "phases: [{name: l, duration: 1s}]\n";
  ExpectErrorAt(kPrefix + phases + "assert: {goroutines: {}}\n", 7, 22, {"assert.goroutines: needs tolerance:"});
  ExpectErrorAt(kPrefix + phases + "assert: {goroutines: {tolerance: -1}}\n", 7, 34, {"assert.goroutines.tolerance: must be >= 0"});
  ExpectErrorAt(kPrefix + phases + "assert: {goroutines: {tolerance: lots}}\n", 7, 34,
                {R"(expected a number or a percentage such as "10%", got "lots")"});
  ExpectErrorAt(kPrefix + phases + "assert: {goroutines: {tolerance: \"5%\", relative: 0.1}}\n", 7, 50,
                {"assert.goroutines.relative: relative tolerance given twice"});
  ExpectErrorAt(kPrefix + phases + "assert: {max_error_rate: 2}\n", 7, 26, {"assert.max_error_rate: an error rate must be between 0 and 1"});
  ExpectErrorAt("name: t\ntarget: {url: \"http://h:1\"}\n" + phases + "assert: {fds: {tolerance: 1}}\n", 4, 15,
                {"assert.fds: needs target.command"});
}

TEST(ScenarioErrors, OtherValueChecks) {
  const std::string phases = "phases: [{name: l, duration: 1s}]\n";
  ExpectErrorAt(kPrefix + phases + "probe: {samples: 0}\n", 7, 18, {"probe.samples: must be >= 1, got 0"});
  ExpectErrorAt(kPrefix + phases + "probe: {pprof: debug/pprof}\n", 7, 16, {"probe.pprof: expected a path starting with '/'"});
  ExpectErrorAt(kPrefix + phases + "probe: {interval: 0s}\n", 7, 19, {"probe.interval: must be longer than 0"});
  ExpectErrorAt(kPrefix + "phases:\n  - {name: l, duration: 1s, max_in_flight: 0}\n", 7, 44, {"must be >= 1, got 0"});
  ExpectErrorAt(kPrefix + "phases:\n  - {name: \"\", duration: 1s}\n", 7, 12, {"phases[0].name: must not be empty"});
  ExpectErrorAt("name: t\ntarget: {url: \"http://h:1\"}\ntraffic: [{name: a, path: /a, headers: {\"X Y\": z}}]\n" + phases,
                3, 41, {"traffic[0].headers: invalid header name \"X Y\""});
}

TEST(ScenarioErrors, YamlSyntaxErrorHasFileAndPosition) {
  const auto e = ErrorOf("name: t\nphases: [{name: l, duration: 1s}\ntarget: {url: x}\n");
  EXPECT_EQ(e.mark().file, "test.yaml");
  EXPECT_GT(e.mark().line, 0) << e.what();
  EXPECT_GT(e.mark().column, 0) << e.what();
  EXPECT_NE(e.message().find("invalid YAML"), std::string::npos) << e.what();
  EXPECT_TRUE(std::string(e.what()).starts_with("test.yaml:" + std::to_string(e.mark().line) + ":")) << e.what();

  ExpectErrorAt("name: t\ntarget: {url: a: b}\n", 2, 16, {"invalid YAML"});
}

TEST(ScenarioErrors, EmptyAndMultiDocumentFiles) {
  auto e = ErrorOf("# nothing here\n");
  EXPECT_EQ(std::string(e.what()), "test.yaml: the scenario file is empty");
  ExpectErrorAt("name: a\n---\nname: b\n", 3, 1, {"only one YAML document"});
}

// ---------------------------------------------------------------------------------------
// Files

// A fresh directory under the system temp dir, removed at destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "leakgate-scenario-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST(ScenarioFile, MissingFileIsAnErrorNamingIt) {
  try {
    FakePorts ports;
    LoadScenarioFile("/nonexistent/leakgate.yaml", ports.Options());
    FAIL() << "no error";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.mark().file, "/nonexistent/leakgate.yaml");
    EXPECT_EQ(e.mark().line, 0);
    EXPECT_EQ(std::string(e.what()), "/nonexistent/leakgate.yaml: " + e.message());
    EXPECT_NE(e.message().find("No such file"), std::string::npos) << e.what();
  }
}

TEST(ScenarioFile, LoadsAFileWithScenarioDirAndPositionsInIt) {
  TempDir dir;
  const fs::path path = dir.path() / "s.yaml";
  std::ofstream(path) << "name: t\ntarget: {command: [\"${scenario_dir}/srv\"]}\nphases: [{name: l, duration: 1s}]\n";
  FakePorts ports;
  const Scenario s = LoadScenarioFile(path.string(), ports.Options());
  EXPECT_EQ(s.file, path.string());
  EXPECT_EQ(s.target.command[0], (dir.path() / "srv").string());
  EXPECT_EQ(s.phases[0].mark.str(), path.string() + ":3:10");

  std::ofstream(path) << "name: t\ntarget: {url: \"http://h:1\"}\nphases: [{name: l, duration: 8x}]\n";
  try {
    LoadScenarioFile(path.string(), ports.Options());
    FAIL() << "no error";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(std::string(e.what()).substr(0, path.string().size() + 6), path.string() + ":3:30:") << e.what();
  }
}

TEST(ScenarioFile, DirectoryIsAnError) {
  TempDir dir;
  FakePorts ports;
  EXPECT_THROW(LoadScenarioFile(dir.path().string(), ports.Options()), ScenarioError);
}

// Every ```yaml block of FORMAT.md with a top-level `phases:` is a complete scenario and
// must load (with ${env.*} examples given a value); the rest are fragments.
TEST(ScenarioFile, EveryCompleteExampleInFormatMdLoads) {
  std::ifstream in(fs::path(LEAKGATE_SOURCE_DIR) / "scenarios" / "FORMAT.md");
  ASSERT_TRUE(in) << "scenarios/FORMAT.md is missing";
  ::setenv("API_TOKEN", "t", 1);
  std::string line, block;
  bool in_yaml = false;
  int examples = 0;
  int block_start = 0;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!in_yaml && line == "```yaml") {
      in_yaml = true;
      block.clear();
      block_start = number + 1;
    } else if (in_yaml && line == "```") {
      in_yaml = false;
      if (block.find("\nphases:") == std::string::npos && !block.starts_with("phases:")) continue;
      ++examples;
      FakePorts ports;
      try {
        // Named as if it were a file in scenarios/, so ${scenario_dir} is that directory.
        ParseScenario(block, std::string(LEAKGATE_SOURCE_DIR) + "/scenarios/FORMAT.md block at line " +
                                 std::to_string(block_start),
                      ports.Options());
      } catch (const ScenarioError& e) {
        ADD_FAILURE() << e.what();
      }
    } else if (in_yaml) {
      block += line + "\n";
    }
  }
  ::unsetenv("API_TOKEN");
  EXPECT_GE(examples, 3) << "FORMAT.md should keep its complete examples";
}

// ---------------------------------------------------------------------------------------
// Struct helpers

TEST(ScenarioStructs, SourceMarkStr) {
  EXPECT_EQ((SourceMark{"a.yaml", 12, 5}.str()), "a.yaml:12:5");
  EXPECT_EQ((SourceMark{"a.yaml", 12, 0}.str()), "a.yaml:12");
  EXPECT_EQ((SourceMark{"a.yaml", 0, 0}.str()), "a.yaml");
}

TEST(ScenarioStructs, ToleranceLimit) {
  EXPECT_EQ((Tolerance{}.limit(100)), 100) << "no tolerance: the baseline itself";
  EXPECT_EQ((Tolerance{5.0, std::nullopt}.limit(100)), 105);
  EXPECT_EQ((Tolerance{std::nullopt, 0.1}.limit(100)), 110);
  EXPECT_EQ((Tolerance{5.0, 0.1}.limit(100)), 110) << "the larger allowance wins";
  EXPECT_EQ((Tolerance{20.0, 0.1}.limit(100)), 120);
  EXPECT_EQ((Tolerance{5.0, 0.1}.limit(0)), 5);
}

TEST(ScenarioStructs, ScenarioErrorFormats) {
  const ScenarioError placed(SourceMark{"f.yaml", 3, 7}, "phases[0].rate: bad");
  EXPECT_STREQ(placed.what(), "f.yaml:3:7: phases[0].rate: bad");
  EXPECT_EQ(placed.message(), "phases[0].rate: bad");
  const ScenarioError unplaced(SourceMark{"f.yaml", 0, 0}, "cannot read");
  EXPECT_STREQ(unplaced.what(), "f.yaml: cannot read");
}

}  // namespace scenario_loader_test
}  // namespace leakgate::scenario
