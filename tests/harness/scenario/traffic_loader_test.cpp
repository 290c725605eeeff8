// Scenario loading of the traffic / phase / fault keys (templates, CSV, replay, ramps, the
// closed model, connection policies, every client-side fault), through ParseScenario. The
// pure pieces of the load engine they feed are tested in tests/harness/load_pieces_test.cpp.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "harness/load/http/request_factory.h"
#include "harness/scenario/scenario_loader.h"

namespace leakgate::scenario {
namespace traffic_loader_test {

using namespace std::chrono_literals;

Scenario Parse(const std::string& yaml) {
  LoadOptions options;
  options.allocate_port = [] { return 40000; };
  return ParseScenario(yaml, "test.yaml", options);
}

// "file:line:col: ..." of the error `yaml` must raise.
std::string ErrorOf(const std::string& yaml) {
  try {
    Parse(yaml);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for:\n" << yaml;
  return "";
}

const std::string kHead = "name: t\ntarget: {url: \"http://127.0.0.1:1\"}\n";

std::string WriteTemp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("leakgate-traffic-test-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(path) << text;
  return path.string();
}

TEST(TrafficLoader, TemplatesAreParsedOnce) {
  const auto s = Parse(kHead + R"(traffic:
  - name: w
    method: POST
    path: "/items/{{seq}}?r={{randint 1 100}}"
    headers: {X-Id: "{{uuid}}"}
    body: '{"k": "{{randstr 12}}", "lit": "{{{{x}}"}'
phases:
  - {name: load, duration: 1s, rate: 10}
)");
  const auto& t = s.traffic.at(0);
  ASSERT_EQ(t.path_template.size(), 4u);
  EXPECT_EQ(t.path_template[1].kind, TemplatePart::kSeq);
  EXPECT_EQ(t.path_template[3].kind, TemplatePart::kRandInt);
  EXPECT_EQ(t.path_template[3].low, 1);
  EXPECT_EQ(t.path_template[3].high, 100);
  EXPECT_EQ(t.header_templates.at(0).at(0).kind, TemplatePart::kUuid);
  EXPECT_EQ(t.body_template.at(1).kind, TemplatePart::kRandStr);
  EXPECT_EQ(t.body_template.back().text, R"(", "lit": "{{x}}"})") << "{{{{ is a literal {{";
}

TEST(TrafficLoader, TemplateErrorsArePlaced) {
  const auto e = ErrorOf(kHead + "traffic:\n  - {name: a, path: \"/x/{{sq}}\"}\nphases:\n  - {name: l, duration: 1s}\n");
  EXPECT_NE(e.find("test.yaml:4:21: traffic[0].path: unknown template variable"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'seq'"), std::string::npos) << e;
  EXPECT_NE(ErrorOf(kHead + "traffic:\n  - {name: a, body: \"{{randint 5 1}}\"}\nphases:\n  - {name: l, duration: 1s}\n")
                .find("A <= B"),
            std::string::npos);
  EXPECT_NE(ErrorOf(kHead + "traffic:\n  - {name: a, body: \"{{csv.id}}\"}\nphases:\n  - {name: l, duration: 1s}\n")
                .find("needs csv:"),
            std::string::npos);
}

TEST(TrafficLoader, CsvColumnsFeedTemplates) {
  const auto csv = WriteTemp("users.csv", "id,name\n1,\"a, b\"\n2,c\n");
  const auto s = Parse(kHead + "traffic:\n  - {name: a, csv: \"" + csv + "\", path: \"/u/{{csv.id}}/{{csv.name}}\"}\n" +
                       "phases:\n  - {name: l, duration: 1s, rate: 1}\n");
  const auto& t = s.traffic.at(0);
  EXPECT_EQ(t.csv_columns, (std::vector<std::string>{"id", "name"}));
  ASSERT_EQ(t.csv_rows.size(), 2u);
  EXPECT_EQ(t.csv_rows[0][1], "a, b");
  const load::http::RequestFactory f(s.traffic, "h:1", "");
  std::mt19937_64 rng(1);
  std::string scratch;
  EXPECT_TRUE(f.Build(0, 1, rng, scratch).starts_with("GET /u/2/c HTTP/1.1\r\n"));
  const auto e = ErrorOf(kHead + "traffic:\n  - {name: a, csv: \"" + csv + "\", path: \"/u/{{csv.nmae}}\"}\nphases:\n  - {name: l, duration: 1s}\n");
  EXPECT_NE(e.find("did you mean 'name'"), std::string::npos) << e;
  std::filesystem::remove(csv);
}

TEST(TrafficLoader, ReplayJsonLinesAndHar) {
  const auto jsonl = WriteTemp("rec.jsonl",
                               "{\"method\": \"POST\", \"url\": \"http://example.com/a?x=1\", \"headers\": {\"X\": \"1\", \"Host\": \"h\"}, "
                               "\"body\": \"b\", \"offset_ms\": 0}\n\n# comment\n{\"path\": \"/b\", \"offset_ms\": 250}\n");
  const auto har = WriteTemp("rec.har", R"({"log": {"entries": [
    {"startedDateTime": "2024-05-01T10:00:00.000Z", "request": {"method": "GET", "url": "https://x.org/p", "headers": [{"name": ":authority", "value": "x"}, {"name": "Accept", "value": "*/*"}]}},
    {"startedDateTime": "2024-05-01T10:00:01.500Z", "request": {"method": "PUT", "url": "https://x.org/q", "headers": [], "postData": {"text": "hi"}}}]}})");
  const auto s = Parse(kHead + "traffic:\n  - {name: j, replay: \"" + jsonl + "\"}\n  - {name: h, replay: {file: \"" + har +
                       "\", speed: 2}}\nphases:\n  - {name: l, duration: 5s, replay: h}\n");
  const auto& j = *s.traffic.at(0).replay;
  ASSERT_EQ(j.requests.size(), 2u);
  EXPECT_EQ(j.requests[0].path, "/a?x=1");
  EXPECT_EQ(j.requests[0].headers.size(), 1u) << "Host is leakgate's";
  EXPECT_EQ(j.requests[1].offset, 250ms);
  const auto& h = *s.traffic.at(1).replay;
  EXPECT_EQ(h.format, "har");
  ASSERT_EQ(h.requests.size(), 2u);
  EXPECT_EQ(h.requests[0].headers.size(), 1u) << "HTTP/2 pseudo-headers are dropped";
  EXPECT_EQ(h.requests[1].offset, 1500ms);
  EXPECT_EQ(h.requests[1].body, "hi");
  EXPECT_EQ(s.phases.at(0).replay, "h");
  const auto bad = WriteTemp("bad.jsonl", "{\"path\": \"/a\"}\n{\"pth\": \"/b\"}\n");
  const auto e = ErrorOf(kHead + "traffic:\n  - {name: j, replay: \"" + bad + "\"}\nphases:\n  - {name: l, duration: 1s}\n");
  EXPECT_NE(e.find(bad + ":2: unknown key 'pth' (did you mean 'path'?)"), std::string::npos) << e;
  EXPECT_NE(ErrorOf(kHead + "traffic:\n  - {name: a}\nphases:\n  - {name: l, duration: 1s, replay: a}\n").find("not a traffic entry with replay:"),
            std::string::npos);
  for (const auto& p : {jsonl, har, bad}) std::filesystem::remove(p);
}

TEST(PhaseLoader, RampClosedModelAndConnections) {
  const auto s = Parse(kHead + R"(traffic: [{name: a}]
phases:
  - {name: ramp, duration: 10s, rate: {from: 100, to: 1000}}
  - {name: closed, duration: 1s, concurrency: 8, think_time: 5ms, connections: {pool: 4, max: 16}}
  - {name: fresh, duration: 1s, rate: 5, connections: {per_request: true}}
)");
  EXPECT_EQ(s.phases[0].rate, 100);
  EXPECT_EQ(s.phases[0].rate_to, 1000);
  EXPECT_EQ(s.phases[1].concurrency, 8);
  EXPECT_EQ(s.phases[1].think_time, 5ms);
  EXPECT_EQ(s.phases[1].connections.pool, 4);
  EXPECT_EQ(s.phases[1].connections.max, 16);
  EXPECT_TRUE(s.phases[2].connections.per_request);
  EXPECT_NE(ErrorOf(kHead + "traffic: [{name: a}]\nphases:\n  - {name: l, duration: 1s, rate: 1, concurrency: 2}\n").find("give one of"),
            std::string::npos);
  EXPECT_NE(ErrorOf(kHead + "traffic: [{name: a}]\nphases:\n  - {name: l, duration: 1s, rate: 1, think_time: 1s}\n").find("only with concurrency"),
            std::string::npos);
  const auto e = ErrorOf(kHead + "traffic: [{name: a}]\nphases:\n  - {name: l, duration: 1s, connections: {pol: 1}}\n");
  EXPECT_NE(e.find("test.yaml:5:43: phases[0].connections: unknown key 'pol' (did you mean 'pool'?)"), std::string::npos) << e;
}

TEST(FaultLoader, EveryKindIsRead) {
  const auto s = Parse(kHead + R"(traffic: [{name: a}, {name: b}]
phases:
  - name: l
    duration: 1s
    rate: 10
    faults:
      - cancel: {after: {min: 5ms, max: 50ms}, probability: 0.5}
      - reset: {after: 20ms, traffic: [b]}
      - slow_send: {bytes: 10, interval: 5ms}
      - slow_read: {bytes: 4096, interval: 20ms}
      - abandon_body: {}
      - half_close: {probability: 0.1}
      - truncate_body: {keep: 0.25, then: wait, wait: 2s}
      - malformed: {kind: header}
      - deadline: {timeout: {min: 1ms, max: 3ms}, probability: 0.2}
)");
  const auto& p = s.phases.at(0);
  ASSERT_EQ(p.cancel.size(), 1u);
  EXPECT_EQ(p.cancel[0].after, 5ms);
  EXPECT_EQ(p.cancel[0].after_max, 50ms);
  ASSERT_EQ(p.faults.size(), 8u);
  EXPECT_EQ(p.faults[0].kind, Fault::kReset);
  EXPECT_EQ(p.faults[0].scope.traffic, std::vector<std::string>{"b"});
  EXPECT_EQ(p.faults[1].bytes, 10);
  EXPECT_EQ(p.faults[2].interval, 20ms);
  EXPECT_EQ(p.faults[3].kind, Fault::kAbandonBody);
  EXPECT_EQ(p.faults[4].scope.probability, 0.1);
  EXPECT_TRUE(p.faults[5].then_wait);
  EXPECT_EQ(p.faults[5].wait, 2s);
  EXPECT_EQ(p.faults[6].malformed, "header");
  EXPECT_EQ(p.faults[7].after.max, 3ms);
}

TEST(FaultLoader, ErrorsArePlaced) {
  const std::string head = kHead + "traffic: [{name: a}]\nphases:\n  - name: l\n    duration: 1s\n    faults:\n";
  auto e = ErrorOf(head + "      - slow_sned: {}\n");
  EXPECT_NE(e.find("test.yaml:8:9: phases[0].faults[0]: unknown key 'slow_sned' (did you mean 'slow_send'?)"), std::string::npos) << e;
  e = ErrorOf(head + "      - truncate_body: {wait: 1s}\n");
  EXPECT_NE(e.find("only with then: wait"), std::string::npos) << e;
  e = ErrorOf(head + "      - malformed: {kind: headr}\n");
  EXPECT_NE(e.find("did you mean 'header'"), std::string::npos) << e;
  e = ErrorOf(head + "      - reset: {after: {min: 5ms, max: 1ms}}\n");
  EXPECT_NE(e.find("must be >= min"), std::string::npos) << e;
  e = ErrorOf(head + "      - {reset: {}, cancel: {}}\n");
  EXPECT_NE(e.find("one fault per list item"), std::string::npos) << e;
  e = ErrorOf(head + "      - deadline: {}\n");
  EXPECT_NE(e.find("missing required key 'timeout'"), std::string::npos) << e;
}

}  // namespace traffic_loader_test
}  // namespace leakgate::scenario
