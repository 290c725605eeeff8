// ParseHttpUrl: the one parser of http:// and https:// URLs in leakgate (on Boost.URL).
//
// Contract: a URL that parses is absolute, has a scheme of http or https (any case), a
// non-empty host, a port in 1..65535 (the scheme's default when none is written), no
// userinfo ("user@host" is refused: `http://127.0.0.1@evil.com/` would otherwise read as
// loopback to a human and as evil.com to a client), and at most kMaxUrlBytes bytes. The
// fragment is dropped. Every refusal is kInvalidArgument with a message that quotes the URL
// and says what is wrong, e.g. `URL "127.0.0.1:8080/x": no scheme (expected
// http://host:port/...)`. Which schemes a caller supports is the caller's decision (the
// probes speak http only).
//
// The host is only parsed here, never resolved; whether leakgate may connect to it is
// harness/net/address_policy.h's decision.
//
// Thread-safety: a pure function of its argument.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "harness/base/status.h"

namespace leakgate::net {

inline constexpr std::size_t kMaxUrlBytes = 8192;

struct HttpUrl {
  std::string url;        // as given, for messages
  std::string scheme;     // "http" or "https", lowercase
  // Percent-decoded, IPv6 brackets removed: "127.0.0.1", "::1", "0x7f.1", "Example.test".
  // Only the characters of a host name or an IP literal (letters, digits, '-', '_', '.',
  // ':'); a decoded host with anything else is refused.
  std::string host;
  bool host_is_ipv6 = false;  // written as "[...]"
  std::uint16_t port = 0;     // as written, or 80 (http) / 443 (https)
  bool port_written = false;  // the URL names the port
  std::string authority;      // for the Host header: host as written plus ":port" if written, "[::1]:8080"
  std::string target;         // path and query as written, "/" when the path is empty: "/debug/vars?x=1"
};

StatusOr<HttpUrl> ParseHttpUrl(std::string_view url);

}  // namespace leakgate::net
