// How the scenario loader words its errors: quoting values, joining names, and the
// "did you mean" suggestion for a misspelt key, name or value.
//
// Pure functions over text, no YAML: shared by the YAML readers and the traffic-file
// parsers. Thread-safety: none needed (no state).
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leakgate::scenario {

// Optimal string alignment distance: Levenshtein plus adjacent transpositions ("durtaion").
// Memory and time O(|a|·|b|).
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate within edit distance 2 of `word`: the closest, the first listed on ties;
// nullopt when none is that close. Candidates: any range of string-like values.
template <typename Candidates>
std::optional<std::string> Closest(std::string_view word, const Candidates& candidates) {
  std::optional<std::string> best;
  size_t best_distance = 3;
  for (const auto& candidate : candidates) {
    const size_t distance = EditDistance(word, candidate);
    if (distance < best_distance) {
      best = std::string(candidate);
      best_distance = distance;
    }
  }
  return best;
}

// `s` with control characters (and DEL), quotes and backslashes escaped ("\\n", "\\x1b",
// "\\\""), so that text from a scenario or a traffic file can be put in a message without
// writing raw control bytes (a terminal escape, a NUL that would end what()) to the user.
std::string Printable(std::string_view s);

// Double-quoted Printable(s): "a\"b\n".
std::string Quoted(std::string_view s);

// " (did you mean 'x'?)" when Closest() finds x, else "" (x made Printable).
template <typename Candidates>
std::string DidYouMean(std::string_view word, const Candidates& candidates) {
  const auto best = Closest(word, candidates);
  return best ? fmt::format(" (did you mean '{}'?)", Printable(*best)) : std::string();
}

// The items (made Printable) with `separator` between them: Join({"a", "b"}, ", ") == "a, b".
std::string Join(const std::vector<std::string>& items, std::string_view separator);

}  // namespace leakgate::scenario
