// TargetAddress: where HTTP requests go, resolved once from a base URL before any load.
// Thread-safety: plain values.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <string>

namespace leakgate::load {

struct TargetAddress {
  boost::asio::ip::tcp::endpoint endpoint;
  std::string host_header;  // "127.0.0.1:8080"
  std::string base_path;    // URL path prefix without trailing '/', usually ""
  bool tls = false;         // https://: every connection does a TLS handshake first
  std::string host;         // the URL's host, unbracketed: SNI and the certificate check
};

// How long resolving a host name may take (net::ResolveName's deadline).
inline constexpr std::chrono::seconds kResolveTimeout{10};

// Parses an http:// or https:// URL (net::ParseHttpUrl, the one URL parser) and resolves
// its host the way the address policy reads it (IP literals in any notation, `localhost`
// as 127.0.0.1, a name by one lookup bounded by kResolveTimeout). The policy itself is
// checked earlier, by the caller. Throws std::invalid_argument with ParseHttpUrl's message
// (naming the URL) when it does not parse (another scheme, no host, a port outside
// 1..65535, userinfo), or when its host does not resolve in time.
TargetAddress ResolveTarget(const std::string& url);

}  // namespace leakgate::load
