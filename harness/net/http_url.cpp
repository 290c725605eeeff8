#include "harness/net/http_url.h"

#include <boost/url/parse.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace leakgate::net {

namespace {

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), s.begin(),
                    [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
}

bool IsHostChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
}

Status Malformed(std::string_view url, std::string_view what) {
  return Status::InvalidArgument(fmt::format("URL \"{}\": {}", url, what));
}

// Port text as written (digits only, by the grammar) → 1..65535.
StatusOr<std::uint16_t> ParsePort(std::string_view url, std::string_view text) {
  if (text.empty()) return Malformed(url, "empty port after ':'");
  if (text.size() > 5) return Malformed(url, fmt::format("port \"{}\" out of range 1..65535", text));
  unsigned value = 0;
  for (char c : text) value = value * 10 + static_cast<unsigned>(c - '0');
  if (value == 0 || value > 65535) return Malformed(url, fmt::format("port \"{}\" out of range 1..65535", text));
  return static_cast<std::uint16_t>(value);
}

}  // namespace

StatusOr<HttpUrl> ParseHttpUrl(std::string_view url) {
  if (url.empty()) return Status::InvalidArgument("URL \"\": empty (expected http://host:port/...)");
  if (url.size() > kMaxUrlBytes) {
    return Status::InvalidArgument(
        fmt::format("URL \"{}...\": longer than {} bytes", url.substr(0, 64), kMaxUrlBytes));
  }
  for (std::size_t i = 0; i < url.size(); ++i) {
    const auto c = static_cast<unsigned char>(url[i]);
    if (c <= ' ' || c == 0x7f) {
      return Malformed(url, fmt::format("a space or control character at offset {} (percent-encode it)", i));
    }
  }
  const auto colon = url.find(':');
  if (colon == std::string_view::npos || url.substr(colon, 3) != "://") {
    for (std::string_view scheme : {"http:", "https:"}) {
      if (StartsWithNoCase(url, scheme)) return Malformed(url, fmt::format("expected \"//\" after \"{}\"", scheme));
    }
    return Malformed(url, "no scheme (expected http://host:port/...)");
  }
  const auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return Malformed(url, fmt::format("malformed ({})", parsed.error().message()));
  boost::urls::url_view u = *parsed;
  // Boost.URL 1.81 lets a host that starts like an IPv4 address end there and reads the rest
  // as a path ("http://127.0.0.1.evil.com/" → host 127.0.0.1, path ".evil.com/"; boostorg/url
  // #636, #770). The authority is everything up to the first '/', '?' or '#'; when Boost
  // disagrees after an IPv4 prefix, the URL is read again with a letter before the host,
  // which makes the same characters a reg-name, and the letter is dropped from the host.
  const auto after_slashes = url.substr(colon + 3);
  const auto written_authority = after_slashes.substr(0, after_slashes.find_first_of("/?#"));
  std::string reread_text;  // owns what `u` views after a re-read
  bool reread = false;
  if (std::string_view(u.encoded_authority()) != written_authority && u.host_type() == boost::urls::host_type::ipv4) {
    reread_text = fmt::format("{}x{}", url.substr(0, colon + 3), after_slashes);
    const auto again = boost::urls::parse_uri(reread_text);
    if (again && std::string_view(again->encoded_authority()) == fmt::format("x{}", written_authority)) {
      u = *again;
      reread = true;
    }
  }
  if (!reread && std::string_view(u.encoded_authority()) != written_authority) {
    const bool bare_ipv6 = std::count(written_authority.begin(), written_authority.end(), ':') > 1 &&
                           written_authority.find('[') == std::string_view::npos;
    return Malformed(url, fmt::format("cannot read a host and port from \"{}\"{}", written_authority,
                                      bare_ipv6 ? " (an IPv6 address goes in brackets: http://[::1]:8080/)" : ""));
  }

  HttpUrl out;
  out.url = std::string(url);
  out.scheme = std::string(u.scheme());
  std::transform(out.scheme.begin(), out.scheme.end(), out.scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (out.scheme != "http" && out.scheme != "https") {
    return Malformed(url, fmt::format("unsupported scheme \"{}\" (expected http:// or https://)", u.scheme()));
  }
  if (u.has_userinfo()) {
    return Malformed(url, "userinfo (\"...@\" before the host) is not allowed; write http://host:port/...");
  }
  switch (u.host_type()) {
    case boost::urls::host_type::ipv4:
      out.host = std::string(u.encoded_host());
      break;
    case boost::urls::host_type::ipv6:
      out.host = u.host_address();
      out.host_is_ipv6 = true;
      break;
    case boost::urls::host_type::name:
      out.host = u.host_name();
      if (reread) out.host.erase(0, 1);
      break;
    case boost::urls::host_type::ipvfuture:
      return Malformed(url, fmt::format("IPvFuture host {} is not supported", std::string_view(u.encoded_host())));
    case boost::urls::host_type::none:
      break;
  }
  if (out.host.empty()) return Malformed(url, "empty host");
  if (!out.host_is_ipv6 && !std::all_of(out.host.begin(), out.host.end(), IsHostChar)) {
    return Malformed(url, fmt::format("host \"{}\" has characters no host name or IP address has", out.host));
  }
  if (u.has_port()) {
    auto port = ParsePort(url, u.port());
    if (!port.ok()) return port.status();
    out.port = *port;
    out.port_written = true;
  } else {
    out.port = out.scheme == "https" ? 443 : 80;
  }
  out.authority = std::string(written_authority);  // no userinfo: refused above
  out.target = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
  if (u.has_query()) out.target += "?" + std::string(u.encoded_query());
  return out;
}

}  // namespace leakgate::net
