// GrpcTransport: how gRPC channels reach the target — plain text for an http:// target
// URL, TLS for https:// (the target's `tls:` block: `ca` the roots to trust, default the
// system's; `cert`/`key` a client certificate for mutual TLS; `server_name` the name the
// server's certificate must carry, sent as SNI). Every channel of a run (the load's and
// server reflection's) is made through one.
//
// Contract: ForTarget() reads the PEM files once and throws std::invalid_argument naming
// the key ("target.tls.ca: cannot read ...") when one cannot be read, and for
// `insecure_skip_verify` (grpc++'s TLS always verifies: give `ca` instead).
// Thread-safety: immutable after construction; NewChannel may be called from any thread.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <memory>
#include <optional>
#include <string>

#include "harness/net/tls_settings.h"

namespace leakgate::load::grpc_load {

class GrpcTransport {
 public:
  // Plain text (tests, and targets without a URL scheme).
  GrpcTransport();
  static GrpcTransport ForTarget(const std::string& target_url, const std::optional<net::TlsSettings>& tls);

  bool tls() const { return tls_; }
  // A channel to "host:port" with `args` (the SNI override added for TLS).
  std::shared_ptr<::grpc::Channel> NewChannel(const std::string& host_port, ::grpc::ChannelArguments args) const;

 private:
  bool tls_ = false;
  std::shared_ptr<::grpc::ChannelCredentials> credentials_;
  std::string server_name_;  // "" = the host of the target URL
};

}  // namespace leakgate::load::grpc_load
