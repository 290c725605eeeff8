// ProtoCatalog: the message types of a gRPC service, known at run time (no generated code).
//
// From .proto files (protobuf's compiler::Importer over a DiskSourceTree of import paths)
// or from the server's own reflection service (grpc.reflection.v1, then v1alpha).
// Requests are written as JSON and turned into wire bytes with protobuf's JSON support on
// DynamicMessages. Thread-safety: const methods are safe to call concurrently.
#pragma once

#include "harness/load/grpc/grpc_transport.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor_database.h>
#include <google/protobuf/dynamic_message.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harness/base/status.h"

namespace google::protobuf::compiler {
class DiskSourceTree;
class Importer;
class MultiFileErrorCollector;
}  // namespace google::protobuf::compiler

namespace leakgate::load::grpc_load {

class ProtoCatalog {
 public:
  // Parses `protos` (names relative to an import path, as protoc takes them, or paths of
  // existing files) with their imports. Throws std::runtime_error with protoc's messages.
  static std::unique_ptr<ProtoCatalog> FromFiles(const std::vector<std::string>& protos,
                                                 const std::vector<std::string>& import_paths);
  // Asks the server at `target` ("host:port", plaintext) for the files defining
  // `services` (and their imports). Throws std::runtime_error naming what failed.
  static std::unique_ptr<ProtoCatalog> FromReflection(const std::string& target, const std::vector<std::string>& services,
                                                      std::chrono::nanoseconds timeout,
                                                      const GrpcTransport& transport = GrpcTransport());
  ~ProtoCatalog();
  ProtoCatalog(const ProtoCatalog&) = delete;
  ProtoCatalog& operator=(const ProtoCatalog&) = delete;

  // "package.Service/Method" → its descriptor (never null); kInvalidArgument naming the
  // unknown service or method (and the known ones) otherwise.
  StatusOr<const google::protobuf::MethodDescriptor*> FindMethod(std::string_view full_name) const;
  // JSON text of a `type` message → its wire bytes; kInvalidArgument on a bad JSON.
  StatusOr<std::string> JsonToWire(const google::protobuf::Descriptor* type, const std::string& json) const;
  // Wire bytes → JSON text (for tests and diagnostics). Empty on failure.
  std::string WireToJson(const google::protobuf::Descriptor* type, const std::string& wire) const;

 private:
  ProtoCatalog();

  std::unique_ptr<google::protobuf::compiler::MultiFileErrorCollector> errors_;
  std::unique_ptr<google::protobuf::compiler::DiskSourceTree> source_tree_;
  std::unique_ptr<google::protobuf::compiler::Importer> importer_;
  std::unique_ptr<google::protobuf::SimpleDescriptorDatabase> database_;
  std::unique_ptr<google::protobuf::DescriptorPool> owned_pool_;
  const google::protobuf::DescriptorPool* pool_ = nullptr;
  mutable std::unique_ptr<google::protobuf::DynamicMessageFactory> factory_;
};

}  // namespace leakgate::load::grpc_load
