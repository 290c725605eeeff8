#include "probes/goroutine_labels.h"

#include <cstdint>

#include "probes/text_scan.h"

namespace leakgate::probes {
namespace {

using text::npos;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The value of `digits` hex digits at `s[0..]`, or -1 when there are fewer.
int64_t HexRun(std::string_view s, size_t digits) {
  if (s.size() < digits) return -1;
  int64_t v = 0;
  for (size_t i = 0; i < digits; ++i) {
    const int d = HexValue(s[i]);
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

void AppendUtf8(std::string& out, int64_t cp) {
  if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  const auto u = static_cast<uint32_t>(cp);
  if (u < 0x80) {
    out += static_cast<char>(u);
  } else if (u < 0x800) {
    out += static_cast<char>(0xC0 | (u >> 6));
    out += static_cast<char>(0x80 | (u & 0x3F));
  } else if (u < 0x10000) {
    out += static_cast<char>(0xE0 | (u >> 12));
    out += static_cast<char>(0x80 | ((u >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (u & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (u >> 18));
    out += static_cast<char>(0x80 | ((u >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((u >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (u & 0x3F));
  }
}

// Appends the escape at `s` (just after the backslash) to `out`; returns its length
// (without the backslash), 0 when it is cut short.
size_t AppendEscape(std::string_view s, std::string& out) {
  if (s.empty()) return 0;
  switch (s[0]) {
    case 'a': out += '\a'; return 1;
    case 'b': out += '\b'; return 1;
    case 'f': out += '\f'; return 1;
    case 'n': out += '\n'; return 1;
    case 'r': out += '\r'; return 1;
    case 't': out += '\t'; return 1;
    case 'v': out += '\v'; return 1;
    case '\\': case '"': case '\'': out += s[0]; return 1;
    case 'x': {
      const int64_t v = HexRun(s.substr(1), 2);
      if (v < 0) return 0;
      out += static_cast<char>(v);
      return 3;
    }
    case 'u': case 'U': {
      const size_t digits = s[0] == 'u' ? 4 : 8;
      const int64_t v = HexRun(s.substr(1), digits);
      if (v < 0) return 0;
      AppendUtf8(out, v);
      return 1 + digits;
    }
    default:
      break;
  }
  if (s[0] >= '0' && s[0] <= '7') {  // \ooo: exactly three octal digits
    if (s.size() < 3) return 0;
    int v = 0;
    for (size_t i = 0; i < 3; ++i) {
      if (s[i] < '0' || s[i] > '7') return 0;
      v = v * 8 + (s[i] - '0');
    }
    out += static_cast<char>(v & 0xFF);
    return 3;
  }
  out += '\\';  // unknown: kept as written
  out += s[0];
  return 1;
}

// A key (stops = ":") or value (stops = ",}") at the start of `s`: quoted, or bare up to
// the first stop character. Returns its length, npos when it is incomplete.
size_t ParseToken(std::string_view s, std::string_view stops, std::string& out) {
  if (!s.empty() && s.front() == '"') {
    const size_t n = UnquoteGoString(s, out);
    return n == 0 ? npos : n;
  }
  const size_t end = s.find_first_of(stops);
  if (end == npos) return npos;
  out.assign(s.substr(0, end));
  return end;
}

}  // namespace

size_t UnquoteGoString(std::string_view text, std::string& out) {
  out.clear();
  if (text.empty() || text.front() != '"') return 0;
  size_t i = 1;
  while (i < text.size()) {
    const size_t special = text.find_first_of("\"\\", i);
    if (special == npos) return 0;
    out.append(text.substr(i, special - i));
    if (text[special] == '"') return special + 1;
    const size_t n = AppendEscape(text.substr(special + 1), out);
    if (n == 0) return 0;
    i = special + 1 + n;
  }
  return 0;
}

size_t ParseLabelSet(std::string_view text, PprofLabels& out) {
  out.clear();
  if (text.empty() || text.front() != '{') return 0;
  if (text.size() >= 2 && text[1] == '}') return 2;
  size_t i = 1;
  std::string key;
  std::string value;
  while (true) {
    size_t n = ParseToken(text.substr(i), ":", key);
    if (n == npos || i + n >= text.size() || text[i + n] != ':') break;
    i += n + 1;
    if (i < text.size() && text[i] == ' ') ++i;
    n = ParseToken(text.substr(i), ",}", value);
    if (n == npos || i + n >= text.size()) break;
    i += n;
    out.emplace_back(std::move(key), std::move(value));
    if (text[i] == '}') return i + 1;
    if (text[i] != ',') break;
    ++i;
    if (i < text.size() && text[i] == ' ') ++i;
  }
  out.clear();
  return 0;
}

std::string FormatLabels(const PprofLabels& labels) {
  std::string out;
  for (const auto& [key, value] : labels) {
    if (!out.empty()) out += ", ";
    out += key;
    out += '=';
    out += value;
  }
  return out;
}

}  // namespace leakgate::probes
