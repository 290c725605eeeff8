#include "harness/load/grpc/grpc_transport.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace leakgate::load::grpc_load {
namespace {

std::string ReadPem(const std::string& path, const char* key) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || text.view().empty()) {
    throw std::invalid_argument(std::string("target.tls.") + key + ": cannot read \"" + path + "\" (a PEM file)");
  }
  return std::move(text).str();
}

}  // namespace

GrpcTransport::GrpcTransport() : credentials_(::grpc::InsecureChannelCredentials()) {}

GrpcTransport GrpcTransport::ForTarget(const std::string& target_url, const std::optional<net::TlsSettings>& tls) {
  GrpcTransport t;
  if (!target_url.starts_with("https://")) return t;
  const net::TlsSettings settings = tls.value_or(net::TlsSettings{});
  if (settings.insecure_skip_verify) {
    throw std::invalid_argument(
        "target.tls.insecure_skip_verify: gRPC over TLS always verifies the server with grpc++ (grpc.client: grpcpp, "
        "server reflection); give target.tls.ca instead");
  }
  ::grpc::SslCredentialsOptions options;
  if (!settings.ca.empty()) options.pem_root_certs = ReadPem(settings.ca, "ca");
  if (!settings.cert.empty()) {
    options.pem_cert_chain = ReadPem(settings.cert, "cert");
    options.pem_private_key = ReadPem(settings.key, "key");
  }
  t.tls_ = true;
  t.credentials_ = ::grpc::SslCredentials(options);
  t.server_name_ = settings.server_name;
  return t;
}

std::shared_ptr<::grpc::Channel> GrpcTransport::NewChannel(const std::string& host_port,
                                                           ::grpc::ChannelArguments args) const {
  if (tls_ && !server_name_.empty()) args.SetSslTargetNameOverride(server_name_);
  return ::grpc::CreateCustomChannel(host_port, credentials_, args);
}

}  // namespace leakgate::load::grpc_load
