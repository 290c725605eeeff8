// GrpcStubServer: a gRPC dependency that leakgate answers itself (`stub: {grpc: {status,
// message, latency}}`), internal to harness/faults/proxy.
//
// A grpc++ server on an ephemeral loopback port with a callback generic service: every
// method of every service is answered, after `latency` (a grpc::Alarm, so no thread
// sleeps), with the configured status code and message; with OK a single empty message
// is sent first, which any protobuf response type decodes as its default value. A call
// the client cancels while it waits is finished as CANCELLED at once. The dependency's
// listener relays to it as TCP (HTTP/2 inside), so TCP faults act on it; HTTP faults do
// not apply.
//
// Thread-safety: grpc++ runs the calls on its own threads; Start(), port() and Shutdown()
// from one thread (the proxy's start and stop).
#pragma once

#include <chrono>
#include <memory>

#include "harness/base/status.h"
#include "harness/scenario/scenario.h"

namespace grpc {
class Server;
}  // namespace grpc

namespace leakgate::faults::proxy {

class GrpcStubServer {
 public:
  // Unavailable when grpc++ cannot listen.
  static StatusOr<std::unique_ptr<GrpcStubServer>> Start(const scenario::GrpcStub& stub);
  ~GrpcStubServer();  // Shutdown(1s) if not done
  GrpcStubServer(const GrpcStubServer&) = delete;
  GrpcStubServer& operator=(const GrpcStubServer&) = delete;

  int port() const { return port_; }
  // Stops accepting and cancels calls still running after `bound`. Idempotent.
  void Shutdown(std::chrono::nanoseconds bound);

 private:
  class Service;
  GrpcStubServer() = default;

  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace leakgate::faults::proxy
