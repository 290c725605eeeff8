// Reader: one YAML value of a scenario file with its key path ("phases[1].duration") and
// its position, offering typed reads that validate and throw ScenarioError at that value.
// MapReader: a mapping whose keys were checked against the allowed ones (an unknown key is
// an error at the key, with a did-you-mean suggestion; a duplicate key is an error too).
//
// Contract: every read either returns a valid value or throws ScenarioError placed at the
// value ("file:line:col: path: message"); scalars are read after ${...} substitution
// (Context::Expand) except by Literal(). Fail() always throws.
// Thread-safety: none; Readers share their load's Context (context.h), which outlives them.
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/scenario/context.h"
#include "harness/scenario/scenario.h"

namespace leakgate::scenario {

// What a node is, for "expected X, got Y" messages: "a mapping", "a list", the quoted
// scalar, or "no value (null)".
std::string Describe(const YAML::Node& node);

class MapReader;
struct MapEntry;

class Reader {
 public:
  // `key_mark`: where the value's key (or list item) is, used for null values, which
  // yaml-cpp places at the following token.
  Reader(Context& ctx, YAML::Node node, std::string path, YAML::Mark key_mark)
      : ctx_(&ctx), node_(std::move(node)), path_(std::move(path)), key_mark_(key_mark) {}

  const std::string& path() const { return path_; }
  YAML::Mark mark() const;
  SourceMark source_mark() const { return ctx_->ToSourceMark(mark()); }
  Context& context() const { return *ctx_; }
  const YAML::Node& node() const { return node_; }

  [[noreturn]] void Fail(std::string_view message) const { ctx_->Fail(mark(), path_, message); }

  // Runs `parse` (a parser of a text this value names: a template, a CSV file, a
  // recording) and returns its result; a ScenarioError it throws is thrown again placed at
  // this value, its what() ("rec.jsonl:2: ...") becoming the message.
  template <typename Parse>
  auto Placed(Parse&& parse) const -> decltype(parse()) {
    try {
      return parse();
    } catch (const ScenarioError& e) {
      Fail(e.what());
    }
  }

  // Scalar text as written, without ${...} substitution.
  std::string Literal() const;
  // Scalar text after ${...} substitution. Any scalar is a string (5 → "5").
  std::string String() const { return Scalar("a string"); }
  // A finite decimal number ("300", "0.5", "1e3").
  double Number() const;
  // A whole number that fits an int.
  int Integer() const;
  // true/True/TRUE or false/False/FALSE (YAML 1.2 core schema; not yes/no/on/off).
  bool Bool() const;
  // A Go-style duration, always ≥ 0 (see duration.h).
  Duration Dur() const;
  // A number, or a percentage written "10%" (then .second is true and .first is 10).
  std::pair<double, bool> NumberOrPercent() const;

  bool IsMap() const { return node_.IsMap(); }

  // The items of a list, with paths "path[i]".
  std::vector<Reader> Items() const;

  // A mapping whose keys must be among `allowed` (error at the key otherwise, with a
  // suggestion) and unique.
  MapReader Map(std::initializer_list<std::string_view> allowed) const;

  // A mapping with free-form (but unique, string) keys: env:, headers:, vars:.
  std::vector<MapEntry> Entries() const;

 private:
  std::string Child(std::string_view key) const { return path_.empty() ? std::string(key) : path_ + "." + std::string(key); }
  // The substituted text of a scalar that is to be read as `what`.
  std::string Scalar(std::string_view what) const;
  // " (from \"${x}\")" when substitution changed the text, so the message shows both.
  std::string FromNote(const std::string& text) const;
  [[noreturn]] void FailConversion(std::string_view expected, const std::string& text) const;
  // Checks a mapping's keys and returns (key, key mark, value) in document order.
  std::vector<MapEntry> CheckedEntries(const std::initializer_list<std::string_view>* allowed) const;

  Context* ctx_;
  YAML::Node node_;
  std::string path_;
  YAML::Mark key_mark_;
};

struct MapEntry {
  std::string key;
  YAML::Mark key_mark;
  Reader value;
};

// The entries of a validated mapping, looked up by key.
class MapReader {
 public:
  MapReader(Reader self, std::vector<MapEntry> entries) : self_(std::move(self)), entries_(std::move(entries)) {}

  std::optional<Reader> Get(std::string_view key) const;
  // A key that must be present; its absence is an error at the mapping.
  Reader Require(std::string_view key) const;

 private:
  Reader self_;
  std::vector<MapEntry> entries_;
};

// The names given so far in one list (traffic entries, phases): a repeated name is an
// error at the repeat, naming the line of the first.
class UniqueNames {
 public:
  // `what` names the list in the message: "duplicate `what` name \"x\" (first at line 3)".
  explicit UniqueNames(std::string_view what) : what_(what) {}
  // Records `name`, read from `r`; throws at `r` when it was recorded before.
  void Add(const Reader& r, const std::string& name);

 private:
  std::string what_;
  std::map<std::string, int> first_line_;
};

// Typed reads with range checks; each throws at `r` when the value is out of range.
std::string NonEmptyString(const Reader& r);
double NonNegativeNumber(const Reader& r);
double PositiveNumber(const Reader& r);
double Fraction(const Reader& r, std::string_view what);  // in [0, 1]; `what` names it in the message
int IntAtLeast(const Reader& r, int min);
Duration PositiveDuration(const Reader& r);

}  // namespace leakgate::scenario
