// HTTP/1.1 for the load engine (session.h): HttpProtocol prepares the HTTP traffic
// entries once (request bytes by RequestFactory, one resolved endpoint per distinct base
// URL: the target's, or an entry's own absolute URL); its sessions carry requests out on
// pooled keep-alive connections (ConnectionPool, one per endpoint) with the client-side
// faults applied on the wire (http_exchange.h).
//
// Thread-safety: HttpProtocol is immutable after Prepare() and shared by every worker; an
// HttpSession belongs to one worker (see session.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "harness/load/http/request_factory.h"
#include "harness/load/session.h"
#include "harness/load/target_address.h"
#include "harness/scenario/scenario.h"

namespace leakgate::load::http {

class HttpProtocol final : public Protocol {
 public:
  // Prepares the HTTP entries of `traffic` (gRPC entries are left alone but keep their
  // index). Entries without Traffic::base_url go to `target_url`. Throws
  // std::invalid_argument naming the URL when one is not http:// or does not resolve.
  HttpProtocol(const std::vector<scenario::Traffic>& traffic, const std::string& target_url);

  std::string_view name() const override { return "http"; }
  std::unique_ptr<Session> NewSession(const SessionContext& context) const override;

  // For sessions: the request bytes, and where entry `t` goes.
  const RequestFactory& factory() const { return factory_; }
  const TargetAddress& endpoint(size_t endpoint_index) const { return endpoints_[endpoint_index]; }
  size_t endpoint_of(size_t entry) const { return endpoint_of_[entry]; }
  size_t endpoint_count() const { return endpoints_.size(); }

 private:
  struct Resolved;
  static Resolved ResolveAll(const std::vector<scenario::Traffic>& traffic, const std::string& target_url);
  HttpProtocol(const std::vector<scenario::Traffic>& traffic, Resolved resolved);

  std::vector<TargetAddress> endpoints_;  // distinct base URLs, in order of first use
  std::vector<size_t> endpoint_of_;       // by entry index
  RequestFactory factory_;
};

}  // namespace leakgate::load::http
