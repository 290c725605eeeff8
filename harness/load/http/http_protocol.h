// HTTP for the load engine (session.h): HttpProtocol prepares the HTTP traffic
// entries once (request bytes by RequestFactory, one resolved endpoint per distinct base
// URL: the target's, or an entry's own absolute URL); its sessions carry requests out on
// pooled keep-alive connections (ConnectionPool, one per endpoint) with the client-side
// faults applied on the wire (http_exchange.h). A phase with `protocol: h2c | h2` gets
// HTTP/2 sessions instead (load/h2/h2_session.h) over the same prepared requests.
//
// Thread-safety: HttpProtocol is immutable after Prepare() and shared by every worker; an
// HttpSession belongs to one worker (see session.h).
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/load/http/http_exchange.h"
#include "harness/net/tls_settings.h"

#include "harness/load/http/request_factory.h"
#include "harness/load/session.h"
#include "harness/load/target_address.h"
#include "harness/scenario/scenario.h"

namespace leakgate::load::http {

class HttpProtocol final : public Protocol {
 public:
  // Prepares the HTTP entries of `traffic` (gRPC entries are left alone but keep their
  // index). Entries without Traffic::base_url go to `target_url`. https:// endpoints speak
  // TLS with `tls` (the target's `tls:` block; default: verify against the system store).
  // Throws std::invalid_argument naming the URL when one is not http(s):// or does not
  // resolve, or naming the file when the TLS settings cannot be loaded.
  HttpProtocol(const std::vector<scenario::Traffic>& traffic, const std::string& target_url,
               const std::optional<net::TlsSettings>& tls = std::nullopt);

  std::string_view name() const override { return "http"; }
  std::unique_ptr<Session> NewSession(const SessionContext& context) const override;
  // HTTP/2 phases with connections.max: no more workers than connections (each worker
  // holds at least one); HTTP/1.1: no bound.
  int MaxWorkers(const scenario::Phase& phase) const override {
    const bool h2 = phase.protocol != scenario::Phase::Wire::kHttp1;
    return h2 && phase.connections.max > 0 ? phase.connections.max : Protocol::MaxWorkers(phase);
  }

  // For sessions: the request bytes, and where entry `t` goes.
  const RequestFactory& factory() const { return factory_; }
  const TargetAddress& endpoint(size_t endpoint_index) const { return endpoints_[endpoint_index]; }
  size_t endpoint_of(size_t entry) const { return endpoint_of_[entry]; }
  size_t endpoint_count() const { return endpoints_.size(); }
  // How to speak TLS to endpoint `e`; null for http://. h2_tls_peer offers ALPN "h2".
  const TlsPeer* tls_peer(size_t e) const { return tls_peers_[e].context != nullptr ? &tls_peers_[e] : nullptr; }
  const TlsPeer* h2_tls_peer(size_t e) const { return h2_tls_peers_[e].context != nullptr ? &h2_tls_peers_[e] : nullptr; }

 private:
  struct Resolved;
  static Resolved ResolveAll(const std::vector<scenario::Traffic>& traffic, const std::string& target_url);
  HttpProtocol(const std::vector<scenario::Traffic>& traffic, Resolved resolved, const std::optional<net::TlsSettings>& tls);

  std::vector<TargetAddress> endpoints_;  // distinct base URLs, in order of first use
  std::vector<size_t> endpoint_of_;       // by entry index
  net::TlsSettings tls_settings_;         // for every https:// endpoint
  std::shared_ptr<boost::asio::ssl::context> tls_context_;  // built when one endpoint is https://
  std::shared_ptr<boost::asio::ssl::context> h2_tls_context_;  // the same, offering ALPN h2
  std::vector<TlsPeer> tls_peers_, h2_tls_peers_;  // by endpoint; context null for http://
  RequestFactory factory_;
};

}  // namespace leakgate::load::http
