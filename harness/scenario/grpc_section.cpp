#include "harness/scenario/grpc_section.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "harness/scenario/input_file.h"
#include "harness/scenario/limits.h"
#include "harness/scenario/messages.h"
#include "harness/scenario/protocol_syntax.h"
#include "harness/scenario/scenario_error.h"
#include "harness/scenario/traffic_files.h"
#include "harness/scenario/traffic_section.h"

namespace leakgate::scenario {
namespace {

// A YAML value as JSON text, for protobuf's JSON parser. Strings are substituted; a plain
// (unquoted) scalar that reads as a JSON number, true, false or null is written bare, any
// other scalar (and every quoted one) as a JSON string.
nlohmann::json GrpcYamlToJson(const Reader& r) {
  const YAML::Node& node = r.node();
  if (node.IsMap()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, key_mark, value] : r.Entries()) out[key] = GrpcYamlToJson(value);
    return out;
  }
  if (node.IsSequence()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : r.Items()) out.push_back(GrpcYamlToJson(item));
    return out;
  }
  if (!node.IsScalar()) return nullptr;
  std::string text = r.String();
  if (node.Tag() == "?") {
    if (text == "true" || text == "false" || text == "null") return nlohmann::json::parse(text);
    double number = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (!text.empty() && ec == std::errc() && end == text.data() + text.size() && std::isfinite(number)) {
      return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    }
  }
  return text;
}

// One request message: a mapping (YAML or flow JSON) or a string holding a JSON object.
std::string GrpcMessageJson(const Reader& r) {
  if (r.node().IsMap()) return GrpcYamlToJson(r).dump();
  if (!r.node().IsScalar()) r.Fail(fmt::format("expected a mapping (the request message), got {}", Describe(r.node())));
  const std::string text = r.String();
  const auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    r.Fail(fmt::format("expected a mapping or a JSON object such as '{{\"name\": \"x\"}}', got {}", Quoted(text)));
  }
  return parsed.dump();
}

// "package.Service/Method" (a leading '/' is dropped); anything else is an error at r.
std::string GrpcMethodName(const Reader& r, std::string text) {
  if (text.starts_with("/")) text.erase(0, 1);
  if (!IsGrpcMethodShape(text) || HasSpaceOrControl(text)) {
    r.Fail(fmt::format("expected a full method name such as \"package.Service/Method\", got {}", Quoted(text)));
  }
  return text;
}

// gRPC metadata: lower-case keys (letters, digits, '-', '_', '.'), not "grpc-" reserved.
std::vector<std::pair<std::string, std::string>> GrpcMetadata(const Reader& r) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, key_mark, value] : r.Entries()) {
    const bool valid = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || IsAsciiDigit(c) || c == '-' || c == '_' || c == '.';
    });
    if (!valid) {
      r.context().Fail(key_mark, r.path(),
                       fmt::format("invalid metadata key {} (lower-case letters, digits, '-', '_', '.')", Quoted(key)));
    }
    if (key.starts_with("grpc-")) r.context().Fail(key_mark, r.path(), fmt::format("metadata key {} is reserved by gRPC", Quoted(key)));
    std::string text = value.String();
    if (!key.ends_with("-bin") && std::any_of(text.begin(), text.end(), [](char c) { return c < 0x20 || c == 0x7f; })) {
      value.Fail("metadata values must be printable ASCII (use a key ending in -bin for binary values)");
    }
    out.emplace_back(key, std::move(text));
  }
  return out;
}

// The calls of the replay file `file` (traffic_files.h), errors placed at `r`.
std::vector<GrpcRecordedCall> ReadGrpcReplayFile(const Reader& r, const std::string& file) {
  const auto text = r.Placed([&] { return ReadInputFile(file, "replay file " + Quoted(file), limits::kRecordingFileBytes); });
  auto calls = r.Placed([&] { return ParseGrpcReplay(text, file); });
  if (calls.empty()) r.Fail(fmt::format("replay file {} has no calls", Quoted(file)));
  return calls;
}

// A traffic entry's grpc: mapping.
GrpcCall ReadGrpcCall(const Reader& r) {
  const auto m = r.Map({"method", "request", "requests", "messages", "interval", "metadata", "deadline", "replay",
                        "pace", "speed"});
  GrpcCall c;
  const auto replay = m.Get("replay");
  const auto method = m.Get("method");
  if (!replay && !method) r.Fail("needs method: (\"package.Service/Method\") or replay: (a JSON-lines file of calls)");
  if (replay && method) method->Fail("method: and replay: exclude each other (the recording names its methods)");
  if (method) c.method = GrpcMethodName(*method, method->String());
  const auto request = m.Get("request");
  const auto requests = m.Get("requests");
  if (request && requests) requests->Fail("request: and requests: exclude each other");
  if (replay && (request || requests)) (request ? *request : *requests).Fail("a replay takes its requests from the recording");
  if (request) c.requests.push_back(GrpcMessageJson(*request));
  if (requests) {
    const auto items = requests->Items();
    if (items.empty()) requests->Fail("must not be empty (omit it to send one empty message)");
    for (const auto& item : items) c.requests.push_back(GrpcMessageJson(item));
  }
  if (c.requests.empty() && !replay) c.requests.push_back("{}");
  if (const auto v = m.Get("messages")) c.messages = IntAtLeast(*v, 1);
  if (const auto v = m.Get("interval")) c.interval = v->Dur();
  if (const auto v = m.Get("metadata")) c.metadata = GrpcMetadata(*v);
  if (const auto v = m.Get("deadline")) c.deadline = PositiveDuration(*v);
  const auto pace = m.Get("pace");
  const auto speed = m.Get("speed");
  if (!replay && (pace || speed)) (pace ? *pace : *speed).Fail("only with replay:");
  if (replay) {
    c.replay_file = NonEmptyString(*replay);
    c.replay = ReadGrpcReplayFile(*replay, c.replay_file);
    if (pace) {
      const std::string p = pace->String();
      if (p != "rate" && p != "recorded") pace->Fail(fmt::format("expected rate or recorded, got {}", Quoted(p)));
      c.recorded_pace = p == "recorded";
    }
    if (speed) {
      if (!c.recorded_pace) speed->Fail("speed: applies to pace: recorded");
      c.speed = PositiveNumber(*speed);
    }
  }
  return c;
}

// Names in `r` (a list) that must be gRPC traffic entries.
std::vector<std::string> GrpcFaultTraffic(const Reader& r, const std::vector<Traffic>& traffic) {
  std::vector<std::string> known, out;
  for (const auto& t : traffic) known.push_back(t.name);
  const auto items = r.Items();
  if (items.empty()) r.Fail("empty list (omit traffic: to apply to every traffic entry)");
  for (const auto& item : items) {
    std::string name = item.String();
    const auto it = std::find_if(traffic.begin(), traffic.end(), [&](const Traffic& t) { return t.name == name; });
    if (it == traffic.end()) item.Fail(fmt::format("unknown traffic {}{}", Quoted(name), DidYouMean(name, known)));
    if (!it->grpc) item.Fail(fmt::format("traffic {} is not a gRPC call", Quoted(name)));
    out.push_back(std::move(name));
  }
  return out;
}

}  // namespace

GrpcConfig ReadGrpcConfig(const Reader& r) {
  const auto m = r.Map({"protos", "import_paths", "reflection", "client"});
  GrpcConfig g;
  g.line = r.source_mark().line;
  g.column = r.source_mark().column;
  if (const auto v = m.Get("import_paths")) {
    for (const auto& item : v->Items()) g.import_paths.push_back(NonEmptyString(item));
  }
  if (const auto v = m.Get("protos")) {
    // The files are read (and their errors placed at this grpc: mapping) when a run starts.
    for (const auto& item : v->Items()) g.protos.push_back(NonEmptyString(item));
  }
  if (const auto v = m.Get("reflection")) g.reflection = v->Bool();
  if (const auto v = m.Get("client")) {
    const std::string client = v->String();
    if (client == "h2") {
      g.client = GrpcConfig::Client::kH2;
    } else if (client == "grpcpp") {
      g.client = GrpcConfig::Client::kGrpcpp;
    } else {
      v->Fail(fmt::format("unknown gRPC client {}{} (h2 or grpcpp)", Quoted(client), DidYouMean(client, std::array<std::string_view, 2>{"h2", "grpcpp"})));
    }
  }
  if (g.protos.empty() && !g.reflection) r.Fail("needs protos: (.proto files) or reflection: true");
  return g;
}

void ReadGrpcTraffic(const MapReader& m, Traffic& t) {
  const auto grpc = m.Get("grpc");
  if (!grpc) return;
  for (const char* http_key : {"method", "path", "headers", "body", "replay", "csv"}) {
    if (const auto v = m.Get(http_key)) {
      v->Fail(fmt::format("'{}' is for HTTP requests; a gRPC entry (grpc:) sets method:, request:, metadata: inside grpc:", http_key));
    }
  }
  t.grpc = ReadGrpcCall(*grpc);
}

void ReadGrpcPhase(const Reader& r, GrpcPhase& out) {
  const auto m = r.Map({"connections", "channel_churn"});
  if (const auto v = m.Get("connections")) out.connections = AtMost(*v, IntAtLeast(*v, 1), limits::kGrpcConnections);
  if (const auto v = m.Get("channel_churn")) out.channel_churn = IntAtLeast(*v, 1);
}

GrpcFault ReadGrpcFault(const Reader& r, GrpcFault::Kind kind, const std::vector<Traffic>& traffic) {
  GrpcFault f;
  f.kind = kind;
  const auto m = kind == GrpcFault::kCancelAfterMessages ? r.Map({"after_messages", "probability", "traffic"})
                                                         : r.Map({"hold", "probability", "traffic"});
  if (kind == GrpcFault::kCancelAfterMessages) f.after_messages = IntAtLeast(m.Require("after_messages"), 1);
  if (const auto v = m.Get("hold")) f.hold = v->Dur();
  if (const auto v = m.Get("probability")) f.probability = Fraction(*v, "a probability");
  if (const auto v = m.Get("traffic")) f.traffic = GrpcFaultTraffic(*v, traffic);
  if (std::none_of(traffic.begin(), traffic.end(), IsGrpcTraffic)) {
    r.Fail("gRPC faults need gRPC traffic (traffic entries with grpc:)");
  }
  // In a scenario that mixes HTTP and gRPC, "every traffic entry" means every gRPC one.
  if (f.traffic.empty() && IsMixed(traffic)) f.traffic = NamesOf(traffic, IsGrpcTraffic);
  return f;
}

void CheckGrpcTraffic(const Reader& root, const Scenario& s) {
  if (std::none_of(s.traffic.begin(), s.traffic.end(), IsGrpcTraffic)) return;
  if (!s.grpc) root.Fail("traffic has gRPC calls: add a top-level grpc: with protos: (and import_paths:) or reflection: true");
}

void CheckGrpcFaults(const Scenario& s) {
  if (std::none_of(s.traffic.begin(), s.traffic.end(), IsGrpcTraffic) ||
      std::any_of(s.traffic.begin(), s.traffic.end(), IsHttpTraffic)) {
    return;
  }
  for (size_t i = 0; i < s.phases.size(); ++i) {
    for (const auto& f : s.phases[i].faults) {
      if (f.kind == Fault::kCancel || f.kind == Fault::kDeadline) continue;
      throw ScenarioError(s.phases[i].mark,
                          fmt::format("phases[{}].faults: {} does not apply to gRPC calls (cancel, deadline, grpc_cancel and "
                                      "grpc_abandon do)", i, FaultKindName(f.kind)));
    }
  }
}

}  // namespace leakgate::scenario
