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

bool IsGrpcMethodShape(std::string_view name) {
  const size_t slash = name.find('/');
  return slash != std::string_view::npos && slash > 0 && slash + 1 < name.size() &&
         name.find('/', slash + 1) == std::string_view::npos;
}

}  // namespace leakgate::scenario
