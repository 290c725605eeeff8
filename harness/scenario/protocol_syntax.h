// What the scenario loader accepts as protocol syntax: HTTP methods, header-name
// characters, http:// URLs, gRPC method names. Pure predicates over text (no YAML), shared
// by the YAML readers and the traffic-file parsers. Thread-safety: none needed (no state).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace leakgate::scenario {

inline bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 9110 token characters (header names).
bool IsTokenChar(char c);

// HTTP methods as leakgate accepts them: upper-case letters, digits, '-' and '_', starting
// with a letter ("GET", "PROPFIND", "M-SEARCH"). Methods are case-sensitive on the wire.
bool IsMethod(std::string_view m);

// Any byte <= 0x20 (space and the C0 controls) or DEL.
bool HasSpaceOrControl(std::string_view s);

// "http://HOST..." with a non-empty host and no whitespace.
bool IsHttpUrl(std::string_view url);

// An absolute "http://HOST[:PORT][/path][?query]" (the scheme in any case) split into its
// origin ("http://HOST:PORT", the scheme lower-cased, the rest as written) and its path and query ("/path?query", "/" when absent), the latter as
// written (the caller checks it as it checks a relative path). HOST is a name or IPv4
// address (letters, digits, '-', '.', '_') or a bracketed IPv6 address; PORT, when given,
// 1-65535. nullopt for anything else: another scheme, user info, a fragment right after
// the authority, a space or control byte in the authority.
struct HttpUrlParts {
  std::string origin;
  std::string path;
};
std::optional<HttpUrlParts> SplitHttpUrl(std::string_view url);

// The scheme of "scheme://..." (letters, digits, '+', '-', '.', starting with a letter),
// lower-cased; nullopt when `text` does not start with one.
std::optional<std::string> UrlScheme(std::string_view text);

// "package.Service/Method": exactly one '/', with text on both sides (no leading '/').
bool IsGrpcMethodShape(std::string_view name);

}  // namespace leakgate::scenario
