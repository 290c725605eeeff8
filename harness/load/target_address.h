// TargetAddress: where HTTP requests go, resolved once from a base URL before any load.
// Thread-safety: plain values.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <string>

namespace leakgate::load {

struct TargetAddress {
  boost::asio::ip::tcp::endpoint endpoint;
  std::string host_header;  // "127.0.0.1:8080"
  std::string base_path;    // URL path prefix without trailing '/', usually ""
};

// Parses an http:// URL and resolves its host. Throws std::invalid_argument with a
// message naming the URL when it is not http://, has no host, or does not resolve.
TargetAddress ResolveTarget(const std::string& url);

}  // namespace leakgate::load
