#include "harness/load/grpc/grpc_protocol.h"

#include <absl/synchronization/mutex.h>
#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <set>
#include <stdexcept>

#include "harness/load/grpc/grpc_call.h"
#include "harness/load/grpc/grpc_h2_session.h"
#include "harness/load/grpc/grpc_session.h"
#include "harness/load/grpc/grpc_wire.h"
#include "harness/net/tls_context.h"
#include "harness/scenario/scenario_loader.h"

namespace leakgate::load::grpc_load {

const char* StatusCodeName(int code) {
  static constexpr const char* kNames[stats::kGrpcStatusCodes] = {
      "OK",        "CANCELLED",         "UNKNOWN",        "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
      "OUT_OF_RANGE", "UNIMPLEMENTED",  "INTERNAL",       "UNAVAILABLE",      "DATA_LOSS",         "UNAUTHENTICATED"};
  return code >= 0 && code < stats::kGrpcStatusCodes ? kNames[code] : "UNKNOWN_CODE";
}

namespace {

[[noreturn]] void FailAt(const scenario::Traffic& t, const std::string& message) {
  throw scenario::ScenarioError(t.mark, fmt::format("traffic {}: {}", t.name, message));
}

// The services the gRPC entries call, for a reflection request.
std::vector<std::string> ServicesOf(const std::vector<scenario::Traffic>& traffic) {
  std::set<std::string> services;
  auto add = [&](const std::string& method) { services.insert(method.substr(0, method.find('/'))); };
  for (const auto& t : traffic) {
    if (!t.grpc) continue;
    if (!t.grpc->method.empty()) add(t.grpc->method);
    for (const auto& r : t.grpc->replay) add(r.method);
  }
  return {services.begin(), services.end()};
}

std::unique_ptr<ProtoCatalog> LoadCatalog(const scenario::Scenario& s, const std::string& target,
                                          const GrpcTransport& transport) {
  if (!s.grpc) throw std::invalid_argument("the scenario has gRPC traffic but no grpc: section");
  if (s.grpc->protos.empty()) {
    return ProtoCatalog::FromReflection(target, ServicesOf(s.traffic), std::chrono::seconds(10), transport);
  }
  try {
    return ProtoCatalog::FromFiles(s.grpc->protos, s.grpc->import_paths);
  } catch (const std::runtime_error& e) {
    throw scenario::ScenarioError(scenario::SourceMark{s.file, s.grpc->line, s.grpc->column}, fmt::format("grpc: {}", e.what()));
  }
}

// One call of entry `t`: the method's descriptor and its requests as wire messages.
// Only the chosen client's form of the messages is kept (a long replay holds many).
PreparedCall PrepareCall(const ProtoCatalog& catalog, scenario::GrpcConfig::Client client,
                         const TargetAddress& address, const scenario::Traffic& t,
                         const std::string& method, const std::vector<std::string>& requests,
                         const std::vector<std::pair<std::string, std::string>>& metadata, int replay_line) {
  const std::string where = replay_line > 0 ? fmt::format("{}:{}: ", t.grpc->replay_file, replay_line) : std::string();
  const auto m = catalog.FindMethod(method);
  if (!m.ok()) FailAt(t, where + m.status().message());
  PreparedCall call;
  call.path = "/" + std::string((*m)->service()->full_name()) + "/" + std::string((*m)->name());
  call.client_streaming = (*m)->client_streaming();
  call.server_streaming = (*m)->server_streaming();
  call.metadata = metadata;
  for (const auto& json : requests) {
    auto wire = catalog.JsonToWire((*m)->input_type(), json);
    if (!wire.ok()) FailAt(t, where + wire.status().message());
    if (client == scenario::GrpcConfig::Client::kGrpcpp) {
      call.messages.push_back(ToByteBuffer(*wire));
    } else {
      call.frames.push_back(FrameMessage(*wire));
    }
  }
  if (client == scenario::GrpcConfig::Client::kH2) {
    call.h2_headers = RequestHeaderFields(call.path, address.host_header, address.tls, metadata);
  }
  return call;
}

}  // namespace

int GrpcProtocol::MaxWorkers(const scenario::Phase& phase) const {
  return phase.grpc.connections > 0 ? phase.grpc.connections : std::numeric_limits<int>::max();
}

int GrpcProtocol::ChannelsOf(const scenario::Phase& phase, int workers) {
  return phase.grpc.connections > 0 ? phase.grpc.connections : workers;
}

int GrpcProtocol::ChannelsOfWorker(const SessionContext& context) {
  const int total = ChannelsOf(context.phase, context.worker_count);
  return std::max(1, total / context.worker_count + (context.worker_index < total % context.worker_count ? 1 : 0));
}

std::unique_ptr<GrpcProtocol> GrpcProtocol::Prepare(const scenario::Scenario& s, const std::string& target) {
  // Debian's abseil checks every Mutex acquisition for lock-order cycles (GraphCycles in
  // profiles of grpc's hot path); leakgate does not debug grpc's locking.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  std::unique_ptr<GrpcProtocol> p(new GrpcProtocol());
  p->target_ = target;
  p->client_ = s.grpc ? s.grpc->client : scenario::GrpcConfig::Client::kH2;
  if (p->client_ == scenario::GrpcConfig::Client::kGrpcpp || (s.grpc && s.grpc->protos.empty())) {
    p->transport_ = GrpcTransport::ForTarget(s.target.url, s.target.tls);
  }
  p->address_ = ResolveTarget(s.target.url);
  if (p->address_.tls) {
    p->tls_settings_ = s.target.tls.value_or(net::TlsSettings{});
    auto context = net::MakeClientTlsContext(p->tls_settings_, "target.tls", {"h2"});
    if (!context.ok()) throw std::invalid_argument(context.status().message());
    p->tls_context_ = *std::move(context);
    p->tls_peer_ = http::TlsPeer{p->tls_context_.get(), &p->tls_settings_, p->address_.host};
  }
  p->catalog_ = LoadCatalog(s, target, p->transport_);
  for (const auto& t : s.traffic) {
    PreparedEntry e;
    if (t.grpc) {
      const auto& g = *t.grpc;
      e.messages = g.messages;
      e.interval = g.interval;
      e.deadline = g.deadline;
      if (g.replay.empty()) {
        e.calls.push_back(PrepareCall(*p->catalog_, p->client_, p->address_, t, g.method, g.requests, g.metadata, 0));
      } else {
        for (const auto& r : g.replay) {
          auto metadata = g.metadata;
          metadata.insert(metadata.end(), r.metadata.begin(), r.metadata.end());
          e.calls.push_back(PrepareCall(*p->catalog_, p->client_, p->address_, t, r.method, r.requests, metadata, r.line));
        }
      }
    }
    p->entries_.push_back(std::move(e));
  }
  return p;
}

std::unique_ptr<Session> GrpcProtocol::NewSession(const SessionContext& context) const {
  if (client_ == scenario::GrpcConfig::Client::kGrpcpp) return NewGrpcSession(*this, context);
  return NewGrpcH2Session(*this, context);
}

}  // namespace leakgate::load::grpc_load
