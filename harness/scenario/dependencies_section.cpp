#include "harness/scenario/dependencies_section.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <utility>

#include "harness/net/address_policy.h"
#include "harness/net/http_url.h"
#include "harness/scenario/messages.h"
#include "harness/scenario/tls_section.h"

namespace leakgate::scenario {
namespace {

using K = DependencyFault::Kind;

// The fault kinds of the proxy, by YAML name.
constexpr std::array<std::pair<std::string_view, K>, 13> kKinds = {{
    {"latency", K::kLatency},       {"bandwidth", K::kBandwidth},   {"blackhole", K::kBlackhole},
    {"stall", K::kStall},           {"reset", K::kReset},           {"slow_close", K::kSlowClose},
    {"slicer", K::kSlicer},         {"limit_data", K::kLimitData},  {"down", K::kDown},
    {"http_error", K::kHttpError},  {"http_delay", K::kHttpDelay},  {"http_drop", K::kHttpDrop},
    {"http_slow_body", K::kHttpSlowBody},
}};

// grpc::StatusCode names, by code.
constexpr std::array<std::string_view, 17> kGrpcCodes = {
    "OK",           "CANCELLED",          "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
    "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
    "OUT_OF_RANGE", "UNIMPLEMENTED",      "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};

bool IsDependencyName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

int HttpStatus(const Reader& r) {
  const int status = r.Integer();
  if (status < 100 || status > 599) r.Fail(fmt::format("an HTTP status must be in 100..599, got {}", status));
  return status;
}

std::vector<std::pair<std::string, std::string>> Headers(const Reader& r) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, key_mark, value] : r.Entries()) {
    if (name.empty() || name.find_first_of(" \t\r\n:") != std::string::npos) {
      r.context().Fail(key_mark, r.path(), fmt::format("invalid header name {}", Quoted(name)));
    }
    std::string text = value.String();
    if (text.find_first_of("\r\n") != std::string::npos) value.Fail("a header value cannot contain CR or LF");
    out.emplace_back(name, std::move(text));
  }
  return out;
}

int GrpcCode(const Reader& r) {
  const std::string name = r.String();
  for (size_t i = 0; i < kGrpcCodes.size(); ++i) {
    if (name == kGrpcCodes[i] || name == std::to_string(i)) return static_cast<int>(i);
  }
  r.Fail(fmt::format("unknown gRPC status {}{} (OK, CANCELLED, ..., UNAVAILABLE, ...)", Quoted(name), DidYouMean(name, kGrpcCodes)));
}

// stub: {status, body, headers, latency} or stub: {grpc: {status, message, latency}}.
void ReadStub(const Reader& r, Dependency& d) {
  const auto m = r.Map({"status", "body", "headers", "latency", "grpc"});
  if (const auto g = m.Get("grpc")) {
    for (const char* key : {"status", "body", "headers", "latency"}) {
      if (const auto v = m.Get(key)) v->Fail("not with grpc: (put status, message and latency inside grpc:)");
    }
    const auto gm = g->Map({"status", "message", "latency"});
    GrpcStub stub;
    if (const auto v = gm.Get("status")) stub.code = GrpcCode(*v);
    if (const auto v = gm.Get("message")) stub.message = v->String();
    if (const auto v = gm.Get("latency")) stub.latency = v->Dur();
    d.grpc_stub = stub;
    return;
  }
  HttpStub stub;
  if (const auto v = m.Get("status")) stub.status = HttpStatus(*v);
  if (const auto v = m.Get("body")) stub.body = v->String();
  if (const auto v = m.Get("headers")) stub.headers = Headers(*v);
  if (const auto v = m.Get("latency")) stub.latency = v->Dur();
  d.http_stub = std::move(stub);
}

// upstream: "HOST:PORT", checked against the address policy without any lookup.
void ReadUpstream(const Reader& r, const Safety& safety, Dependency& d) {
  const std::string text = r.String();
  const auto url = net::ParseHttpUrl("http://" + text + "/");
  if (!url.ok() || !url->port_written || url->port == 0 || url->target != "/" || text.find('/') != std::string::npos) {
    r.Fail(fmt::format("expected HOST:PORT (\"127.0.0.1:9000\", \"[::1]:9000\"), got {}", Quoted(text)));
  }
  std::vector<std::string> hosts = safety.allow_hosts;  // and --allow-host's
  const auto& extra = r.context().options().allow_hosts;
  hosts.insert(hosts.end(), extra.begin(), extra.end());
  const auto allow = net::AllowList::Parse(hosts, "safety.allow_hosts / --allow-host");
  if (!allow.ok()) r.Fail(allow.status().message());  // not reached: both lists are checked first
  // The policy's message names the key itself.
  if (const Status checked = net::CheckHost(*url, r.path(), *allow); !checked.ok()) {
    r.context().Fail(r.mark(), "", checked.message());
  }
  d.upstream_host = url->host;
  d.upstream_name = url->host;
  d.upstream_port = url->port;
}

Dependency ReadDependency(const Reader& r, const Safety& safety) {
  const auto m = r.Map({"name", "upstream", "stub", "tls"});
  Dependency d;
  const auto name = m.Require("name");
  d.name = name.String();
  if (!IsDependencyName(d.name)) name.Fail(fmt::format("a dependency name is letters, digits, '_' and '-', got {}", Quoted(d.name)));
  const auto upstream = m.Get("upstream");
  const auto stub = m.Get("stub");
  if (upstream && stub) stub->Fail("a dependency has upstream: or stub:, not both");
  if (!upstream && !stub) r.Fail("needs upstream: \"HOST:PORT\" (a real server) or stub: {...} (leakgate answers)");
  if (upstream) ReadUpstream(*upstream, safety, d);
  if (stub) ReadStub(*stub, d);
  if (const auto tls = m.Get("tls")) {
    if (!upstream) tls->Fail("tls: is the proxy's TLS to a real server (upstream:); a stub answers in plain text");
    d.tls = ReadTls(*tls, &d.tls_alpn);
    if (d.tls->resume_sessions) {
      tls->Fail("resume_sessions is for the load's connections (target.tls); the proxy does a full handshake per connection");
    }
  }
  d.line = r.source_mark().line;
  d.column = r.source_mark().column;
  return d;
}

DependencyFault::Direction ReadDirection(const Reader& r) {
  const std::string s = r.String();
  if (s == "both") return DependencyFault::Direction::kBoth;
  if (s == "upstream") return DependencyFault::Direction::kUpstream;
  if (s == "downstream") return DependencyFault::Direction::kDownstream;
  r.Fail(fmt::format("expected upstream, downstream or both, got {}{}", Quoted(s),
                     DidYouMean(s, std::array<std::string_view, 3>{"upstream", "downstream", "both"})));
}

int64_t PositiveCount(const Reader& r) { return IntAtLeast(r, 1); }

// The parameters one kind takes, besides dependency and probability.
void ReadTcpParameters(K kind, const MapReader& m, DependencyFault& f) {
  if (const auto v = m.Get("direction")) f.direction = ReadDirection(*v);
  switch (kind) {
    case K::kLatency:
      if (const auto v = m.Get("delay")) f.delay = v->Dur();
      if (const auto v = m.Get("jitter")) {
        f.jitter = v->Dur();
        if (f.jitter > f.delay) v->Fail("jitter cannot exceed delay (a delay below 0 cannot be drawn)");
      }
      break;
    case K::kBandwidth: f.rate = PositiveCount(m.Require("rate")); break;
    case K::kReset:
      if (const auto v = m.Get("after")) f.after = v->Dur();
      if (const auto v = m.Get("after_bytes")) {
        if (m.Get("after")) v->Fail("after: (a time) or after_bytes:, not both");
        f.after_bytes = PositiveCount(*v);
      }
      break;
    case K::kSlowClose: f.delay = PositiveDuration(m.Require("delay")); break;
    case K::kSlicer:
      if (const auto v = m.Get("average_size")) f.size = PositiveCount(*v);
      if (const auto v = m.Get("size_variation")) {
        f.size_variation = IntAtLeast(*v, 0);
        if (f.size_variation >= f.size) v->Fail(fmt::format("must be < average_size ({})", f.size));
      }
      if (const auto v = m.Get("delay")) f.delay = v->Dur();
      break;
    case K::kLimitData: f.bytes = PositiveCount(m.Require("bytes")); break;
    default: break;
  }
}

void ReadHttpParameters(K kind, const MapReader& m, DependencyFault& f) {
  if (const auto v = m.Get("path")) {
    f.path = v->String();
    if (!f.path.starts_with("/") && f.path != "*") v->Fail(fmt::format("a path glob starts with '/', got {}", Quoted(f.path)));
  }
  if (const auto v = m.Get("method")) f.method = NonEmptyString(*v);
  switch (kind) {
    case K::kHttpError:
      if (const auto v = m.Get("status")) f.status = HttpStatus(*v);
      if (const auto v = m.Get("body")) f.body = v->String();
      if (const auto v = m.Get("headers")) f.headers = Headers(*v);
      break;
    case K::kHttpDelay:
      f.delay = PositiveDuration(m.Require("delay"));
      if (const auto v = m.Get("before")) {
        const std::string b = v->String();
        if (b != "head" && b != "body") v->Fail(fmt::format("expected head or body, got {}", Quoted(b)));
        f.before = b == "body" ? DependencyFault::DelayPoint::kBody : DependencyFault::DelayPoint::kHead;
      }
      break;
    case K::kHttpSlowBody:
      if (const auto v = m.Get("bytes")) f.slow_bytes = PositiveCount(*v);
      if (const auto v = m.Get("interval")) f.slow_interval = PositiveDuration(*v);
      break;
    default: break;
  }
}

// The keys a kind accepts; an unknown key is an error at the key with a suggestion.
MapReader KeysOf(K kind, const Reader& r) {
  switch (kind) {
    case K::kLatency: return r.Map({"dependency", "probability", "direction", "delay", "jitter"});
    case K::kBandwidth: return r.Map({"dependency", "probability", "direction", "rate"});
    case K::kBlackhole:
    case K::kStall: return r.Map({"dependency", "probability", "direction"});
    case K::kReset: return r.Map({"dependency", "probability", "direction", "after", "after_bytes"});
    case K::kSlowClose: return r.Map({"dependency", "probability", "direction", "delay"});
    case K::kSlicer: return r.Map({"dependency", "probability", "direction", "average_size", "size_variation", "delay"});
    case K::kLimitData: return r.Map({"dependency", "probability", "direction", "bytes"});
    case K::kDown: return r.Map({"dependency", "probability"});
    case K::kHttpError: return r.Map({"dependency", "probability", "path", "method", "status", "body", "headers"});
    case K::kHttpDelay: return r.Map({"dependency", "probability", "path", "method", "delay", "before"});
    case K::kHttpDrop: return r.Map({"dependency", "probability", "path", "method"});
    case K::kHttpSlowBody: return r.Map({"dependency", "probability", "path", "method", "bytes", "interval"});
  }
  return r.Map({});
}

}  // namespace

std::vector<Dependency> ReadDependencies(const Reader& r, const Safety& safety) {
  std::vector<Dependency> out;
  UniqueNames names("dependency");
  for (const auto& item : r.Items()) {
    Dependency d = ReadDependency(item, safety);
    names.Add(item, d.name);
    d.listen_port = item.context().FreshPort(fmt::format("dependency {}", Quoted(d.name)), item.mark(), item.path());
    item.context().AddDependency(d.name, d.listen_port, d.grpc_stub.has_value());
    out.push_back(std::move(d));
  }
  return out;
}

bool IsDependencyFaultItem(std::string_view kind, const Reader& value) {
  if (kind == "reset") return value.IsMap() && value.node()["dependency"].IsDefined();
  return std::any_of(kKinds.begin(), kKinds.end(), [&](const auto& k) { return k.first == kind; });
}

DependencyFault ReadDependencyFault(std::string_view kind, const Reader& value) {
  DependencyFault f;
  f.kind = std::find_if(kKinds.begin(), kKinds.end(), [&](const auto& k) { return k.first == kind; })->second;
  if (!value.IsMap()) value.Fail(fmt::format("expected {}: {{dependency: NAME, ...}}", kind));
  const auto m = KeysOf(f.kind, value);
  const auto dep = m.Require("dependency");
  f.dependency = dep.String();
  const auto& declared = value.context().dependencies();
  const auto it = declared.find(f.dependency);
  if (it == declared.end()) {
    std::vector<std::string> known;
    for (const auto& [name, entry] : declared) known.push_back(name);
    dep.Fail(fmt::format("unknown dependency {}{}", Quoted(f.dependency),
                         known.empty() ? std::string(" (no dependencies: are declared)") : DidYouMean(f.dependency, known)));
  }
  if (IsHttpFault(f.kind) && it->second.grpc) dep.Fail(fmt::format("{} is a gRPC stub; {} applies to HTTP/1.1 dependencies", Quoted(f.dependency), kind));
  if (const auto v = m.Get("probability")) f.probability = Fraction(*v, "a probability");
  if (IsHttpFault(f.kind)) {
    ReadHttpParameters(f.kind, m, f);
  } else {
    ReadTcpParameters(f.kind, m, f);
  }
  return f;
}

void FinishDependencies(Scenario& s) {
  for (const auto& phase : s.phases) {
    for (const auto& f : phase.dependency_faults) {
      if (!IsHttpFault(f.kind)) continue;
      for (auto& d : s.dependencies) {
        if (d.name == f.dependency) d.http = true;
      }
    }
  }
}

}  // namespace leakgate::scenario
