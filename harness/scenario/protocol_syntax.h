// What the scenario loader accepts as protocol syntax: HTTP methods, header-name
// characters, http:// URLs, gRPC method names. Pure predicates over text (no YAML), shared
// by the YAML readers and the traffic-file parsers. Thread-safety: none needed (no state).
#pragma once

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

// "package.Service/Method": exactly one '/', with text on both sides (no leading '/').
bool IsGrpcMethodShape(std::string_view name);

}  // namespace leakgate::scenario
