#include "harness/load/target_address.h"

#include <fmt/format.h>

#include <stdexcept>
#include <string_view>

#include "harness/net/address_policy.h"
#include "harness/net/http_url.h"
#include "harness/net/resolver.h"

namespace leakgate::load {

namespace asio = boost::asio;

namespace {

// The address to connect to, spelled as the address policy reads hosts (harness/net/
// address_policy.h): an IP literal in any notation as itself, `localhost` as 127.0.0.1,
// a name (which the policy has allowed) by one lookup bounded by kResolveTimeout.
asio::ip::address AddressOf(const std::string& url, const std::string& host) {
  auto id = net::IdentifyHost(host);
  if (!id.ok()) throw std::invalid_argument(fmt::format("URL \"{}\": {}", url, id.status().message()));
  switch (id->kind) {
    case net::HostIdentity::Kind::kAddress: return id->address;
    case net::HostIdentity::Kind::kLocalhost: return asio::ip::address_v4::loopback();
    case net::HostIdentity::Kind::kName: break;
  }
  auto addresses = net::ResolveName(id->name, std::chrono::steady_clock::now() + kResolveTimeout);
  if (!addresses.ok()) throw std::invalid_argument(fmt::format("URL \"{}\": {}", url, addresses.status().message()));
  if (addresses->empty()) throw std::invalid_argument(fmt::format("URL \"{}\": {} has no address", url, host));
  return addresses->front();
}

}  // namespace

TargetAddress ResolveTarget(const std::string& url) {
  auto parsed = net::ParseHttpUrl(url);
  if (!parsed.ok()) throw std::invalid_argument(parsed.status().message());
  TargetAddress target;
  target.tls = parsed->scheme == "https";
  target.host = parsed->host;
  target.endpoint = asio::ip::tcp::endpoint(AddressOf(url, parsed->host), parsed->port);
  target.host_header = parsed->authority;
  // The base path: the URL's path without its query, trailing '/' dropped ("" for "/").
  target.base_path = parsed->target.substr(0, parsed->target.find('?'));
  while (!target.base_path.empty() && target.base_path.back() == '/') target.base_path.pop_back();
  return target;
}

}  // namespace leakgate::load
