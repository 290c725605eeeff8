// Small text searches the report tests share: counting occurrences, cutting out the
// element that follows a marker, and asserting that none of a list of strings occurs.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>

namespace leakgate::testing {

inline size_t CountOf(std::string_view text, std::string_view what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string_view::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The text from `start` up to (not including) the first `end` after it; "" without `start`.
inline std::string Slice(const std::string& text, const std::string& start, const std::string& end) {
  const auto from = text.find(start);
  if (from == std::string::npos) return "";
  return text.substr(from, text.find(end, from) - from);
}

// Success when no string of `forbidden` occurs in `text`; the failure names each that does.
inline ::testing::AssertionResult ContainsNoneOf(const std::string& text,
                                                 std::initializer_list<std::string_view> forbidden) {
  std::string found;
  for (const auto f : forbidden) {
    if (const auto at = text.find(f); at != std::string::npos) {
      found += "\n  \"" + std::string(f) + "\" at " + std::to_string(at) + ": " + text.substr(at, 80);
    }
  }
  if (found.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "found" << found;
}

}  // namespace leakgate::testing
