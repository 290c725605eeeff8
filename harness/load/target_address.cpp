#include "harness/load/target_address.h"

#include <boost/url/parse.hpp>
#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include "harness/net/address_policy.h"
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
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) throw std::invalid_argument(fmt::format("invalid URL \"{}\": {}", url, parsed.error().message()));
  const bool tls = parsed->scheme() == "https";
  if (parsed->scheme() != "http" && !tls) {
    throw std::invalid_argument(fmt::format("URL \"{}\": only http:// and https:// are supported", url));
  }
  std::string host = parsed->host_address();
  if (host.empty()) throw std::invalid_argument(fmt::format("URL \"{}\" has no host", url));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  uint16_t port = tls ? 443 : 80;
  if (parsed->has_port() && !parsed->port().empty()) {
    const std::string_view digits = parsed->port();
    uint32_t value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc{} || end != digits.data() + digits.size() || value > 65535) {
      throw std::invalid_argument(fmt::format("URL \"{}\": bad port \"{}\"", url, digits));
    }
    port = static_cast<uint16_t>(value);
  }
  TargetAddress target;
  target.tls = tls;
  target.host = host;
  target.endpoint = asio::ip::tcp::endpoint(AddressOf(url, host), port);
  target.host_header = std::string(parsed->encoded_authority());
  target.base_path = std::string(parsed->encoded_path());
  while (!target.base_path.empty() && target.base_path.back() == '/') target.base_path.pop_back();
  return target;
}

}  // namespace leakgate::load
