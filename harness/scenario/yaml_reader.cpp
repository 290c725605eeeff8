#include "harness/scenario/yaml_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <system_error>

#include "harness/scenario/duration.h"
#include "harness/scenario/messages.h"

namespace leakgate::scenario {

std::string Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return Quoted(node.Scalar());
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: break;
  }
  return "no value (null)";
}

YAML::Mark Reader::mark() const {
  if (node_.IsNull()) return key_mark_;
  const YAML::Mark m = node_.Mark();
  return m.is_null() ? key_mark_ : m;
}

std::string Reader::Literal() const {
  if (!node_.IsScalar()) Fail(fmt::format("expected a string, got {}", Describe(node_)));
  return node_.Scalar();
}

double Reader::Number() const {
  const std::string text = Scalar("a number");
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    FailConversion("a number", text);
  }
  return value;
}

int Reader::Integer() const {
  const std::string text = Scalar("a whole number");
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) Fail(fmt::format("{} is out of range{}", Quoted(text), FromNote(text)));
  if (ec != std::errc() || end != text.data() + text.size()) FailConversion("a whole number", text);
  return value;
}

bool Reader::Bool() const {
  const std::string text = Scalar("true or false");
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  FailConversion("true or false", text);
}

Duration Reader::Dur() const {
  const std::string text = Scalar("a duration");
  if (const auto d = ParseDuration(text)) return *d;
  if (text.starts_with("-")) Fail(fmt::format("invalid duration {} (must not be negative){}", Quoted(text), FromNote(text)));
  Fail(fmt::format("invalid duration {} (expected e.g. 500ms, 2s, 1m30s){}", Quoted(text), FromNote(text)));
}

std::pair<double, bool> Reader::NumberOrPercent() const {
  const std::string text = Scalar("a number or a percentage");
  const bool percent = text.ends_with('%');
  const std::string_view digits(text.data(), text.size() - (percent ? 1 : 0));
  double value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || !std::isfinite(value)) {
    FailConversion("a number or a percentage such as \"10%\"", text);
  }
  return {value, percent};
}

std::vector<Reader> Reader::Items() const {
  if (!node_.IsSequence()) Fail(fmt::format("expected a list, got {}", Describe(node_)));
  std::vector<Reader> items;
  for (size_t i = 0; i < node_.size(); ++i) {
    const YAML::Node item = node_[i];
    // An empty item ("- ") has no useful position of its own: use the list's.
    const YAML::Mark item_mark = item.IsNull() || item.Mark().is_null() ? mark() : item.Mark();
    items.emplace_back(*ctx_, item, fmt::format("{}[{}]", path_, i), item_mark);
  }
  return items;
}

std::string Reader::Scalar(std::string_view what) const {
  if (!node_.IsScalar()) Fail(fmt::format("expected {}, got {}", what, Describe(node_)));
  return ctx_->Expand(node_.Scalar(), mark(), path_);
}

std::string Reader::FromNote(const std::string& text) const {
  return text == node_.Scalar() ? std::string() : fmt::format(" (from {})", Quoted(node_.Scalar()));
}

void Reader::FailConversion(std::string_view expected, const std::string& text) const {
  Fail(fmt::format("expected {}, got {}{}", expected, Quoted(text), FromNote(text)));
}

std::vector<MapEntry> Reader::CheckedEntries(const std::initializer_list<std::string_view>* allowed) const {
  if (!node_.IsMap()) Fail(fmt::format("expected a mapping, got {}", Describe(node_)));
  std::vector<MapEntry> entries;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    // By value: yaml-cpp's iterator yields a temporary pair, so a reference to its
    // `first` would dangle past this statement (found by fuzz_scenario_loader under ASan).
    const YAML::Node key = it->first;
    if (!key.IsScalar()) ctx_->Fail(key.Mark(), path_, fmt::format("keys must be strings, got {}", Describe(key)));
    const std::string name = key.Scalar();
    if (allowed != nullptr && std::find(allowed->begin(), allowed->end(), name) == allowed->end()) {
      std::string hint = DidYouMean(name, *allowed);
      if (hint.empty()) {
        std::vector<std::string> names(allowed->begin(), allowed->end());
        hint = fmt::format(" (allowed here: {})", Join(names, ", "));
      }
      ctx_->Fail(key.Mark(), path_, fmt::format("unknown key '{}'{}", Printable(name), hint));
    }
    for (const auto& earlier : entries) {
      if (earlier.key == name) {
        ctx_->Fail(key.Mark(), path_,
                   fmt::format("duplicate key '{}' (first at line {})", Printable(name), ctx_->ToSourceMark(earlier.key_mark).line));
      }
    }
    entries.push_back(MapEntry{name, key.Mark(), Reader(*ctx_, it->second, Child(name), key.Mark())});
  }
  return entries;
}

MapReader Reader::Map(std::initializer_list<std::string_view> allowed) const {
  return MapReader(*this, CheckedEntries(&allowed));
}

std::vector<MapEntry> Reader::Entries() const { return CheckedEntries(nullptr); }

std::optional<Reader> MapReader::Get(std::string_view key) const {
  for (const auto& e : entries_) {
    if (e.key == key) return e.value;
  }
  return std::nullopt;
}

Reader MapReader::Require(std::string_view key) const {
  if (auto r = Get(key)) return *r;
  self_.Fail(fmt::format("missing required key '{}'", key));
}

void UniqueNames::Add(const Reader& r, const std::string& name) {
  if (const auto [it, inserted] = first_line_.emplace(name, r.source_mark().line); !inserted) {
    r.Fail(fmt::format("duplicate {} name {} (first at line {})", what_, Quoted(name), it->second));
  }
}

std::string NonEmptyString(const Reader& r) {
  std::string s = r.String();
  if (s.empty()) r.Fail("must not be empty");
  return s;
}

double NonNegativeNumber(const Reader& r) {
  const double v = r.Number();
  if (v < 0) r.Fail(fmt::format("must be >= 0, got {}", v));
  return v;
}

double PositiveNumber(const Reader& r) {
  const double v = r.Number();
  if (v <= 0) r.Fail(fmt::format("must be > 0, got {}", v));
  return v;
}

double Fraction(const Reader& r, std::string_view what) {
  const double v = r.Number();
  if (v < 0 || v > 1) r.Fail(fmt::format("{} must be between 0 and 1, got {}", what, v));
  return v;
}

int IntAtLeast(const Reader& r, int min) {
  const int v = r.Integer();
  if (v < min) r.Fail(fmt::format("must be >= {}, got {}", min, v));
  return v;
}

Duration PositiveDuration(const Reader& r) {
  const Duration d = r.Dur();
  if (d <= Duration::zero()) r.Fail("must be longer than 0");
  return d;
}

}  // namespace leakgate::scenario
