// The gRPC load engine against the real Go gRPC target (examples/go-targets/grpc) on free
// loopback ports, once per gRPC client (the HTTP/2 data plane, `h2`, and grpc++): this is
// the data plane's conformance test against grpc-go. Every call kind, metadata, deadlines, cancel-after-N-messages as the
// server saw it (its expvar grpc_leaky.ctx_at_return), abandoned streams, the status
// taxonomy, channels, the closed model, replay and reflection — then `leakgate run` of the
// shipped scenarios/grpc-*.yaml: leaky → exit 1 naming the handler's goroutine, fixed → 0.
//
// Scenarios are written inline and loaded with the real loader, so the YAML keys are
// exercised too. Every phase is short (≤ 1 s).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "harness/load/load_engine.h"
#include "harness/runner/ports.h"
#include "harness/runner/target_process.h"
#include "harness/scenario/scenario_loader.h"
#include "leakgate_process.h"
#include "probes/http_fetch.h"

namespace leakgate::testing {
namespace grpc_test {

using namespace std::chrono_literals;
using load::LoadEngine;
using load::PhaseLoadResult;
using nlohmann::json;

constexpr int kOk = 0, kCancelled = 1, kNotFound = 5, kDeadline = 4, kUnavailable = 14;

// The parameter: the scenario's grpc.client.
class GrpcTest : public ::testing::TestWithParam<std::string> {
 protected:
  void StartTarget(const std::string& mode) {
    port_ = runner::AllocateLoopbackPort();
    pprof_port_ = runner::AllocateLoopbackPort();
    dir_ = MakeTempDir("leakgate-grpc");
    target_.emplace(runner::TargetProcess::Start({LEAKGATE_GO_GRPC_TARGET, "-addr", Addr(port_), "-pprof-addr",
                                                  Addr(pprof_port_), "-mode", mode},
                                                 {}, dir_ + "/target.log"));
    for (int i = 0; i < 200; ++i) {
      auto r = probes::HttpGet(SideUrl("/healthz"), {.timeout = 1s});
      if (r.ok() && r->status == 200) return;
      std::this_thread::sleep_for(25ms);
    }
    FAIL() << "target not ready: " << target_->LogTail(20);
  }
  void TearDown() override {
    if (target_) target_->Stop(5s);
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  static std::string Addr(int port) { return "127.0.0.1:" + std::to_string(port); }
  std::string SideUrl(const std::string& path) const { return "http://" + Addr(pprof_port_) + path; }

  // A scenario around `traffic` and one phase `phase` (YAML mappings, flow or block); `grpc`
  // (a flow mapping) gets the client under test.
  scenario::Scenario Load(const std::string& traffic, const std::string& phase, std::string grpc = "") {
    if (grpc.empty()) {
      grpc = fmt::format("{{protos: [leakgate/example/v1/leak.proto], import_paths: [\"{}/examples/go-targets/grpc/proto\"]}}",
                         LEAKGATE_SOURCE_DIR);
    }
    grpc.insert(grpc.size() - 1, ", client: " + GetParam());
    const std::string yaml = fmt::format(
        "name: t\n"
        "target: {{url: \"http://{}\"}}\n"
        "grpc: {}\n"
        "traffic:\n{}\n"
        "phases:\n  - {}\n",
        Addr(port_), grpc, traffic, phase);
    return scenario::ParseScenario(yaml, "inline.yaml", {});
  }

  PhaseLoadResult Run(const scenario::Scenario& s) {
    engine_ = std::make_unique<LoadEngine>(s);
    return engine_->RunPhase(s.phases.at(0), stop_);
  }

  // grpc_leaky.ctx_at_return[method][ending] from the target's expvar.
  int64_t Ending(const std::string& method, const std::string& ending) {
    const auto r = probes::HttpGetOk(SideUrl("/debug/vars"), {.timeout = 5s});
    if (!r.ok()) return -1;
    const auto j = json::parse(*r, nullptr, false);
    if (j.is_discarded()) return -1;
    const auto& e = j["grpc_leaky"]["ctx_at_return"];
    if (!e.contains(method) || !e[method].contains(ending)) return 0;
    return e[method][ending].get<int64_t>();
  }
  // Polls until the server's count reaches `want` (handlers return a little after the
  // client; on a loaded CI machine it took more than 2 s once), at most ~6 s.
  int64_t EndingEventually(const std::string& method, const std::string& ending, int64_t want) {
    int64_t got = 0;
    for (int i = 0; i < 300 && (got = Ending(method, ending)) < want; ++i) std::this_thread::sleep_for(20ms);
    return got;
  }

  int port_ = 0, pprof_port_ = 0;
  std::string dir_;
  std::optional<runner::TargetProcess> target_;
  std::unique_ptr<LoadEngine> engine_;
  std::atomic<bool> stop_{false};
};

TEST_P(GrpcTest, UnaryCallsAllSucceed) {
  StartTarget("fixed");
  const auto s = Load(R"(  - {name: hello, grpc: {method: leakgate.example.v1.LeakService/Hello,
                               request: {name: gopher, repeat: 2, tags: [a, b], priority: PRIORITY_HIGH}}})",
                      "{name: load, duration: 500ms, rate: 200}");
  const auto r = Run(s);
  EXPECT_EQ(r.stats.sent, 100);
  EXPECT_EQ(r.stats.ok, 100);
  EXPECT_EQ(r.stats.grpc_status[kOk], 100);
  EXPECT_EQ(r.stats.messages_received, 100);
  EXPECT_EQ(r.stats.corrected.count(), 100);
  EXPECT_GT(r.stats.corrected.QuantileNanos(0.5), 0);
  EXPECT_EQ(r.stats.connections_opened, r.workers) << "one channel per worker by default";
  EXPECT_FALSE(r.timeline.empty());
  EXPECT_EQ(EndingEventually("Hello", "ok", 100), 100);
}

TEST_P(GrpcTest, ServerClientAndBidiStreams) {
  StartTarget("fixed");
  const auto s = Load(R"(  - {name: ticks, grpc: {method: leakgate.example.v1.LeakService/Ticks, request: {count: 5, interval_ms: -1}}}
  - {name: collect, grpc: {method: leakgate.example.v1.LeakService/Collect, requests: [{name: a, value: 1}, {name: b, value: 2}], messages: 4}}
  - {name: chat, grpc: {method: leakgate.example.v1.LeakService/Chat, request: {text: hi}, messages: 3, interval: 2ms}})",
                      "{name: load, duration: 600ms, rate: 100}");
  const auto r = Run(s);
  EXPECT_EQ(r.stats.sent, 60);
  EXPECT_EQ(r.stats.ok, 60) << r.stats.errors();
  const int64_t ticks = EndingEventually("Ticks", "ok", 1), collect = Ending("Collect", "ok"), chat = Ending("Chat", "ok");
  EXPECT_EQ(ticks + collect + chat, 60);
  // Ticks: 1 sent, 5 received; Collect: 4 sent, 1 received; Chat: 3 sent, 3 received.
  EXPECT_EQ(r.stats.messages_sent, ticks + 4 * collect + 3 * chat);
  EXPECT_EQ(r.stats.messages_received, 5 * ticks + collect + 3 * chat);
}

TEST_P(GrpcTest, MetadataArrivesAndStatusesAreCountedByCode) {
  StartTarget("fixed");
  const auto s = Load(R"(  - {name: unavailable, grpc: {method: leakgate.example.v1.LeakService/Hello, metadata: {x-leakgate-status: "14"}}}
  - {name: not-found, grpc: {method: leakgate.example.v1.LeakService/Hello, metadata: {x-leakgate-status: "5"}}})",
                      "{name: load, duration: 500ms, rate: 200}");
  const auto r = Run(s);
  EXPECT_EQ(r.stats.sent, 100);
  EXPECT_EQ(r.stats.grpc_status[kUnavailable] + r.stats.grpc_status[kNotFound], 100);
  EXPECT_GT(r.stats.grpc_status[kUnavailable], 20);
  EXPECT_GT(r.stats.grpc_status[kNotFound], 20);
  EXPECT_EQ(r.stats.errors_by_kind[static_cast<size_t>(stats::ErrorKind::kStatus5xx)], r.stats.grpc_status[kUnavailable]);
  EXPECT_EQ(r.stats.errors_by_kind[static_cast<size_t>(stats::ErrorKind::kStatus4xx)], r.stats.grpc_status[kNotFound]);
  EXPECT_EQ(r.stats.ok, 0);
}

// Every status code grpc-go can send arrives as that code (trailers; or a trailers-only
// response, which grpc-go sends for an error before any message).
TEST_P(GrpcTest, EveryStatusCodeIsCountedAsTheServerSentIt) {
  StartTarget("fixed");
  std::string traffic;
  for (int code = 1; code <= 16; ++code) {
    traffic += fmt::format("  - {{name: s{0}, grpc: {{method: leakgate.example.v1.LeakService/Hello, metadata: {{x-leakgate-status: \"{0}\"}}}}}}\n", code);
  }
  traffic.pop_back();
  const auto r = Run(Load(traffic, "{name: load, duration: 800ms, rate: 400}"));
  EXPECT_EQ(r.stats.sent, 320);
  int64_t counted = 0;
  for (int code = 1; code <= 16; ++code) {
    EXPECT_GT(r.stats.grpc_status[code], 0) << "code " << code;
    EXPECT_EQ(r.by_entry[static_cast<size_t>(code - 1)].errors, r.by_entry[static_cast<size_t>(code - 1)].requests)
        << "code " << code;
    counted += r.stats.grpc_status[code];
  }
  EXPECT_EQ(counted, 320);
  EXPECT_EQ(r.stats.ok, 0);
}

// Metadata (a -bin key's bytes base64 on the wire) and the deadline (grpc-timeout) as
// grpc-go read them: the target records the last values it saw.
TEST_P(GrpcTest, MetadataAndDeadlineArriveAsGrpcGoReadsThem) {
  StartTarget("fixed");
  const auto r = Run(Load(R"(  - {name: hello, grpc: {method: leakgate.example.v1.LeakService/Hello, deadline: 1500ms,
                               metadata: {x-user: alice, x-trace-bin: "ab\x01", x-empty: ""}}})",
                          "{name: load, duration: 100ms, rate: 100}"));
  EXPECT_EQ(r.stats.ok, 10);
  const auto vars = probes::HttpGetOk(SideUrl("/debug/vars"), {.timeout = 5s});
  ASSERT_TRUE(vars.ok());
  const auto j = json::parse(*vars)["grpc_leaky"];
  EXPECT_EQ(j["metadata_seen"]["x-user"], "alice") << j.dump();
  EXPECT_EQ(j["metadata_seen"]["x-trace-bin"], "616201") << "binary metadata decoded to its bytes";
  const int64_t left = j["deadline_left_ms"]["Hello"].get<int64_t>();
  EXPECT_GT(left, 1000) << "the server's context has the call's 1.5 s deadline";
  EXPECT_LE(left, 1600) << "grpc++ rounds its grpc-timeout up a little";
}

TEST_P(GrpcTest, DeadlineFaultReachesTheServer) {
  StartTarget("fixed");
  const auto s = Load(R"(  - {name: slow, grpc: {method: leakgate.example.v1.LeakService/BlockedSend, request: {work_ms: 300}}})",
                      "{name: load, duration: 500ms, rate: 100, faults: [deadline: {timeout: 20ms}]}");
  const auto r = Run(s);
  EXPECT_EQ(r.stats.sent, 50);
  EXPECT_EQ(r.stats.cancelled, 50) << "a planned deadline is not an error";
  EXPECT_EQ(r.stats.grpc_status[kDeadline] + r.stats.grpc_status[kCancelled], 50);
  // The handler's context ends with the deadline (grpc-timeout), or as cancelled when the
  // client's RST_STREAM at its own deadline got there first: either way the server saw it.
  const int64_t cancelled = EndingEventually("BlockedSend", "cancelled", 1);
  EXPECT_EQ(cancelled + EndingEventually("BlockedSend", "deadline_exceeded", 50 - cancelled), 50);
}

TEST_P(GrpcTest, PerCallDeadlineWithoutFaultIsAnError) {
  StartTarget("fixed");
  const auto s = Load(R"(  - {name: slow, grpc: {method: leakgate.example.v1.LeakService/BlockedSend, request: {work_ms: 300}, deadline: 20ms}})",
                      "{name: load, duration: 200ms, rate: 100}");
  const auto r = Run(s);
  EXPECT_EQ(r.stats.sent, 20);
  EXPECT_EQ(r.stats.cancelled, 0);
  EXPECT_EQ(r.stats.errors(), 20);
  EXPECT_GE(r.stats.grpc_status[kDeadline], 10);
}

TEST_P(GrpcTest, CancelAfterThreeMessagesIsSeenByTheServer) {
  StartTarget("fixed");
  const auto s = Load(R"(  - {name: ticks, grpc: {method: leakgate.example.v1.LeakService/Ticks, request: {interval_ms: 1}}})",
                      "{name: load, duration: 500ms, rate: 100, faults: [grpc_cancel: {after_messages: 3}]}");
  const auto r = Run(s);
  EXPECT_EQ(r.stats.sent, 50);
  EXPECT_EQ(r.stats.cancelled, 50);
  EXPECT_EQ(r.stats.grpc_status[kCancelled], 50);
  EXPECT_GE(r.stats.messages_received, 150);
  EXPECT_LE(r.stats.messages_received, 200) << "reading stops soon after the cancel";
  EXPECT_EQ(EndingEventually("Ticks", "cancelled", 50), 50) << "every stream's context ended by the client's cancel";
}

TEST_P(GrpcTest, CancelAfterDelayAndAbandonedStreams) {
  StartTarget("fixed");
  const auto s = Load(R"(  - {name: slow, grpc: {method: leakgate.example.v1.LeakService/LostCancel, request: {work_ms: 5000}}}
  - {name: chat, grpc: {method: leakgate.example.v1.LeakService/Chat, messages: 2}})",
                      R"({name: load, duration: 500ms, rate: 100, faults: [cancel: {after: 15ms, traffic: [slow]},
                          grpc_abandon: {hold: 50ms, traffic: [chat]}]})");
  const auto r = Run(s);
  EXPECT_EQ(r.stats.sent, 50);
  EXPECT_EQ(r.stats.cancelled, 50);
  const int64_t lost = EndingEventually("LostCancel", "cancelled", 1);
  const int64_t chat = EndingEventually("Chat", "cancelled", 50 - lost);
  EXPECT_EQ(lost + chat, 50) << "every call was cancelled by the client and the server saw it";
  EXPECT_GT(chat, 5);
}

TEST_P(GrpcTest, ConnectionsAndChannelChurn) {
  StartTarget("fixed");
  const std::string traffic = R"(  - {name: hello, grpc: {method: leakgate.example.v1.LeakService/Hello}})";
  auto r = Run(Load(traffic, "{name: load, duration: 300ms, rate: 100, workers: 1, grpc: {connections: 3}}"));
  EXPECT_EQ(r.stats.ok, 30);
  EXPECT_EQ(r.stats.connections_opened, 3);
  r = Run(Load(traffic, "{name: load, duration: 500ms, rate: 100, workers: 1, grpc: {channel_churn: 10}}"));
  EXPECT_EQ(r.stats.ok, 50);
  EXPECT_EQ(r.stats.connections_opened, 5) << "a new channel every 10 calls";
}

TEST_P(GrpcTest, ClosedModel) {
  StartTarget("fixed");
  const auto r = Run(Load(R"(  - {name: hello, grpc: {method: leakgate.example.v1.LeakService/Hello}})",
                          "{name: load, duration: 300ms, concurrency: 4}"));
  EXPECT_GT(r.stats.ok, 100);
  EXPECT_EQ(r.stats.ok, r.stats.sent);
}

TEST_P(GrpcTest, ReplayAtRecordedPaceAndAtTheRate) {
  StartTarget("fixed");
  const std::string file = dir_ + "/calls.jsonl";
  std::ofstream(file) << R"({"method": "/leakgate.example.v1.LeakService/Hello", "request": {"name": "a"}, "offset_ms": 0}
{"method": "leakgate.example.v1.LeakService/Collect", "requests": [{"value": 2}, {"value": 3}], "offset_ms": 50}
# a comment
{"method": "/leakgate.example.v1.LeakService/Hello", "metadata": {"x-leakgate-status": "5"}, "offset_ms": 100}
)";
  auto r = Run(Load(fmt::format("  - {{name: rec, grpc: {{replay: \"{}\", pace: recorded, speed: 2}}}}", file),
                    "{name: load, duration: 300ms, rate: 1}"));
  EXPECT_EQ(r.stats.sent, 3);
  EXPECT_EQ(r.stats.ok, 2);
  EXPECT_EQ(r.stats.grpc_status[kNotFound], 1);
  r = Run(Load(fmt::format("  - {{name: rec, grpc: {{replay: \"{}\"}}}}", file), "{name: load, duration: 300ms, rate: 100}"));
  EXPECT_EQ(r.stats.sent, 30);
  EXPECT_EQ(r.stats.grpc_status[kNotFound], 10) << "every third call of the recording";
}

// Regression: the cancel fault's timer handler could touch a call's state after the call
// had returned (a timer that fired just as the call ended). Cancel delays spread around
// the calls' own duration make that race common; under ASan a use after the call's scope
// is a crash. Every call must end counted exactly once.
TEST_P(GrpcTest, CancelTimerRacingTheCallsEndIsSafe) {
  StartTarget("fixed");
  const auto r = Run(Load(R"(  - {name: hello, grpc: {method: leakgate.example.v1.LeakService/Hello, request: {name: x}}})",
                          "{name: load, duration: 1s, rate: 400, faults: [{cancel: {after: {min: 0ms, max: 2ms}}}]}"));
  EXPECT_EQ(r.stats.sent, 400);
  EXPECT_EQ(r.stats.ok + r.stats.cancelled + r.stats.errors(), 400);
  EXPECT_GT(r.stats.cancelled, 0);
}

TEST_P(GrpcTest, StopFlagCancelsStreamsInFlight) {
  StartTarget("fixed");
  const auto s = Load(R"(  - {name: ticks, grpc: {method: leakgate.example.v1.LeakService/Ticks, request: {interval_ms: 5}}})",
                      "{name: load, duration: 3s, rate: 50}");
  engine_ = std::make_unique<LoadEngine>(s);
  std::jthread raise([this] {
    std::this_thread::sleep_for(300ms);
    stop_ = true;
  });
  const auto started = std::chrono::steady_clock::now();
  const auto r = engine_->RunPhase(s.phases.at(0), stop_);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s) << "a raised stop ends the phase within ~20 ms";
  EXPECT_GT(r.stats.sent, 5);
  EXPECT_EQ(r.stats.aborted, r.stats.sent) << "every endless stream was cut by the stop";
  EXPECT_EQ(EndingEventually("Ticks", "cancelled", r.stats.sent), r.stats.sent);
}

TEST_P(GrpcTest, ServerReflectionInsteadOfProtos) {
  StartTarget("fixed");
  const auto r = Run(Load(R"(  - {name: hello, grpc: {method: leakgate.example.v1.LeakService/Hello, request: {name: r, priority: PRIORITY_LOW}}})",
                          "{name: load, duration: 200ms, rate: 100}", "{reflection: true}"));
  EXPECT_EQ(r.stats.ok, 20);
}

TEST_P(GrpcTest, UnknownMethodAndBadRequestNameTheTrafficEntry) {
  StartTarget("fixed");
  try {
    Run(Load(R"(  - {name: nope, grpc: {method: leakgate.example.v1.LeakService/Nope}})", "{name: load, duration: 1s, rate: 1}"));
    FAIL() << "expected an error";
  } catch (const scenario::ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("inline.yaml:5:5: traffic nope:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("has no method Nope (methods: Hello"), std::string::npos) << e.what();
  }
  try {
    Run(Load(R"(  - {name: bad, grpc: {method: leakgate.example.v1.LeakService/Hello, request: {repeat: lots}}})",
             "{name: load, duration: 1s, rate: 1}"));
    FAIL() << "expected an error";
  } catch (const scenario::ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("not a valid leakgate.example.v1.HelloRequest"), std::string::npos) << e.what();
  }
  try {
    Run(Load(R"(  - {name: h, grpc: {method: a.B/C}})", "{name: load, duration: 1s, rate: 1}",
             "{protos: [missing.proto], import_paths: [/tmp]}"));
    FAIL() << "expected an error";
  } catch (const scenario::ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("inline.yaml:3:7: grpc: cannot load missing.proto (import paths: /tmp)"),
              std::string::npos)
        << e.what();
  }
}

// HTTP and gRPC entries in one phase: the calls on the gRPC port, GETs on the side HTTP
// port by absolute URL; each entry counted on its own.
TEST_P(GrpcTest, MixedHttpAndGrpcTrafficIsCountedPerEntry) {
  StartTarget("fixed");
  const auto s = Load(fmt::format(R"(  - {{name: hello, weight: 3, grpc: {{method: leakgate.example.v1.LeakService/Hello, request: {{name: m}}}}}}
  - {{name: health, weight: 1, path: "{}"}})",
                                  SideUrl("/healthz")),
                      "{name: load, duration: 1s, rate: 400}");
  const auto r = Run(s);
  ASSERT_EQ(r.by_entry.size(), 2u);
  EXPECT_TRUE(r.entry_used[0] && r.entry_used[1]);
  const auto& grpc = r.by_entry[0];
  const auto& http = r.by_entry[1];
  EXPECT_EQ(grpc.requests + http.requests, 400);
  EXPECT_NEAR(static_cast<double>(http.requests), 100.0, 40.0) << "weights 3:1";
  EXPECT_EQ(grpc.ok, grpc.requests);
  EXPECT_EQ(http.ok, http.requests) << "GET /healthz on the side port answers 200";
  EXPECT_EQ(r.stats.grpc_status[kOk], grpc.ok) << "only the gRPC entry has gRPC statuses";
  EXPECT_EQ(grpc.latency.count(), grpc.ok);
  EXPECT_EQ(http.latency.count(), http.ok);
  EXPECT_EQ(engine_->ProtocolOf(0), "grpc");
  EXPECT_EQ(engine_->ProtocolOf(1), "http");
}

INSTANTIATE_TEST_SUITE_P(Clients, GrpcTest, ::testing::Values("h2", "grpcpp"),
                         [](const auto& client) { return client.param; });

// --- end to end: the shipped scenarios -------------------------------------------------

struct GrpcLeakCase {
  std::string scenario;
  std::string function;
  std::string state;
};
void PrintTo(const GrpcLeakCase& c, std::ostream* os) { *os << c.scenario; }

json RunScenario(const std::string& scenario, const std::string& mode, ProcessOutcome* outcome) {
  const std::string out = MakeTempDir("leakgate-grpc-it");
  *outcome = RunLeakgate({"run", "scenarios/" + scenario, "--out", out, "--quiet", "--var", "mode=" + mode, "--var",
                          std::string("bin=") + LEAKGATE_GO_GRPC_TARGET, "--var", "load=2s", "--var",
                          mode == "leaky" ? "settle=3s" : "settle=8s"},
                         std::chrono::seconds(120));
  json result;
  if (std::filesystem::exists(out + "/result.json")) result = json::parse(ReadFile(out + "/result.json"));
  std::filesystem::remove_all(out);
  return result;
}

class GrpcLeakDetection : public ::testing::TestWithParam<GrpcLeakCase> {};

TEST_P(GrpcLeakDetection, LeakyFailsNamingTheHandlerGoroutine) {
  const auto& c = GetParam();
  ProcessOutcome p;
  const auto r = RunScenario(c.scenario, "leaky", &p);
  ASSERT_EQ(p.exit_code, 1) << p.out << p.err;
  ASSERT_FALSE(r["leaks"].empty()) << r.dump(2);
  EXPECT_EQ(r["leaks"][0]["function"], c.function) << r["leaks"].dump(2);
  EXPECT_EQ(r["leaks"][0]["state"], c.state);
  EXPECT_GE(r["leaks"][0]["count"].get<int>(), 100);
  EXPECT_GT(r["phases"][0]["grpc"]["status"].size(), 0u) << r["phases"][0].dump(2);
}

TEST_P(GrpcLeakDetection, FixedTwinPasses) {
  const auto& c = GetParam();
  ProcessOutcome p;
  const auto r = RunScenario(c.scenario, "fixed", &p);
  ASSERT_EQ(p.exit_code, 0) << p.out << p.err;
  EXPECT_EQ(r["verdict"], "pass");
  EXPECT_GE(r["phases"][0]["requests"].get<int>(), 190);
}

// The shipped mixed scenario end to end: both protocols per entry in result.json, and the
// class-1 leak of its gRPC calls named.
TEST(GrpcMixedScenario, CountsEveryEntryAndNamesTheLeak) {
  ProcessOutcome p;
  const auto r = RunScenario("grpc-mixed-traffic.yaml", "leaky", &p);
  ASSERT_EQ(p.exit_code, 1) << p.out << p.err;
  const auto& load = r["phases"][1];
  ASSERT_EQ(load["name"], "load");
  const auto& by = load["by_traffic"];
  for (const char* name : {"blocked-send", "hello", "health", "vars"}) {
    ASSERT_TRUE(by.contains(name)) << by.dump(2);
    EXPECT_GT(by[name]["requests"].get<int>(), 40) << name;
  }
  EXPECT_EQ(by["blocked-send"]["protocol"], "grpc");
  EXPECT_EQ(by["health"]["protocol"], "http");
  EXPECT_EQ(by["health"]["ok"], by["health"]["requests"]);
  EXPECT_EQ(by["blocked-send"]["cancelled"], by["blocked-send"]["requests"]) << "every call hit its 10 ms deadline";
  int64_t sum = 0;
  for (const auto& [name, t] : by.items()) sum += t["requests"].get<int64_t>();
  EXPECT_EQ(sum, load["requests"].get<int64_t>());
  ASSERT_FALSE(r["leaks"].empty());
  EXPECT_EQ(r["leaks"][0]["function"], "main.(*leakServer).BlockedSend.func1");
  EXPECT_NE(p.out.find("health"), std::string::npos) << "the console lists the entries\n" << p.out;
}

INSTANTIATE_TEST_SUITE_P(
    Classes, GrpcLeakDetection,
    ::testing::Values(GrpcLeakCase{"grpc-01-blocked-send.yaml", "main.(*leakServer).BlockedSend.func1", "chan send"},
                      GrpcLeakCase{"grpc-03-lost-cancel.yaml", "main.slowDependency", "select"},
                      GrpcLeakCase{"grpc-12-stream-ignores-cancel.yaml", "main.tickProducer", "chan send"}),
    [](const auto& param_info) {
      std::string name = param_info.param.scenario.substr(0, param_info.param.scenario.find('.'));
      for (auto& ch : name) {
        if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return name;
    });

}  // namespace grpc_test
}  // namespace leakgate::testing
