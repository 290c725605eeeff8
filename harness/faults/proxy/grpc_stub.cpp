#include "harness/faults/proxy/grpc_stub.h"

#include <grpcpp/alarm.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/support/byte_buffer.h>

namespace leakgate::faults::proxy {

namespace {

// One call: waits `latency`, then finishes with the stub's status. Deletes itself in
// OnDone, the last callback grpc++ makes on a reactor.
class StubCall final : public grpc::ServerGenericBidiReactor {
 public:
  explicit StubCall(const scenario::GrpcStub& stub) : stub_(stub) {
    const grpc::Slice none;
    empty_ = grpc::ByteBuffer(&none, 1);  // a valid zero-length message (a default ByteBuffer is none)
    if (stub_.latency.count() <= 0) {
      Answer(true);
      return;
    }
    alarm_.Set(std::chrono::system_clock::now() + stub_.latency, [this](bool fired) { Answer(fired); });
  }

  // The alarm's callback then finishes the call (as CANCELLED). Without latency there is
  // no alarm: the call was finished at once.
  void OnCancel() override {
    if (stub_.latency.count() > 0) alarm_.Cancel();
  }
  void OnDone() override { delete this; }

 private:
  void Answer(bool fired) {
    if (!fired) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled while the stub waited"));
    } else if (stub_.code == 0) {
      StartWriteAndFinish(&empty_, grpc::WriteOptions(), grpc::Status::OK);
    } else {
      Finish(grpc::Status(static_cast<grpc::StatusCode>(stub_.code), stub_.message));
    }
  }

  const scenario::GrpcStub stub_;
  grpc::Alarm alarm_;
  grpc::ByteBuffer empty_;
};

}  // namespace

class GrpcStubServer::Service final : public grpc::CallbackGenericService {
 public:
  explicit Service(const scenario::GrpcStub& stub) : stub_(stub) {}
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext*) override {
    return new StubCall(stub_);
  }

 private:
  const scenario::GrpcStub stub_;
};

StatusOr<std::unique_ptr<GrpcStubServer>> GrpcStubServer::Start(const scenario::GrpcStub& stub) {
  std::unique_ptr<GrpcStubServer> server(new GrpcStubServer());
  server->service_ = std::make_unique<Service>(stub);
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &server->port_);
  builder.RegisterCallbackGenericService(server->service_.get());
  server->server_ = builder.BuildAndStart();
  if (!server->server_ || server->port_ == 0) {
    return Status::Unavailable("gRPC stub: grpc++ could not listen on 127.0.0.1");
  }
  return server;
}

GrpcStubServer::~GrpcStubServer() { Shutdown(std::chrono::seconds(1)); }

void GrpcStubServer::Shutdown(std::chrono::nanoseconds bound) {
  if (shut_down_ || !server_) return;
  shut_down_ = true;
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::duration_cast<std::chrono::microseconds>(bound));
  server_->Wait();
}

}  // namespace leakgate::faults::proxy
