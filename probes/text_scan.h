// Small text-scanning helpers shared by the line-oriented probe parsers (goroutine dumps,
// label sets, gctrace lines). All of them work on std::string_view, never allocate, never
// throw and never read outside their argument.
//
// Thread-safety: the functions are pure; a LineReader is owned by one parse.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstring>
#include <string_view>
#include <system_error>

namespace leakgate::probes::text {

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
// A blank inside a line: space, tab, or the "\r" of a "\r\n" line end.
inline bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
// A separator between fields where a "\r" is not one: space or tab.
inline bool IsSpaceOrTab(char c) { return c == ' ' || c == '\t'; }
// A letter, digit or '_' (ASCII), the characters of an identifier.
inline bool IsWordChar(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }

inline constexpr size_t npos = std::string_view::npos;

inline std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

inline std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  return s;
}

inline std::string_view Trim(std::string_view s) { return TrimLeft(TrimRight(s)); }

// True when the line holds nothing but blanks (space, tab, "\r"), or nothing.
inline bool IsBlankLine(std::string_view line) { return Trim(line).empty(); }

// Parses the decimal number at the start of `s` into `out`; returns the number of
// characters used, 0 when `s` does not start with a digit or the value overflows T (then
// `out` is unchanged).
template <typename T>
size_t ParseLeadingNumber(std::string_view s, T& out) {
  if (s.empty() || !IsDigit(s.front())) return 0;
  T value{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{}) return 0;
  out = value;
  return static_cast<size_t>(end - s.data());
}

// True when all of `s` (non-empty) is a decimal number that fits in T.
template <typename T>
bool ParseNumber(std::string_view s, T& out) {
  T value{};
  if (s.empty() || ParseLeadingNumber(s, value) != s.size()) return false;
  out = value;
  return true;
}

// Splits text into lines without copying. A line has its "\n" and one trailing "\r"
// removed; the last line may lack a "\n" (last_terminated() tells).
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}

  // The next line into `line`; false at the end of the text.
  bool Next(std::string_view& line) {
    if (pos_ >= text_.size()) return false;
    const char* begin = text_.data() + pos_;
    const size_t left = text_.size() - pos_;
    const void* nl = std::memchr(begin, '\n', left);
    size_t len = left;
    if (nl != nullptr) {
      len = static_cast<size_t>(static_cast<const char*>(nl) - begin);
      pos_ += len + 1;
      terminated_ = true;
    } else {
      pos_ = text_.size();
      terminated_ = false;
    }
    line = std::string_view(begin, len);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return true;
  }

  // Whether the line Next returned last ended with "\n" (true before the first call).
  bool last_terminated() const { return terminated_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  bool terminated_ = true;
};

}  // namespace leakgate::probes::text
