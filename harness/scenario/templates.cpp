#include "harness/scenario/templates.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <sstream>
#include <system_error>

#include "harness/scenario/messages.h"
#include "harness/scenario/scenario_error.h"

namespace leakgate::scenario {
namespace {

[[noreturn]] void Fail(std::string message) { throw ScenarioError(SourceMark{}, std::move(message)); }

std::string Trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// A whole number (int64) in `word`, or nullopt.
std::optional<int64_t> WholeNumber(std::string_view word) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (ec != std::errc() || end != word.data() + word.size()) return std::nullopt;
  return value;
}

// The part for the variable written {{inner}} (`inner` trimmed).
TemplatePart ParseVariable(const std::string& inner, const std::vector<std::string>& columns) {
  std::vector<std::string> words;
  std::istringstream in(inner);
  for (std::string w; in >> w;) words.push_back(w);
  const std::string ref = "{{" + inner + "}}";
  TemplatePart part;
  const std::string head = words.empty() ? std::string() : words.front();
  if (head == "seq" && words.size() == 1) {
    part.kind = TemplatePart::kSeq;
  } else if (head == "uuid" && words.size() == 1) {
    part.kind = TemplatePart::kUuid;
  } else if (head == "randint") {
    const auto a = words.size() == 3 ? WholeNumber(words[1]) : std::nullopt;
    const auto b = words.size() == 3 ? WholeNumber(words[2]) : std::nullopt;
    if (!a || !b || *a > *b) Fail(fmt::format("{}: expected {{{{randint A B}}}} with whole numbers A <= B", Printable(ref)));
    part.kind = TemplatePart::kRandInt;
    part.low = *a;
    part.high = *b;
  } else if (head == "randstr") {
    const auto n = words.size() == 2 ? WholeNumber(words[1]) : std::nullopt;
    if (!n || *n < 1 || *n > 65536) Fail(fmt::format("{}: expected {{{{randstr N}}}} with 1 <= N <= 65536", Printable(ref)));
    part.kind = TemplatePart::kRandStr;
    part.low = *n;
  } else if (head.starts_with("csv.") && words.size() == 1) {
    const std::string column = head.substr(4);
    if (columns.empty()) Fail(fmt::format("{} needs csv: (a CSV file) in this traffic entry", Printable(ref)));
    const auto it = std::find(columns.begin(), columns.end(), column);
    if (it == columns.end()) {
      std::string hint = DidYouMean(column, columns);
      if (hint.empty()) hint = fmt::format(" (columns: {})", Join(columns, ", "));
      Fail(fmt::format("{}: no column '{}' in the CSV file{}", Printable(ref), Printable(column), hint));
    }
    part.kind = TemplatePart::kCsv;
    part.column = static_cast<int>(it - columns.begin());
  } else {
    std::string hint = DidYouMean(head, std::vector<std::string>{"seq", "uuid", "randint", "randstr"});
    Fail(fmt::format("unknown template variable {}{} (known: {{{{seq}}}}, {{{{uuid}}}}, {{{{randint A B}}}}, "
                     "{{{{randstr N}}}}, {{{{csv.COLUMN}}}}; \"{{{{{{{{\" is a literal \"{{{{\")",
                     Quoted(ref), hint));
  }
  return part;
}

}  // namespace

Template ParseTemplate(std::string_view text, const std::vector<std::string>& columns) {
  Template parts;
  auto literal = [&parts](std::string_view s) {
    if (s.empty()) return;
    if (parts.empty() || parts.back().kind != TemplatePart::kLiteral) parts.push_back(TemplatePart{});
    parts.back().text += s;
  };
  size_t i = 0;
  while (i < text.size()) {
    const size_t open = text.find("{{", i);
    if (open == std::string_view::npos) {
      literal(text.substr(i));
      break;
    }
    literal(text.substr(i, open - i));
    if (text.substr(open).starts_with("{{{{")) {
      literal("{{");
      i = open + 4;
      continue;
    }
    const size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      Fail(fmt::format("unterminated \"{{{{\" in {} (write \"{{{{{{{{\" for a literal \"{{{{\")", Quoted(text)));
    }
    parts.push_back(ParseVariable(Trimmed(text.substr(open + 2, close - open - 2)), columns));
    i = close + 2;
  }
  return parts;
}

std::uintmax_t LongestRendering(const Template& t, std::size_t longest_csv_cell) {
  constexpr std::uintmax_t kInt64Digits = 20;  // "-9223372036854775808"
  constexpr std::uintmax_t kUuidBytes = 36;
  std::uintmax_t total = 0;
  for (const auto& part : t) {
    switch (part.kind) {
      case TemplatePart::kLiteral: total += part.text.size(); break;
      case TemplatePart::kSeq:
      case TemplatePart::kRandInt: total += kInt64Digits; break;
      case TemplatePart::kRandStr: total += static_cast<std::uintmax_t>(part.low); break;
      case TemplatePart::kUuid: total += kUuidBytes; break;
      case TemplatePart::kCsv: total += longest_csv_cell; break;
    }
  }
  return total;
}

}  // namespace leakgate::scenario
