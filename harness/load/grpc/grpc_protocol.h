// gRPC for the load engine (session.h): GrpcProtocol prepares the gRPC traffic entries
// once — method descriptors from the scenario's .proto files or the server's reflection,
// every request message turned into wire bytes — and its sessions carry the calls out:
// by default on leakgate's own HTTP/2 session (grpc_h2_session.h: nghttp2, no thread
// hops), or with `grpc.client: grpcpp` as grpc++ generic calls bridged into the worker's
// coroutines (grpc_session.h, grpc_call.h).
//
// Thread-safety: immutable after Prepare(); shared read-only by every worker.
#pragma once

#include <grpcpp/support/byte_buffer.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/load/grpc/proto_catalog.h"
#include "harness/load/http/http_exchange.h"
#include "harness/load/target_address.h"
#include "harness/load/session.h"
#include "harness/scenario/scenario.h"

namespace leakgate::load::grpc_load {

// "OK", "CANCELLED", ..., "UNAUTHENTICATED"; "UNKNOWN_CODE" out of range.
const char* StatusCodeName(int code);

// One concrete call: a method with its wire messages and metadata.
struct PreparedCall {
  std::string path;                  // "/package.Service/Method"
  bool client_streaming = false;
  bool server_streaming = false;
  // The request messages, sent in order, cycled: as ByteBuffers for grpc++, length-prefixed
  // for the HTTP/2 data plane (only the scenario's client's form is filled).
  std::vector<::grpc::ByteBuffer> messages;
  std::vector<std::string> frames;
  std::vector<std::pair<std::string, std::string>> metadata;
  // The HTTP/2 data plane's request header fields (grpc_wire.h), grpc-timeout excepted.
  std::vector<std::pair<std::string, std::string>> h2_headers;
};

// One gRPC traffic entry, ready to send.
struct PreparedEntry {
  std::vector<PreparedCall> calls;   // 1 for a call template, the recording for a replay
  int messages = 1;                  // client/bidi streaming: messages per call
  scenario::Duration interval{0};    // between two messages of a stream
  std::optional<scenario::Duration> deadline;  // default: the phase's timeout
};

class GrpcProtocol final : public Protocol {
 public:
  // Loads the message types (scenario grpc.protos, or the server's reflection when
  // grpc.reflection is set) and prepares every gRPC entry of `s.traffic` (HTTP entries
  // keep their index, unprepared). `target` is the server's "host:port"; calls speak TLS
  // when s.target.url is https:// (the HTTP/2 plane with net::MakeClientTlsContext, grpc++
  // with grpc_transport.h). Throws
  // scenario::ScenarioError (file:line:column of the entry) for unknown methods and
  // requests that do not fit their type, std::runtime_error when protos or reflection fail,
  // std::invalid_argument for unusable TLS settings.
  static std::unique_ptr<GrpcProtocol> Prepare(const scenario::Scenario& s, const std::string& target);

  std::string_view name() const override { return "grpc"; }
  // grpc++ callbacks post from its own threads; the HTTP/2 plane stays on the worker's.
  bool CompletesOnWorkerThread() const override { return client_ != scenario::GrpcConfig::Client::kGrpcpp; }
  std::unique_ptr<Session> NewSession(const SessionContext& context) const override;
  int MaxWorkers(const scenario::Phase& phase) const override;

  scenario::GrpcConfig::Client client() const { return client_; }
  const std::string& target() const { return target_; }
  // grpc++'s channels (grpc.client: grpcpp).
  const GrpcTransport& transport() const { return transport_; }
  // The HTTP/2 plane's: the target's resolved address, and how to speak TLS to it (ALPN
  // h2; null for http://).
  const TargetAddress& address() const { return address_; }
  const http::TlsPeer* tls_peer() const { return tls_context_ ? &tls_peer_ : nullptr; }
  // Entry `t` (a gRPC entry of the scenario's traffic).
  const PreparedEntry& entry(size_t t) const { return entries_[t]; }
  // Channels (one TCP connection each) a phase opens in all: grpc.connections, or one per worker.
  static int ChannelsOf(const scenario::Phase& phase, int workers);
  // One worker's share of them (at least one).
  static int ChannelsOfWorker(const SessionContext& context);

 private:
  GrpcProtocol() = default;
  scenario::GrpcConfig::Client client_ = scenario::GrpcConfig::Client::kH2;
  std::string target_;
  GrpcTransport transport_;
  TargetAddress address_;
  net::TlsSettings tls_settings_;
  std::shared_ptr<boost::asio::ssl::context> tls_context_;
  http::TlsPeer tls_peer_;
  std::unique_ptr<ProtoCatalog> catalog_;
  std::vector<PreparedEntry> entries_;   // parallel to the scenario's traffic
};

}  // namespace leakgate::load::grpc_load
