#include "harness/load/grpc/proto_catalog.h"

#include <fmt/format.h>
#include <google/protobuf/compiler/importer.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/wire_format_lite.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>

#include "harness/load/grpc/grpc_call.h"

namespace leakgate::load::grpc_load {

namespace pb = google::protobuf;
namespace asio = boost::asio;

namespace {

// Collects protoc-style "file:line:col: message" errors.
class CollectErrors final : public pb::compiler::MultiFileErrorCollector {
 public:
  void AddError(const std::string& file, int line, int column, const std::string& message) override {
    if (!errors.empty()) errors += "; ";
    errors += line < 0 ? fmt::format("{}: {}", file, message) : fmt::format("{}:{}:{}: {}", file, line + 1, column + 1, message);
  }
  std::string errors;
};

// --- grpc.reflection wire format, written by hand (a handful of fields) -----------------

void PutString(std::string& out, int field, std::string_view value) {
  pb::io::StringOutputStream raw(&out);
  pb::io::CodedOutputStream coded(&raw);
  coded.WriteTag(static_cast<uint32_t>(field << 3 | 2));
  coded.WriteVarint32(static_cast<uint32_t>(value.size()));
  coded.WriteRaw(value.data(), static_cast<int>(value.size()));
}

// ServerReflectionRequest{file_by_filename = 3 | file_containing_symbol = 4}.
std::string ReflectionRequest(int field, std::string_view value) {
  std::string out;
  PutString(out, field, value);
  return out;
}

// ServerReflectionResponse: file_descriptor_response (4) { repeated bytes file_descriptor_proto = 1 }
// or error_response (7) { int32 error_code = 1; string error_message = 2 }.
bool ParseReflectionResponse(const std::string& wire, std::vector<std::string>* files, std::string* error) {
  pb::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(wire.data()), static_cast<int>(wire.size()));
  while (uint32_t tag = in.ReadTag()) {
    const int field = static_cast<int>(tag >> 3);
    if ((field == 4 || field == 7) && (tag & 7) == 2) {
      uint32_t length = 0;
      if (!in.ReadVarint32(&length)) return false;
      const auto limit = in.PushLimit(static_cast<int>(length));
      while (uint32_t inner = in.ReadTag()) {
        if (field == 4 && inner == (1 << 3 | 2)) {
          std::string file;
          if (!pb::internal::WireFormatLite::ReadBytes(&in, &file)) return false;
          files->push_back(std::move(file));
        } else if (field == 7 && inner == (2 << 3 | 2)) {
          if (!pb::internal::WireFormatLite::ReadString(&in, error)) return false;
          if (error->empty()) *error = "error";
        } else if (!pb::internal::WireFormatLite::SkipField(&in, inner)) {
          return false;
        }
      }
      in.PopLimit(limit);
      if (field == 7 && error->empty()) *error = "error response";
    } else if (!pb::internal::WireFormatLite::SkipField(&in, tag)) {
      return false;
    }
  }
  return true;
}

// One reflection conversation on `service_path` ("/grpc.reflection.v1.ServerReflection/
// ServerReflectionInfo"): asks for every symbol, then for every missing import.
asio::awaitable<void> Reflect(::grpc::GenericStub& stub, const std::string& service_path,
                              const std::vector<std::string>& symbols, std::chrono::nanoseconds timeout,
                              std::map<std::string, pb::FileDescriptorProto>* files, ::grpc::Status* status,
                              std::string* error) {
  ::grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + timeout);
  Stream stream(stub, ctx, service_path);
  stream.Start();
  std::vector<std::pair<int, std::string>> queue;
  for (const auto& s : symbols) queue.emplace_back(4, s);
  std::set<std::string> asked;
  ::grpc::ByteBuffer response;
  while (!queue.empty() && error->empty()) {
    const auto [field, value] = queue.back();
    queue.pop_back();
    if (!asked.insert(value).second) continue;
    const auto request = ToByteBuffer(ReflectionRequest(field, value));
    if (!co_await stream.Write(request) || !co_await stream.Read(&response)) break;
    std::vector<std::string> raw;
    std::string reply_error;
    if (!ParseReflectionResponse(FromByteBuffer(response), &raw, &reply_error)) {
      *error = "unreadable reflection response";
    } else if (!reply_error.empty()) {
      *error = fmt::format("reflection: {} {}: {}", field == 4 ? "symbol" : "file", value, reply_error);
    }
    for (const auto& bytes : raw) {
      pb::FileDescriptorProto file;
      if (!file.ParseFromString(bytes)) {
        *error = "unreadable FileDescriptorProto from reflection";
        break;
      }
      files->emplace(file.name(), file);
    }
    for (const auto& [name, file] : *files) {
      for (const auto& dep : file.dependency()) {
        if (!files->contains(dep) && !asked.contains(dep)) queue.emplace_back(3, dep);
      }
    }
  }
  stream.CloseSend();
  if (!error->empty()) ctx.TryCancel();
  while (co_await stream.Read(&response)) {
  }
  *status = co_await stream.Finish();
}

}  // namespace

ProtoCatalog::ProtoCatalog() = default;
ProtoCatalog::~ProtoCatalog() = default;

std::unique_ptr<ProtoCatalog> ProtoCatalog::FromFiles(const std::vector<std::string>& protos,
                                                      const std::vector<std::string>& import_paths) {
  namespace fs = std::filesystem;
  std::unique_ptr<ProtoCatalog> c(new ProtoCatalog());
  c->source_tree_ = std::make_unique<pb::compiler::DiskSourceTree>();
  for (const auto& dir : import_paths) c->source_tree_->MapPath("", dir);
  // A proto given as a path outside every import path: its directory becomes one.
  std::vector<std::string> names;
  for (const auto& proto : protos) {
    bool in_import_path = false;
    std::error_code ec;
    for (const auto& dir : import_paths) in_import_path = in_import_path || fs::is_regular_file(fs::path(dir) / proto, ec);
    if (!in_import_path && fs::is_regular_file(proto, ec)) {
      const auto path = fs::absolute(proto, ec).lexically_normal();
      c->source_tree_->MapPath("", path.parent_path().string());
      names.push_back(path.filename().string());
    } else {
      names.push_back(proto);
    }
  }
  auto errors = std::make_unique<CollectErrors>();
  c->importer_ = std::make_unique<pb::compiler::Importer>(c->source_tree_.get(), errors.get());
  for (const auto& name : names) {
    if (c->importer_->Import(name) == nullptr) {
      throw std::runtime_error(fmt::format("cannot load {} (import paths: {}): {}", name,
                                           import_paths.empty() ? "none" : fmt::format("{}", fmt::join(import_paths, ", ")),
                                           errors->errors.empty() ? "not found" : errors->errors));
    }
  }
  c->errors_ = std::move(errors);  // the importer keeps a pointer to it
  c->pool_ = c->importer_->pool();
  c->factory_ = std::make_unique<pb::DynamicMessageFactory>(c->pool_);
  return c;
}

std::unique_ptr<ProtoCatalog> ProtoCatalog::FromReflection(const std::string& target,
                                                           const std::vector<std::string>& services,
                                                           std::chrono::nanoseconds timeout,
                                                           const GrpcTransport& transport) {
  auto channel = transport.NewChannel(target, ::grpc::ChannelArguments());
  ::grpc::GenericStub stub(channel);
  std::map<std::string, pb::FileDescriptorProto> files;
  std::string error;
  ::grpc::Status status;
  for (const char* version : {"v1", "v1alpha"}) {
    files.clear();
    error.clear();
    asio::io_context ioc(1);
    const std::string path = fmt::format("/grpc.reflection.{}.ServerReflection/ServerReflectionInfo", version);
    asio::co_spawn(ioc, Reflect(stub, path, services, timeout, &files, &status, &error), asio::detached);
    ioc.run();
    if (status.error_code() != ::grpc::StatusCode::UNIMPLEMENTED) break;
  }
  if (!error.empty()) throw std::runtime_error(fmt::format("server reflection at {}: {}", target, error));
  if (!status.ok()) {
    throw std::runtime_error(fmt::format("server reflection at {}: {} ({})", target, status.error_message(),
                                         static_cast<int>(status.error_code())));
  }
  std::unique_ptr<ProtoCatalog> c(new ProtoCatalog());
  c->database_ = std::make_unique<pb::SimpleDescriptorDatabase>();
  for (const auto& [name, file] : files) c->database_->Add(file);
  c->owned_pool_ = std::make_unique<pb::DescriptorPool>(c->database_.get());
  c->pool_ = c->owned_pool_.get();
  c->factory_ = std::make_unique<pb::DynamicMessageFactory>(c->pool_);
  return c;
}

StatusOr<const pb::MethodDescriptor*> ProtoCatalog::FindMethod(std::string_view full_name) const {
  if (full_name.starts_with("/")) full_name.remove_prefix(1);
  const size_t slash = full_name.find('/');
  if (slash == std::string_view::npos) {
    return Status::InvalidArgument(fmt::format("\"{}\" is not \"package.Service/Method\"", full_name));
  }
  const std::string service_name(full_name.substr(0, slash));
  const std::string method_name(full_name.substr(slash + 1));
  const auto* service = pool_->FindServiceByName(service_name);
  if (service == nullptr) {
    return Status::InvalidArgument(fmt::format("unknown service {} (not in the loaded protos)", service_name));
  }
  const auto* method = service->FindMethodByName(method_name);
  if (method == nullptr) {
    std::vector<std::string> known;
    for (int i = 0; i < service->method_count(); ++i) known.push_back(service->method(i)->name());
    return Status::InvalidArgument(
        fmt::format("service {} has no method {} (methods: {})", service_name, method_name, fmt::join(known, ", ")));
  }
  return method;
}

StatusOr<std::string> ProtoCatalog::JsonToWire(const pb::Descriptor* type, const std::string& json) const {
  std::unique_ptr<pb::Message> message(factory_->GetPrototype(type)->New());
  const auto status = pb::util::JsonStringToMessage(json, message.get());
  if (!status.ok()) {
    return Status::InvalidArgument(
        fmt::format("request {} is not a valid {}: {}", json, type->full_name(), status.message().as_string()));
  }
  std::string wire;
  if (!message->SerializeToString(&wire)) return Status::Internal(fmt::format("cannot serialize a {}", type->full_name()));
  return wire;
}

std::string ProtoCatalog::WireToJson(const pb::Descriptor* type, const std::string& wire) const {
  std::unique_ptr<pb::Message> message(factory_->GetPrototype(type)->New());
  std::string json;
  if (!message->ParseFromString(wire)) return json;
  (void)pb::util::MessageToJsonString(*message, &json);
  return json;
}

}  // namespace leakgate::load::grpc_load
