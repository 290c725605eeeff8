// The bad-input catalog (issue 12): every row is one thing a user can get wrong — in a
// scenario file (gRPC calls among them), on the command line, in the addresses leakgate
// would talk to, in how the target behaves or in what its probe endpoints answer — run
// through the real leakgate binary. Each row states the exit code
// (README "Exit codes": 2 bad input, 3 target) and a fragment of the message, which names
// the place (file:line:column, the key, the flag or the host). Every row is bounded in
// time, and a run given --out still writes its report.
//
// Rows use {s} for the scenario file the row's YAML is written to and {d} for a fresh
// temporary directory. Nothing here leaves loopback: refused hosts are refused before any
// connection or lookup (address_policy_netns_test proves that with a network namespace).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "leakgate_process.h"

namespace leakgate::testing {
namespace bad_input_catalog_test {

struct BadInput {
  std::string name;
  std::vector<std::string> argv;  // after the leakgate binary; {s} and {d} are replaced
  const char* yaml;               // written to {s}; nullptr: no file
  int exit_code;
  std::string message;            // must appear in stderr or stdout
};

void PrintTo(const BadInput& row, std::ostream* os) { *os << row.name; }

// Long enough for a loaded CI machine; the rows themselves take well under a second,
// those that wait for a target about one (their ready_timeout).
constexpr auto kBound = std::chrono::seconds(20);

std::vector<BadInput> Catalog() {
  return {
      {"EmptyFile", {"validate", "{s}"},
       "",
       2, "s.yaml: the scenario file is empty"},
      {"NotAMapping", {"validate", "{s}"},
       "- a\n- b\n",
       2, "s.yaml:1:1: expected a mapping at the top level"},
      {"MissingName", {"validate", "{s}"},
       "target: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "s.yaml:1:1: missing required key 'name'"},
      {"MissingTarget", {"validate", "{s}"},
       "name: c\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "s.yaml:1:1: missing required key 'target'"},
      {"MissingPhases", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\n",
       2, "s.yaml:1:1: missing required key 'phases'"},
      {"EmptyPhases", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases: []\n",
       2, "s.yaml:4:9: phases: needs at least one phase"},
      {"UnknownTopKey", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphasess: [{name: load, duration: 1s, rate: 10}]\n",
       2, "s.yaml:4:1: unknown key 'phasess' (did you mean 'phases'?)"},
      {"DuplicateKey", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "s.yaml:3:1: duplicate key 'target' (first at line 2)"},
      {"UnclosedFlowList", {"validate", "{s}"},
       "name: [c\n",
       2, "invalid YAML: end of sequence flow not found"},
      {"LeadingComma", {"validate", "{s}"},
       ",name: c\n",
       2, "s.yaml:1:1: expected a mapping at the top level"},
      {"TwoDocuments", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n---\nname: d\n",
       2, "s.yaml:6:1: only one YAML document per scenario file"},
      {"MergeKey", {"validate", "{s}"},
       "base: &b {name: c}\n<<: *b\n",
       2, "s.yaml:1:1: unknown key 'base'"},
      {"DurationUnknownUnit", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases:\n  - {name: l, duration: 8x, rate: 1}\n",
       2, "s.yaml:5:25: phases[0].duration: invalid duration \"8x\""},
      {"DurationWithoutUnit", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases:\n  - {name: l, duration: 10, rate: 1}\n",
       2, "s.yaml:5:25: phases[0].duration: invalid duration \"10\""},
      {"DurationNegative", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases:\n  - {name: l, duration: -1s, rate: 1}\n",
       2, "phases[0].duration: invalid duration \"-1s\" (must not be negative)"},
      {"DurationWithSpace", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases:\n  - {name: l, duration: \"1 s\", rate: 1}\n",
       2, "phases[0].duration: invalid duration \"1 s\""},
      {"DurationEmptyValue", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases:\n  - {name: l, duration: , rate: 1}\n",
       2, "s.yaml:5:15: phases[0].duration: expected a duration, got no value"},
      {"RateNotANumber", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases:\n  - {name: l, duration: 1s, rate: fast}\n",
       2, "s.yaml:5:35: phases[0].rate: expected a number, got \"fast\""},
      {"RateNegative", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases:\n  - {name: l, duration: 1s, rate: -5}\n",
       2, "phases[0].rate: must be >= 0, got -5"},
      {"RateInfinite", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases:\n  - {name: l, duration: 1s, rate: .inf}\n",
       2, "phases[0].rate: expected a number, got \".inf\""},
      {"RateBeyondCeiling", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases:\n  - {name: l, duration: 1s, rate: 1e12}\n",
       2, "s.yaml:5:35: phases[0].rate: must be at most 10000000 (leakgate's ceiling)"},
      {"RampFromZeroToZero", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases:\n  - {name: l, duration: 1s, rate: {from: 0, to: 0}}\n",
       2, "phases[0].rate: a ramp from 0 to 0 sends nothing"},
      {"ConcurrencyZero", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases:\n  - {name: l, duration: 1s, concurrency: 0}\n",
       2, "phases[0].concurrency: must be >= 1, got 0"},
      {"ConcurrencyFraction", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases:\n  - {name: l, duration: 1s, concurrency: 1.5}\n",
       2, "phases[0].concurrency: expected a whole number, got \"1.5\""},
      {"ConcurrencyBeyondCeiling", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases:\n  - {name: l, duration: 1s, concurrency: 10000000}\n",
       2, "s.yaml:5:42: phases[0].concurrency: must be at most 100000 (leakgate's ceiling), got 10000000"},
      {"IntegerBeyond32Bits", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases:\n  - {name: l, duration: 1s, concurrency: 99999999999}\n",
       2, "phases[0].concurrency: \"99999999999\" is out of range"},
      {"WorkersBeyondCeiling", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases:\n  - {name: l, duration: 1s, rate: 1, workers: 100000}\n",
       2, "phases[0].workers: must be at most 256 (leakgate's ceiling), got 100000"},
      {"PhaseDurationBeyondCeiling", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases:\n  - {name: l, duration: 1000h, rate: 1}\n",
       2, "s.yaml:5:25: phases[0].duration: must be at most 24h0m0s (leakgate's ceiling), got 1000h0m0s"},
      {"RateAndConcurrency", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases:\n  - {name: l, duration: 1s, rate: 1, concurrency: 2}\n",
       2, "phases[0].concurrency: give one of rate:"},
      {"ThinkTimeWithoutConcurrency", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases:\n  - {name: l, duration: 1s, rate: 1, think_time: 1s}\n",
       2, "phases[0].think_time: only with concurrency:"},
      {"ReplayOfAPlainEntry", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases:\n  - {name: l, duration: 1s, replay: a}\n",
       2, "phases[0].replay: \"a\" is not a traffic entry with replay:"},
      {"DuplicatePhaseNames", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: l, duration: 1s}, {name: l, duration: 1s}]\n",
       2, "s.yaml:4:42: phases[1].name: duplicate phase name \"l\" (first at line 4)"},
      {"WarmupAfterMeasuredPhase", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: l, duration: 1s}, {name: warmup, duration: 1s}]\n",
       2, "phases[1].name: warm-up phases run before the baseline is taken"},
      {"OnlyWarmups", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: warmup, duration: 1s}]\n",
       2, "phases: every phase is a warm-up"},
      {"RateWithoutTraffic", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "phases[0].rate: 10 requests/s, but traffic: defines no requests"},
      {"TrafficUnknownKey", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, pth: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "s.yaml:3:21: traffic[0]: unknown key 'pth' (did you mean 'path'?)"},
      {"TrafficNegativeWeight", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x, weight: -1}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "traffic[0].weight: must be > 0, got -1"},
      {"DuplicateTrafficNames", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}, {name: a, path: /y}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "traffic[1].name: duplicate traffic name \"a\" (first at line 3)"},
      {"TrafficPathWithoutSlash", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "traffic[0].path: must start with '/', got \"x\""},
      {"BooleanYes", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases:\n  - {name: l, duration: 1s, rate: 1, warmup: yes}\n",
       2, "phases[0].warmup: expected true or false, got \"yes\""},
      {"UndefinedVariable", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: \"/${nope}\"}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "traffic[0].path: undefined variable \"${nope}\""},
      {"ProtocolUnknown", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases:\n  - {name: l, duration: 1s, rate: 1, protocol: http2}\n",
       2, "phases[0].protocol: expected http/1.1, h2c (HTTP/2 without TLS) or h2 (HTTP/2 over TLS), got \"http2\""},
      {"FaultProbabilityAboveOne", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases:\n  - {name: l, duration: 1s, rate: 1, faults: [{cancel: {after: 10ms, probability: 1.5}}]}\n",
       2, "phases[0].faults[0].cancel.probability: a probability must be between 0 and 1, got 1.5"},
      {"FaultUnknownKind", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases:\n  - {name: l, duration: 1s, rate: 1, faults: [{explode: {}}]}\n",
       2, "phases[0].faults[0]: unknown key 'explode'"},
      {"FaultOnUnknownTraffic", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases:\n  - {name: l, duration: 1s, rate: 1, faults: [{cancel: {after: 10ms, traffic: [zz]}}]}\n",
       2, "phases[0].faults[0].cancel.traffic[0]: unknown traffic \"zz\""},
      {"ThresholdMalformed", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases:\n  - {name: l, duration: 1s, rate: 1, thresholds: [\"p99 <\"]}\n",
       2, "phases[0].thresholds[0]: expected a value after \"p99\""},
      {"ThresholdUnknownMetric", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases:\n  - {name: l, duration: 1s, rate: 1, thresholds: [\"p42 < 5ms\"]}\n",
       2, "phases[0].thresholds[0]: unknown metric \"p42\""},
      {"AssertNegativeTolerance", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\nassert: {goroutines: {tolerance: -1}}\n",
       2, "assert.goroutines.tolerance: must be >= 0, got -1"},
      {"AssertUnknownResource", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\nassert: {goroutinez: {tolerance: 1}}\n",
       2, "assert: unknown key 'goroutinez' (did you mean 'goroutines'?)"},
      {"TargetUrlFtp", {"validate", "{s}"},
       "name: c\ntarget: {url: \"ftp://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "s.yaml:2:15: target.url: expected an http:// or https:// URL"},
      {"TargetUrlWithoutHost", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://:80\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "target.url: URL \"http://:80\": empty host"},
      {"TargetEmptyCommand", {"validate", "{s}"},
       "name: c\ntarget: {command: []}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "s.yaml:2:19: target.command: must not be empty"},
      {"TargetEmptyMapping", {"validate", "{s}"},
       "name: c\ntarget: {}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "target: needs command: (a service for leakgate to start) or url:"},
      {"ReadyTimeoutZero", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\", ready_timeout: 0}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "target.ready_timeout: must be longer than 0"},
      {"TlsCaFileMissing", {"validate", "{s}"},
       "name: c\ntarget: {url: \"https://127.0.0.1:1\", tls: {ca: /nonexistent/ca.pem}}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "target.tls.ca: no such file \"/nonexistent/ca.pem\""},
      {"ReplayFileMissing", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: r, replay: {file: /nonexistent/r.jsonl}}]\nphases: [{name: l, duration: 1s, replay: r}]\n",
       2, "traffic[0].replay: cannot read replay file \"/nonexistent/r.jsonl\""},
      {"CsvWithoutEnd", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x, csv: /dev/zero}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "s.yaml:3:36: traffic[0].csv: cannot read CSV file \"/dev/zero\": more than 256 MiB (leakgate's ceiling)"},
      {"BodyRenderingBeyondTheCeiling", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\nvars: {big: \"{{randstr 65536}}{{randstr 65536}}{{randstr 65536}}{{randstr 65536}}\"}\n"
       "traffic: [{name: a, path: /x, body: \"${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}${big}\"}]\n"
       "phases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "traffic[0].body: renders up to 16.2 MiB, more than 16 MiB (leakgate's ceiling)"},
      {"H2FaultInAnHttp1Phase", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10, faults: [h2_stall: {hold: 1s}]}]\n",
       2, "phases[0].faults[0]: h2_stall acts on HTTP/2 streams; this phase speaks HTTP/1.1"},
      {"Http1FaultInAnH2Phase", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10, protocol: h2c, faults: [truncate_body: {}]}]\n",
       2, "phases[0].faults[0]: truncate_body acts on HTTP/1.1 connections; this phase speaks HTTP/2 (protocol: h2c)"},
      {"H2RstStreamAfterZeroBytes", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10, protocol: h2c, faults: [h2_rst_stream: {after: 0}]}]\n",
       2, "phases[0].faults[0].h2_rst_stream.after"},
      {"GrpcProtoMissing", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ngrpc: {protos: [/nonexistent/x.proto]}\ntraffic: [{name: g, grpc: {method: a.B/C}}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "grpc: cannot load /nonexistent/x.proto"},
      {"GrpcWithoutGrpcSection", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: g, grpc: {method: a.B/C}}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "traffic has gRPC calls: add a top-level grpc:"},
      {"GrpcUnknownMethod", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ngrpc: {protos: [leakgate/example/v1/leak.proto], import_paths: [examples/go-targets/grpc/proto]}\ntraffic: [{name: g, grpc: {method: leakgate.example.v1.LeakService/Helo}}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "s.yaml:4:11: traffic g: service leakgate.example.v1.LeakService has no method Helo (methods: Hello,"},
      {"GrpcRequestUnknownField", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ngrpc: {protos: [leakgate/example/v1/leak.proto], import_paths: [examples/go-targets/grpc/proto]}\ntraffic: [{name: g, grpc: {method: leakgate.example.v1.LeakService/Hello, request: {nmae: x}}}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "is not a valid leakgate.example.v1.HelloRequest: nmae: Cannot find field"},
      {"GrpcRequestWrongType", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ngrpc: {protos: [leakgate/example/v1/leak.proto], import_paths: [examples/go-targets/grpc/proto]}\ntraffic: [{name: g, grpc: {method: leakgate.example.v1.LeakService/Hello, request: {repeat: many}}}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "invalid value \"many\" for type TYPE_INT32"},
      {"GrpcMethodNotFullName", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ngrpc: {protos: [leakgate/example/v1/leak.proto], import_paths: [examples/go-targets/grpc/proto]}\ntraffic: [{name: g, grpc: {method: LeakService.Hello}}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "traffic[0].grpc.method: expected a full method name such as \"package.Service/Method\""},
      {"DependencyUpstreamNotLoopback", {"validate", "{s}"},
       "name: c\ndependencies: [{name: db, upstream: \"10.1.2.3:5432\"}]\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "s.yaml:2:37: dependencies[0].upstream: host \"10.1.2.3\" is not loopback"},
      {"DependencyFaultUnknownDependency", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases:\n  - {name: l, duration: 1s, rate: 1, faults: [{blackhole: {dependency: nope}}]}\n",
       2, "phases[0].faults[0].blackhole.dependency: unknown dependency \"nope\""},
      {"AllowHostsBadEntry", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\nsafety: {allow_hosts: [\"a b\"]}\n",
       2, "\"a b\" is not a host name or IP address"},
      {"TargetUrlPrivateAddress", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://10.0.0.1:8080\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "target.url: URL \"http://10.0.0.1:8080\": host \"10.0.0.1\" is not loopback"},
      {"TargetUrlPublicName", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://example.com:8080\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "host \"example.com\" is not loopback (not resolved)"},
      {"TargetUrlIpv6", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://[2001:db8::1]:8080\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "host \"2001:db8::1\" is not loopback"},
      {"TargetUrlUserinfoTrick", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1@10.0.0.1:8080\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "userinfo (\"...@\" before the host) is not allowed"},
      {"TargetUrlHexLoopbackSpelling", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://0x0a000001:8080\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "host \"0x0a000001\" (10.0.0.1) is not loopback"},
      {"TargetUrlDecimalSpelling", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://167772161:8080\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "host \"167772161\" (10.0.0.1) is not loopback"},
      {"ProbeSourceNotLoopback", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\nprobe: {pprof: \"http://192.168.1.1/debug/pprof\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "probe.pprof: URL \"http://192.168.1.1/debug/pprof\": host \"192.168.1.1\" is not loopback"},
      {"ReadyUrlNotLoopback", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\", ready: \"http://172.16.0.1/healthz\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "target.ready: URL \"http://172.16.0.1/healthz\": host \"172.16.0.1\" is not loopback"},
      {"AbsoluteTrafficUrlNotLoopback", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: \"http://8.8.8.8/x\"}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "host \"8.8.8.8\" is not loopback"},
      {"RunWithoutScenario", {"run"},
       nullptr,
       2, "scenario is required"},
      {"RunUnknownFlag", {"run", "{s}", "--bogus"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "The following argument was not expected: --bogus"},
      {"RunVarWithoutValue", {"run", "{s}", "--var", "novalue"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "--var: expected NAME=VALUE, got \"novalue\""},
      {"RunOutIsAFile", {"run", "{s}", "--out", "{s}"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "s.yaml: cannot create the directory"},
      {"RunMissingScenarioFile", {"run", "/nonexistent/s.yaml"},
       nullptr,
       2, "/nonexistent/s.yaml: cannot read scenario file: No such file or directory"},
      {"RunScenarioIsADirectory", {"run", "{d}"},
       nullptr,
       2, "cannot read scenario file: is a directory"},
      {"UnknownCommand", {"lode"},
       nullptr,
       2, "unknown command \"lode\" (did you mean 'load'?)"},
      {"ShardIndexNotBelowCount", {"run", "{s}", "--shard", "3/2", "--start-at", "2026-12-02T03:30:00Z", "--target-url", "http://127.0.0.1:1"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "--shard \"3/2\": I out of range"},
      {"LoadWithoutRateOrConcurrency", {"load", "http://127.0.0.1:1/"},
       nullptr,
       2, "give exactly one of --rate or --concurrency"},
      {"LoadUrlWithoutScheme", {"load", "127.0.0.1:1/x", "--rate", "1"},
       nullptr,
       2, "URL \"127.0.0.1:1/x\": no scheme"},
      {"LoadRateBeyondCeiling", {"load", "http://127.0.0.1:1/", "--rate", "1e12"},
       nullptr,
       2, "--rate: must be in [0, 10000000]"},
      {"LoadBadDuration", {"load", "http://127.0.0.1:1/", "--rate", "1", "--duration", "xyz"},
       nullptr,
       2, "invalid --duration or --timeout"},
      {"LoadUnknownProtocol", {"load", "http://127.0.0.1:1/", "--rate", "1", "--duration", "1s", "--protocol", "http3"},
       nullptr,
       2, "--protocol expects http/1.1, h2c or h2, got \"http3\""},
      {"LoadHeaderWithoutColon", {"load", "http://127.0.0.1:1/", "--rate", "1", "--duration", "1s", "-H", "nocolon"},
       nullptr,
       2, "--header expects \"Name: value\", got \"nocolon\""},
      {"LoadUrlNotLoopback", {"load", "http://10.1.2.3/", "--rate", "1", "--duration", "1s"},
       nullptr,
       2, "host \"10.1.2.3\" is not loopback"},
      {"LoadUrlNameNotLoopback", {"load", "http://leakgate-test.invalid/", "--rate", "1", "--duration", "1s"},
       nullptr,
       2, "host \"leakgate-test.invalid\" is not loopback (not resolved)"},
      {"ProbeUrlNotLoopback", {"probe", "http://10.1.2.3:6060"},
       nullptr,
       2, "host \"10.1.2.3\" is not loopback"},
      {"CheckWithoutHit", {"check", "http://127.0.0.1:1"},
       nullptr,
       2, "--hit is required"},
      {"CheckUrlNotLoopback", {"check", "http://10.9.8.7:80", "--hit", "/x"},
       nullptr,
       2, "host \"10.9.8.7\" is not loopback"},
      {"DiffMissingDumps", {"diff", "/nonexistent/a.txt", "/nonexistent/b.txt"},
       nullptr,
       2, "BEFORE /nonexistent/a.txt: No such file or directory"},
      {"MergeNothing", {"merge", "--out", "{d}/m"},
       nullptr,
       2, "dirs is required"},
      {"ProbePprofPathAnswers404", {"run", "{s}", "--out", "{d}/o"},
       "name: c\ntarget: {command: [build/examples/go-targets/leaky, -addr, \"127.0.0.1:${port}\", -mode, fixed], ready: /healthz}\nprobe: {pprof: /hello}\ntraffic: [{name: a, path: /hello}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       3, "cannot sample the target: heap profile: GET http://127.0.0.1:"},
      {"ProbeExpvarNotJson", {"run", "{s}", "--out", "{d}/o"},
       "name: c\ntarget: {command: [build/examples/go-targets/leaky, -addr, \"127.0.0.1:${port}\", -mode, fixed], ready: /healthz}\nprobe: {pprof: \"\", expvar: /hello}\ntraffic: [{name: a, path: /hello}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       3, "cannot sample the target: expvar: invalid JSON"},
      {"ProbeMetricsNotPrometheusText", {"run", "{s}", "--out", "{d}/o"},
       "name: c\ntarget: {command: [build/examples/go-targets/leaky, -addr, \"127.0.0.1:${port}\", -mode, fixed], ready: /healthz}\nprobe: {pprof: \"\", metrics: /debug/vars}\ntraffic: [{name: a, path: /hello}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       3, "cannot sample the target: metrics: GET http://127.0.0.1:"},
      {"ProbeBodyBeyondItsCap", {"run", "{s}", "--out", "{d}/o"},
       "name: c\ntarget: {command: [build/examples/go-targets/leaky, -addr, \"127.0.0.1:${port}\", -mode, fixed], ready: /healthz}\nprobe: {pprof: \"\", expvar: \"/stream?chunks=1024&size=16384\"}\ntraffic: [{name: a, path: /hello}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       3, "body larger than 8 MiB cap (Content-Length 16777216)"},
      {"ProbeNeverAnswersWithinItsTimeout", {"run", "{s}", "--out", "{d}/o"},
       "name: c\ntarget: {command: [build/examples/go-targets/leaky, -addr, \"127.0.0.1:${port}\", -mode, fixed], ready: /healthz}\nprobe: {pprof: \"\", expvar: \"/slow?ms=5000\", timeout: 500ms}\ntraffic: [{name: a, path: /hello}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       3, "/slow?ms=5000: timed out after 500ms"},
      {"TargetCommandNotFound", {"run", "{s}", "--out", "{d}/o"},
       "name: c\ntarget: {command: [/nonexistent/bin, -x]}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       3, "cannot start target command \"/nonexistent/bin\": No such file or directory"},
      {"TargetExitsBeforeReady", {"run", "{s}", "--out", "{d}/o"},
       "name: c\ntarget: {command: [/bin/sh, -c, \"echo no-such-mode >&2; exit 7\"]}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       3, "no-such-mode"},
      {"TargetNeverReady", {"run", "{s}", "--out", "{d}/o"},
       "name: c\ntarget: {command: [/bin/sleep, \"30\"], ready: /healthz, ready_timeout: 1s, stop_timeout: 0}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       3, "not ready within 1.0s"},
      {"UrlTargetNotListening", {"run", "{s}", "--out", "{d}/o"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\", ready_timeout: 1s}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       3, "target not ready within 1.0s"},
      {"RunTargetUrlPrivateAddress", {"run", "{s}", "--out", "{d}/o"},
       "name: c\ntarget: {url: \"http://10.0.0.1:8080\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "target.url: URL \"http://10.0.0.1:8080\": host \"10.0.0.1\" is not loopback"},
      {"RunTargetUrlNameNeverResolved", {"run", "{s}", "--out", "{d}/o"},
       "name: c\ntarget: {url: \"http://leakgate-test.invalid:8080\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "host \"leakgate-test.invalid\" is not loopback (not resolved)"},
      {"RunProbeSourceNotLoopback", {"run", "{s}", "--out", "{d}/o"},
       "name: c\ntarget: {command: [/bin/sleep, \"30\"], stop_timeout: 0}\nprobe: {expvar: \"http://10.2.3.4:9/debug/vars\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "probe.expvar: URL \"http://10.2.3.4:9/debug/vars\": host \"10.2.3.4\" is not loopback"},
      {"RunAllowedHostPassesThePolicy", {"validate", "{s}"},
       "name: c\ntarget: {url: \"http://10.0.0.1:8080\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\nsafety: {allow_hosts: [10.0.0.1]}\n",
       0, ": ok"},
      {"AllowHostFlagAdmitsADependencyUpstream", {"validate", "{s}", "--allow-host", "10.1.2.3"},
       "name: c\ndependencies: [{name: db, upstream: \"10.1.2.3:5432\"}]\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       0, ": ok"},
      {"RunAllowHostNotAHost", {"run", "{s}", "--allow-host", "a b"},
       "name: c\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /x}]\nphases: [{name: load, duration: 1s, rate: 10}]\n",
       2, "leakgate run: --allow-host: \"a b\" is not a host name or IP address"},

  };
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

class BadInputCatalog : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadInputCatalog, ExitsWithItsCodeAndNamesThePlace) {
  const auto& row = GetParam();
  const auto dir = MakeTempDir("leakgate-catalog");
  const auto scenario = dir + "/s.yaml";
  if (row.yaml != nullptr) std::ofstream(scenario) << row.yaml;
  std::vector<std::string> args;
  bool writes_report = false;
  for (const auto& a : row.argv) {
    args.push_back(Replace(Replace(a, "{s}", scenario), "{d}", dir));
    writes_report |= a == "{d}/o";
  }
  const auto start = std::chrono::steady_clock::now();
  const auto r = RunLeakgate(args, std::chrono::duration_cast<std::chrono::seconds>(kBound) + std::chrono::seconds(10));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.exit_code, row.exit_code) << "stderr: " << r.err << "\nstdout: " << r.out;
  EXPECT_NE((r.err + r.out).find(row.message), std::string::npos)
      << "expected: " << row.message << "\nstderr: " << r.err << "\nstdout: " << r.out;
  EXPECT_LT(took, kBound) << "bounded in time";
  if (writes_report) {
    const auto path = dir + "/o/result.json";
    ASSERT_TRUE(std::filesystem::exists(path)) << "nothing lost: the report is written";
    const auto result = nlohmann::json::parse(ReadFile(path), nullptr, false);
    ASSERT_FALSE(result.is_discarded());
    EXPECT_EQ(result["exit_code"], row.exit_code);
    // The message's end after its last quote: result.json escapes the quotes themselves.
    const auto quote = row.message.rfind('"');
    const auto why = quote == std::string::npos ? row.message : row.message.substr(quote + 1);
    EXPECT_NE(result.dump().find(why), std::string::npos) << "the report says why: " << result.dump();
  }
}

INSTANTIATE_TEST_SUITE_P(Rows, BadInputCatalog, ::testing::ValuesIn(Catalog()),
                         [](const ::testing::TestParamInfo<BadInput>& row) { return row.param.name; });

TEST(BadInputCatalogSize, HasAtLeastSixtyRows) { EXPECT_GE(Catalog().size(), 60u); }

}  // namespace bad_input_catalog_test
}  // namespace leakgate::testing
