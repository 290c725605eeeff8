#include "harness/scenario/protocol_syntax.h"

#include <algorithm>

namespace leakgate::scenario {

bool IsTokenChar(char c) {
  return IsAsciiLetter(c) || IsAsciiDigit(c) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsMethod(std::string_view m) {
  if (m.empty() || !(m.front() >= 'A' && m.front() <= 'Z')) return false;
  return std::all_of(m.begin(), m.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || IsAsciiDigit(c) || c == '-' || c == '_'; });
}

bool HasSpaceOrControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; });
}

bool IsHttpUrl(std::string_view url) {
  if (!url.starts_with("http://") || HasSpaceOrControl(url)) return false;
  const auto rest = url.substr(7);
  return !rest.empty() && rest.front() != '/';
}

std::optional<HttpUrlParts> SplitHttpUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.size() < kScheme.size() || UrlScheme(url) != "http") return std::nullopt;
  const std::string_view rest = url.substr(kScheme.size());
  const size_t end = std::min(rest.find_first_of("/?#"), rest.size());
  if (end < rest.size() && rest[end] == '#') return std::nullopt;
  const std::string_view authority = rest.substr(0, end);
  std::string_view host = authority, port;
  if (authority.starts_with("[")) {  // [IPv6]:port
    const size_t close = authority.find(']');
    if (close == std::string_view::npos || close == 1) return std::nullopt;
    const std::string_view inside = authority.substr(1, close - 1);
    if (!std::all_of(inside.begin(), inside.end(), [](char c) { return IsAsciiDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.'; })) {
      return std::nullopt;
    }
    host = authority.substr(0, close + 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(":")) return std::nullopt;
    port = after.empty() ? after : after.substr(1);
    if (!after.empty() && port.empty()) return std::nullopt;
  } else {
    const size_t colon = authority.find(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
      if (port.empty()) return std::nullopt;
    }
    if (host.empty() || !std::all_of(host.begin(), host.end(), [](char c) { return IsAsciiLetter(c) || IsAsciiDigit(c) || c == '-' || c == '.' || c == '_'; })) {
      return std::nullopt;
    }
  }
  if (!port.empty()) {
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), IsAsciiDigit)) return std::nullopt;
    const int number = std::stoi(std::string(port));
    if (number < 1 || number > 65535) return std::nullopt;
  }
  HttpUrlParts parts{std::string(kScheme) + std::string(authority), std::string(rest.substr(end))};
  if (parts.path.empty() || parts.path.front() == '?') parts.path.insert(parts.path.begin(), '/');
  return parts;
}

std::optional<std::string> UrlScheme(std::string_view text) {
  const size_t sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0 || !IsAsciiLetter(text.front())) return std::nullopt;
  std::string scheme(text.substr(0, sep));
  for (char& c : scheme) {
    if (!(IsAsciiLetter(c) || IsAsciiDigit(c) || c == '+' || c == '-' || c == '.')) return std::nullopt;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return scheme;
}

bool IsGrpcMethodShape(std::string_view name) {
  const size_t slash = name.find('/');
  return slash != std::string_view::npos && slash > 0 && slash + 1 < name.size() &&
         name.find('/', slash + 1) == std::string_view::npos;
}

}  // namespace leakgate::scenario
