#include "harness/net/address_policy.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <fmt/format.h>

#include "harness/net/resolver.h"

namespace leakgate::net {

namespace ip = boost::asio::ip;

namespace {

constexpr std::size_t kMaxNameBytes = 253;
constexpr std::size_t kMaxLabelBytes = 63;

Status NotAHost(std::string_view host, std::string_view why) {
  return Status::InvalidArgument(fmt::format("host \"{}\" {}", host, why));
}

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// The last dot-separated label is a number ("1", "0x1f"): the host means to be IPv4.
bool EndsInNumber(std::string_view lower) {
  const auto dot = lower.rfind('.');
  const std::string_view last = dot == std::string_view::npos ? lower : lower.substr(dot + 1);
  if (last.empty()) return false;
  if (std::all_of(last.begin(), last.end(), IsDigit)) return true;
  return last.starts_with("0x") && std::all_of(last.begin() + 2, last.end(), IsHex);
}

// IPv4 in every notation inet_aton() accepts (1 to 4 parts, each decimal, 0-octal or
// 0x-hex), with nothing after it: inet_aton alone would also accept "127.0.0.1 evil".
std::optional<ip::address_v4> ParseIpv4AnyNotation(std::string_view lower) {
  if (lower.empty() || !IsDigit(lower.front())) return std::nullopt;
  if (!std::all_of(lower.begin(), lower.end(), [](char c) { return IsHex(c) || c == 'x' || c == '.'; })) {
    return std::nullopt;
  }
  in_addr parsed{};
  if (::inet_aton(std::string(lower).c_str(), &parsed) == 0) return std::nullopt;
  return ip::address_v4(ntohl(parsed.s_addr));
}

bool IsValidName(std::string_view lower) {
  if (lower.empty() || lower.size() > kMaxNameBytes) return false;
  std::size_t label = 0;
  for (char c : lower) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
    if (++label > kMaxLabelBytes) return false;
  }
  return label > 0;
}

ip::address Unmapped(const ip::address_v6& v6) {
  if (v6.is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, v6);
  return v6;
}

// ` (87.0.0.1)` when the address reads differently from how it was written.
std::string Meaning(std::string_view host, const HostIdentity& id) {
  if (id.kind != HostIdentity::Kind::kAddress) return "";
  const std::string canonical = id.address.to_string();
  return canonical == host ? "" : fmt::format(" ({})", canonical);
}

}  // namespace

StatusOr<HostIdentity> IdentifyHost(std::string_view host) {
  std::string_view h = host;
  const bool bracketed = h.size() >= 2 && h.front() == '[' && h.back() == ']';
  if (bracketed) h = h.substr(1, h.size() - 2);
  HostIdentity id;
  if (h.find(':') != std::string_view::npos) {
    boost::system::error_code ec;
    const auto v6 = ip::make_address_v6(std::string(h), ec);
    if (ec) return NotAHost(host, "is not a valid IPv6 address");
    id.kind = HostIdentity::Kind::kAddress;
    id.address = Unmapped(v6);
    return id;
  }
  if (bracketed) return NotAHost(host, "has brackets but no IPv6 address");
  if (!h.empty() && h.back() == '.') h.remove_suffix(1);
  std::string lower(h);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "localhost") {
    id.kind = HostIdentity::Kind::kLocalhost;
    return id;
  }
  if (const auto v4 = ParseIpv4AnyNotation(lower)) {
    id.kind = HostIdentity::Kind::kAddress;
    id.address = *v4;
    return id;
  }
  if (EndsInNumber(lower)) return NotAHost(host, "is not a valid IPv4 address");
  if (!IsValidName(lower)) return NotAHost(host, "is not a valid host name");
  id.kind = HostIdentity::Kind::kName;
  id.name = std::move(lower);
  return id;
}

bool IsLoopback(const ip::address& address) {
  if (address.is_v6()) {
    const auto v6 = address.to_v6();
    if (v6.is_v4_mapped()) return IsLoopback(Unmapped(v6));
    return v6.is_loopback();
  }
  return (address.to_v4().to_uint() >> 24) == 127;
}

StatusOr<AllowList> AllowList::Parse(const std::vector<std::string>& hosts, std::string_view key) {
  AllowList list;
  for (const auto& entry : hosts) {
    auto id = IdentifyHost(entry);
    if (!id.ok()) {
      return Status::InvalidArgument(
          fmt::format("{}: \"{}\" is not a host name or IP address: {}", key, entry, id.status().message()));
    }
    switch (id->kind) {
      case HostIdentity::Kind::kAddress: list.addresses_.push_back(id->address); break;
      case HostIdentity::Kind::kName: list.names_.push_back(id->name); break;
      case HostIdentity::Kind::kLocalhost: break;  // always allowed
    }
  }
  return list;
}

bool AllowList::Allows(const HostIdentity& host) const {
  switch (host.kind) {
    case HostIdentity::Kind::kAddress:
      return std::find(addresses_.begin(), addresses_.end(), host.address) != addresses_.end();
    case HostIdentity::Kind::kName:
      return std::find(names_.begin(), names_.end(), host.name) != names_.end();
    case HostIdentity::Kind::kLocalhost:
      return true;
  }
  return false;
}

namespace {

// The identity of `url`'s host when the policy lets it through.
StatusOr<HostIdentity> CheckedIdentity(const HttpUrl& url, std::string_view key, const AllowList& allow) {
  auto id = IdentifyHost(url.host);
  if (!id.ok()) return id.status().WithContext(fmt::format("{}: URL \"{}\": ", key, url.url));
  const bool loopback = id->kind == HostIdentity::Kind::kLocalhost ||
                        (id->kind == HostIdentity::Kind::kAddress && IsLoopback(id->address));
  if (loopback || allow.Allows(*id)) return id;
  return Status::PermissionDenied(fmt::format(
      "{}: host \"{}\"{} is not loopback{}; leakgate connects only to 127.0.0.0/8, ::1 and localhost "
      "unless safety.allow_hosts or --allow-host names the host",
      key, url.host, Meaning(url.host, *id), id->kind == HostIdentity::Kind::kName ? " (not resolved)" : ""));
}

}  // namespace

Status CheckHost(const HttpUrl& url, std::string_view key, const AllowList& allow) {
  auto id = CheckedIdentity(url, key, allow);
  return id.ok() ? Status::Ok() : id.status();
}

StatusOr<ResolvedAddress> CheckAndResolve(const HttpUrl& url, std::string_view key, const AllowList& allow,
                                          std::chrono::steady_clock::time_point deadline) {
  auto id = CheckedIdentity(url, key, allow);
  if (!id.ok()) return id.status();
  ResolvedAddress out;
  switch (id->kind) {
    case HostIdentity::Kind::kAddress:
      out.endpoints.emplace_back(id->address, url.port);
      break;
    case HostIdentity::Kind::kLocalhost:
      out.endpoints.emplace_back(ip::address_v4::loopback(), url.port);
      out.endpoints.emplace_back(ip::address_v6::loopback(), url.port);
      break;
    case HostIdentity::Kind::kName: {
      auto addresses = ResolveName(id->name, deadline);
      if (!addresses.ok()) return addresses.status().WithContext(fmt::format("{}: ", key));
      for (const auto& address : *addresses) out.endpoints.emplace_back(address, url.port);
      break;
    }
  }
  return out;
}

}  // namespace leakgate::net
