// Scenario loading: YAML → Scenario (see scenarios/FORMAT.md for the format itself).
//
// Structure: a Context holds what one load needs (file name, variables, allocated ports);
// a Reader wraps one YAML value with its key path and position and offers typed reads
// that validate and throw ScenarioError at that value; the Read* functions below walk the
// format top-down, one function per section. Keys are validated per mapping (MapReader),
// so an unknown or misspelt key is always an error.
#include "harness/scenario/scenario_loader.h"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <sstream>
#include <system_error>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/scenario/duration.h"

namespace leakgate::scenario {
namespace {

constexpr std::string_view kDefaultTargetHost = "http://127.0.0.1:";
constexpr double kDefaultGoroutineTolerance = 5;

// ---------------------------------------------------------------------------------------
// Small text helpers

// Optimal string alignment distance: Levenshtein plus adjacent transpositions ("durtaion").
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// The candidate within edit distance 2 of `word`: the closest, the first listed on ties.
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

// " (did you mean 'x'?)" when Closest() finds x, else "".
template <typename Candidates>
std::string DidYouMean(std::string_view word, const Candidates& candidates) {
  const auto best = Closest(word, candidates);
  return best ? fmt::format(" (did you mean '{}'?)", *best) : std::string();
}

// Double-quoted, with control characters, quotes and backslashes escaped, for messages.
std::string Quoted(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string Join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    out += items[i];
  }
  return out;
}

// What a node is, for "expected X, got Y" messages.
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

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// Variable names: a letter or '_', then letters, digits, '_' or '-'.
bool IsVarName(std::string_view name) {
  if (name.empty() || !(IsAsciiLetter(name.front()) || name.front() == '_')) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return IsAsciiLetter(c) || IsAsciiDigit(c) || c == '_' || c == '-'; });
}

// Built-in variables cannot be declared or overridden.
bool IsReservedVarName(std::string_view name) {
  return name == "port" || name == "scenario_dir" || name.starts_with("port.") || name.starts_with("env.");
}

// RFC 9110 token characters (header names).
bool IsTokenChar(char c) {
  return IsAsciiLetter(c) || IsAsciiDigit(c) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// HTTP methods as leakgate accepts them: upper-case letters, digits, '-' and '_', starting
// with a letter ("GET", "PROPFIND", "M-SEARCH"). Methods are case-sensitive on the wire.
bool IsMethod(std::string_view m) {
  if (m.empty() || !(m.front() >= 'A' && m.front() <= 'Z')) return false;
  return std::all_of(m.begin(), m.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || IsAsciiDigit(c) || c == '-' || c == '_'; });
}

bool HasSpaceOrControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; });
}

// "http://HOST..." with a non-empty host and no whitespace.
bool IsHttpUrl(std::string_view url) {
  if (!url.starts_with("http://") || HasSpaceOrControl(url)) return false;
  const auto rest = url.substr(7);
  return !rest.empty() && rest.front() != '/';
}

// The directory of `file`, absolute and normalized ("." components removed), no trailing '/'.
std::string DirectoryOf(const std::string& file) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path dir = fs::absolute(fs::path(file), ec);
  if (ec) dir = fs::path(file);
  dir = dir.lexically_normal().parent_path();
  std::string out = dir.string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out.empty() ? "." : out;
}

// ---------------------------------------------------------------------------------------
// Context: per-load state shared by every Reader.

class Context {
 public:
  Context(std::string file, const LoadOptions& options)
      : file_(std::move(file)), scenario_dir_(DirectoryOf(file_)), options_(options) {}

  // yaml-cpp marks are 0-based; SourceMark is 1-based, 0 = unknown.
  SourceMark ToSourceMark(const YAML::Mark& mark) const {
    if (mark.is_null() || mark.line < 0) return SourceMark{file_, 0, 0};
    return SourceMark{file_, mark.line + 1, mark.column + 1};
  }

  // Throws "file:line:col: path: message" (just "message" after the position at top level).
  [[noreturn]] void Fail(const YAML::Mark& at, std::string_view path, std::string_view message) const {
    throw ScenarioError(ToSourceMark(at), path.empty() ? std::string(message) : fmt::format("{}: {}", path, message));
  }
  // An error without a position in the file (e.g. about a --var override).
  [[noreturn]] void FailUnplaced(std::string message) const {
    throw ScenarioError(SourceMark{file_, 0, 0}, std::move(message));
  }

  void SetVar(const std::string& name, std::string value) { vars_[name] = std::move(value); }
  const std::map<std::string, std::string>& vars() const { return vars_; }
  const std::map<std::string, int>& ports() const { return ports_; }

  // Substitutes every ${...} in `text` (see FORMAT.md, "Variables"); "$${" stands for a
  // literal "${". Substituted values are not scanned again. Errors are placed at `at`.
  std::string Expand(std::string_view text, const YAML::Mark& at, std::string_view path) {
    std::string out;
    size_t i = 0;
    while (i < text.size()) {
      if (text.substr(i).starts_with("$${")) {
        out += "${";
        i += 3;
      } else if (text.substr(i).starts_with("${")) {
        const size_t close = text.find('}', i + 2);
        if (close == std::string_view::npos) {
          Fail(at, path, fmt::format("unterminated \"${{\" in {} (write \"$${{\" for a literal \"${{\")", Quoted(text)));
        }
        out += Lookup(text.substr(i + 2, close - i - 2), at, path);
        i = close + 1;
      } else {
        out += text[i++];
      }
    }
    return out;
  }

  // The port for ${port} (name "") or ${port.NAME}: allocated on first use, then the same.
  int Port(const std::string& name, const YAML::Mark& at, std::string_view path) {
    if (const auto it = ports_.find(name); it != ports_.end()) return it->second;
    const std::string ref = name.empty() ? "${port}" : "${port." + name + "}";
    if (!options_.allocate_port) Fail(at, path, fmt::format("{} needs a port, but no port allocator was given", ref));
    const int port = options_.allocate_port();
    if (port <= 0 || port > 65535) Fail(at, path, fmt::format("{}: the port allocator returned {}", ref, port));
    ports_.emplace(name, port);
    return port;
  }

 private:
  // The value of the variable reference `name` (the text between "${" and "}").
  std::string Lookup(std::string_view name, const YAML::Mark& at, std::string_view path) {
    const std::string ref = fmt::format("${{{}}}", name);
    if (name == "port") return std::to_string(Port("", at, path));
    if (name.starts_with("port.")) {
      const auto port_name = name.substr(5);
      if (!IsVarName(port_name)) Fail(at, path, fmt::format("invalid port name in \"{}\"", ref));
      return std::to_string(Port(std::string(port_name), at, path));
    }
    if (name.starts_with("env.")) {
      const std::string env_name(name.substr(4));
      if (env_name.empty()) Fail(at, path, fmt::format("empty environment variable name in \"{}\"", ref));
      const char* value = std::getenv(env_name.c_str());
      if (value == nullptr) Fail(at, path, fmt::format("environment variable {} is not set (used as \"{}\")", env_name, ref));
      return value;
    }
    if (name == "scenario_dir") return scenario_dir_;
    if (const auto it = vars_.find(std::string(name)); it != vars_.end()) return it->second;
    if (!IsVarName(name)) Fail(at, path, fmt::format("invalid variable reference \"{}\"", ref));
    std::vector<std::string> known;
    for (const auto& [var, value] : vars_) known.push_back(var);
    known.insert(known.end(), {"port", "scenario_dir"});
    const auto best = Closest(name, known);
    const std::string hint = best ? fmt::format(" (did you mean '${{{}}}'?)", *best) : std::string();
    Fail(at, path,
         fmt::format("undefined variable \"{}\"{}; declare it under vars: or pass --var {}=VALUE", ref, hint, name));
  }

  std::string file_;
  std::string scenario_dir_;
  const LoadOptions& options_;
  std::map<std::string, std::string> vars_;
  std::map<std::string, int> ports_;  // "" for ${port}
};

// ---------------------------------------------------------------------------------------
// Reader: one YAML value, its key path and its position.

class MapReader;

struct MapEntry;

class Reader {
 public:
  // `key_mark`: where the value's key (or list item) is, used for null values, which
  // yaml-cpp places at the following token.
  Reader(Context& ctx, YAML::Node node, std::string path, YAML::Mark key_mark)
      : ctx_(&ctx), node_(std::move(node)), path_(std::move(path)), key_mark_(key_mark) {}

  const std::string& path() const { return path_; }
  YAML::Mark mark() const {
    if (node_.IsNull()) return key_mark_;
    const YAML::Mark m = node_.Mark();
    return m.is_null() ? key_mark_ : m;
  }
  SourceMark source_mark() const { return ctx_->ToSourceMark(mark()); }
  Context& context() const { return *ctx_; }
  const YAML::Node& node() const { return node_; }

  [[noreturn]] void Fail(std::string_view message) const { ctx_->Fail(mark(), path_, message); }

  // Scalar text as written, without ${...} substitution.
  std::string Literal() const {
    if (!node_.IsScalar()) Fail(fmt::format("expected a string, got {}", Describe(node_)));
    return node_.Scalar();
  }

  // Scalar text after ${...} substitution. Any scalar is a string (5 → "5").
  std::string String() const { return Scalar("a string"); }

  // A finite decimal number ("300", "0.5", "1e3").
  double Number() const {
    const std::string text = Scalar("a number");
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
      FailConversion("a number", text);
    }
    return value;
  }

  // A whole number that fits an int.
  int Integer() const {
    const std::string text = Scalar("a whole number");
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range) Fail(fmt::format("{} is out of range{}", Quoted(text), FromNote(text)));
    if (ec != std::errc() || end != text.data() + text.size()) FailConversion("a whole number", text);
    return value;
  }

  // true/True/TRUE or false/False/FALSE (YAML 1.2 core schema; not yes/no/on/off).
  bool Bool() const {
    const std::string text = Scalar("true or false");
    if (text == "true" || text == "True" || text == "TRUE") return true;
    if (text == "false" || text == "False" || text == "FALSE") return false;
    FailConversion("true or false", text);
  }

  // A Go-style duration, always ≥ 0 (see duration.h).
  Duration Dur() const {
    const std::string text = Scalar("a duration");
    if (const auto d = ParseDuration(text)) return *d;
    if (text.starts_with("-")) Fail(fmt::format("invalid duration {} (must not be negative){}", Quoted(text), FromNote(text)));
    Fail(fmt::format("invalid duration {} (expected e.g. 500ms, 2s, 1m30s){}", Quoted(text), FromNote(text)));
  }

  // A number, or a percentage written "10%" (then .second is true and .first is 10).
  std::pair<double, bool> NumberOrPercent() const {
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

  bool IsMap() const { return node_.IsMap(); }

  // The items of a list, with paths "path[i]".
  std::vector<Reader> Items() const {
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

  // A mapping whose keys must be among `allowed` (error at the key otherwise, with a
  // suggestion) and unique.
  MapReader Map(std::initializer_list<std::string_view> allowed) const;

  // A mapping with free-form (but unique, string) keys: env:, headers:, vars:.
  std::vector<MapEntry> Entries() const;

 private:
  std::string Child(std::string_view key) const { return path_.empty() ? std::string(key) : path_ + "." + std::string(key); }

  std::string Substituted() const { return ctx_->Expand(node_.Scalar(), mark(), path_); }

  // The substituted text of a scalar that is to be read as `what`.
  std::string Scalar(std::string_view what) const {
    if (!node_.IsScalar()) Fail(fmt::format("expected {}, got {}", what, Describe(node_)));
    return Substituted();
  }

  // " (from \"${x}\")" when substitution changed the text, so the message shows both.
  std::string FromNote(const std::string& text) const {
    return text == node_.Scalar() ? std::string() : fmt::format(" (from {})", Quoted(node_.Scalar()));
  }

  [[noreturn]] void FailConversion(std::string_view expected, const std::string& text) const {
    Fail(fmt::format("expected {}, got {}{}", expected, Quoted(text), FromNote(text)));
  }

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

  std::optional<Reader> Get(std::string_view key) const {
    for (const auto& e : entries_) {
      if (e.key == key) return e.value;
    }
    return std::nullopt;
  }

  // A key that must be present; its absence is an error at the mapping.
  Reader Require(std::string_view key) const {
    if (auto r = Get(key)) return *r;
    self_.Fail(fmt::format("missing required key '{}'", key));
  }

 private:
  Reader self_;
  std::vector<MapEntry> entries_;
};

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
      ctx_->Fail(key.Mark(), path_, fmt::format("unknown key '{}'{}", name, hint));
    }
    for (const auto& earlier : entries) {
      if (earlier.key == name) {
        ctx_->Fail(key.Mark(), path_,
                   fmt::format("duplicate key '{}' (first at line {})", name, ctx_->ToSourceMark(earlier.key_mark).line));
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

// ---------------------------------------------------------------------------------------
// Typed reads with range checks

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

// A path relative to target.url ("/x") or an absolute http:// URL; "" when allow_empty.
std::string PathOrUrl(const Reader& r, bool allow_empty) {
  std::string s = r.String();
  if (s.empty() && allow_empty) return s;
  if (s.starts_with("/") && !HasSpaceOrControl(s)) return s;
  if (IsHttpUrl(s)) return s;
  r.Fail(fmt::format("expected a path starting with '/' or an http:// URL, got {}", Quoted(s)));
}

// ---------------------------------------------------------------------------------------
// gRPC sections (scenario `grpc:`, traffic `grpc:`, phase `grpc:` and the grpc_* faults)

// A YAML value as JSON text, for protobuf's JSON parser. Strings are substituted; a plain
// (unquoted) scalar that reads as a JSON number, true, false or null is written bare, any
// other scalar (and every quoted one) as a JSON string.
nlohmann::json GrpcYamlToJson(const Reader& r) {
  const YAML::Node& node = r.node();
  if (node.IsMap()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, key_mark, value] : r.Entries()) out[key] = GrpcYamlToJson(value);
    return out;
  }
  if (node.IsSequence()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : r.Items()) out.push_back(GrpcYamlToJson(item));
    return out;
  }
  if (!node.IsScalar()) return nullptr;
  std::string text = r.String();
  if (node.Tag() == "?") {
    if (text == "true" || text == "false" || text == "null") return nlohmann::json::parse(text);
    double number = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (!text.empty() && ec == std::errc() && end == text.data() + text.size() && std::isfinite(number)) {
      return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    }
  }
  return text;
}

// One request message: a mapping (YAML or flow JSON) or a string holding a JSON object.
std::string GrpcMessageJson(const Reader& r) {
  if (r.node().IsMap()) return GrpcYamlToJson(r).dump();
  if (!r.node().IsScalar()) r.Fail(fmt::format("expected a mapping (the request message), got {}", Describe(r.node())));
  const std::string text = r.String();
  const auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    r.Fail(fmt::format("expected a mapping or a JSON object such as '{{\"name\": \"x\"}}', got {}", Quoted(text)));
  }
  return parsed.dump();
}

// "package.Service/Method" (a leading '/' is dropped); anything else is an error at r.
std::string GrpcMethodName(const Reader& r, std::string text) {
  if (text.starts_with("/")) text.erase(0, 1);
  const size_t slash = text.find('/');
  const bool ok = slash != std::string::npos && slash > 0 && slash + 1 < text.size() &&
                  text.find('/', slash + 1) == std::string::npos && !HasSpaceOrControl(text);
  if (!ok) r.Fail(fmt::format("expected a full method name such as \"package.Service/Method\", got {}", Quoted(text)));
  return text;
}

// gRPC metadata: lower-case keys (letters, digits, '-', '_', '.'), not "grpc-" reserved.
std::vector<std::pair<std::string, std::string>> GrpcMetadata(const Reader& r) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, key_mark, value] : r.Entries()) {
    const bool valid = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || IsAsciiDigit(c) || c == '-' || c == '_' || c == '.';
    });
    if (!valid) {
      r.context().Fail(key_mark, r.path(),
                       fmt::format("invalid metadata key {} (lower-case letters, digits, '-', '_', '.')", Quoted(key)));
    }
    if (key.starts_with("grpc-")) r.context().Fail(key_mark, r.path(), fmt::format("metadata key {} is reserved by gRPC", Quoted(key)));
    std::string text = value.String();
    if (!key.ends_with("-bin") && std::any_of(text.begin(), text.end(), [](char c) { return c < 0x20 || c == 0x7f; })) {
      value.Fail("metadata values must be printable ASCII (use a key ending in -bin for binary values)");
    }
    out.emplace_back(key, std::move(text));
  }
  return out;
}

// A replay file: one JSON object per line, {"method", "metadata"?, "request"? | "requests"?,
// "offset_ms"?}; blank lines and lines starting with '#' are skipped.
std::vector<GrpcRecordedCall> ReadGrpcReplayFile(const Reader& r, const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) r.Fail(fmt::format("cannot read replay file {}", Quoted(file)));
  std::vector<GrpcRecordedCall> calls;
  std::string line;
  int line_number = 0;
  auto fail = [&](const std::string& message) { r.Fail(fmt::format("{}:{}: {}", file, line_number, message)); };
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) fail("expected one JSON object per line");
    GrpcRecordedCall call;
    call.line = line_number;
    for (const auto& [key, value] : j.items()) {
      if (key == "method") {
        if (!value.is_string()) fail("\"method\" must be a string");
        std::string m = value.get<std::string>();
        if (m.starts_with("/")) m.erase(0, 1);
        const size_t slash = m.find('/');
        if (slash == std::string::npos || slash == 0 || slash + 1 == m.size() || m.find('/', slash + 1) != std::string::npos) {
          fail(fmt::format("\"method\": expected \"package.Service/Method\", got {}", Quoted(m)));
        }
        call.method = std::move(m);
      } else if (key == "metadata") {
        if (!value.is_object()) fail("\"metadata\" must be an object of strings");
        for (const auto& [mk, mv] : value.items()) {
          if (!mv.is_string()) fail(fmt::format("\"metadata\".{} must be a string", mk));
          call.metadata.emplace_back(mk, mv.get<std::string>());
        }
      } else if (key == "request") {
        if (!value.is_object()) fail("\"request\" must be a JSON object");
        call.requests.push_back(value.dump());
      } else if (key == "requests") {
        if (!value.is_array() || value.empty()) fail("\"requests\" must be a non-empty array of JSON objects");
        for (const auto& m : value) {
          if (!m.is_object()) fail("\"requests\" must be a non-empty array of JSON objects");
          call.requests.push_back(m.dump());
        }
      } else if (key == "offset_ms") {
        if (!value.is_number() || value.get<double>() < 0) fail("\"offset_ms\" must be a number >= 0");
        call.offset = std::chrono::duration_cast<Duration>(std::chrono::duration<double, std::milli>(value.get<double>()));
      } else {
        std::vector<std::string> known{"method", "metadata", "request", "requests", "offset_ms"};
        fail(fmt::format("unknown key '{}'{}", key, DidYouMean(key, known)));
      }
    }
    if (call.method.empty()) fail("missing \"method\"");
    if (call.requests.empty()) call.requests.push_back("{}");
    if (!calls.empty() && call.offset < calls.back().offset) fail("\"offset_ms\" must not decrease from line to line");
    calls.push_back(std::move(call));
  }
  if (calls.empty()) r.Fail(fmt::format("replay file {} has no calls", Quoted(file)));
  return calls;
}

// A traffic entry's grpc: mapping. `http` holds the entry's HTTP-only keys that were given.
GrpcCall ReadGrpcCall(const Reader& r) {
  const auto m = r.Map({"method", "request", "requests", "messages", "interval", "metadata", "deadline", "replay",
                        "pace", "speed"});
  GrpcCall c;
  const auto replay = m.Get("replay");
  const auto method = m.Get("method");
  if (!replay && !method) r.Fail("needs method: (\"package.Service/Method\") or replay: (a JSON-lines file of calls)");
  if (replay && method) method->Fail("method: and replay: exclude each other (the recording names its methods)");
  if (method) c.method = GrpcMethodName(*method, method->String());
  const auto request = m.Get("request");
  const auto requests = m.Get("requests");
  if (request && requests) requests->Fail("request: and requests: exclude each other");
  if (replay && (request || requests)) (request ? *request : *requests).Fail("a replay takes its requests from the recording");
  if (request) c.requests.push_back(GrpcMessageJson(*request));
  if (requests) {
    const auto items = requests->Items();
    if (items.empty()) requests->Fail("must not be empty (omit it to send one empty message)");
    for (const auto& item : items) c.requests.push_back(GrpcMessageJson(item));
  }
  if (c.requests.empty() && !replay) c.requests.push_back("{}");
  if (const auto v = m.Get("messages")) c.messages = IntAtLeast(*v, 1);
  if (const auto v = m.Get("interval")) c.interval = v->Dur();
  if (const auto v = m.Get("metadata")) c.metadata = GrpcMetadata(*v);
  if (const auto v = m.Get("deadline")) c.deadline = PositiveDuration(*v);
  const auto pace = m.Get("pace");
  const auto speed = m.Get("speed");
  if (!replay && (pace || speed)) (pace ? *pace : *speed).Fail("only with replay:");
  if (replay) {
    c.replay_file = NonEmptyString(*replay);
    c.replay = ReadGrpcReplayFile(*replay, c.replay_file);
    if (pace) {
      const std::string p = pace->String();
      if (p != "rate" && p != "recorded") pace->Fail(fmt::format("expected rate or recorded, got {}", Quoted(p)));
      c.recorded_pace = p == "recorded";
    }
    if (speed) {
      if (!c.recorded_pace) speed->Fail("speed: applies to pace: recorded");
      c.speed = PositiveNumber(*speed);
    }
  }
  return c;
}

// Scenario-level grpc: mapping.
GrpcConfig ReadGrpcConfig(const Reader& r) {
  const auto m = r.Map({"protos", "import_paths", "reflection"});
  GrpcConfig g;
  g.line = r.source_mark().line;
  g.column = r.source_mark().column;
  if (const auto v = m.Get("import_paths")) {
    for (const auto& item : v->Items()) g.import_paths.push_back(NonEmptyString(item));
  }
  if (const auto v = m.Get("protos")) {
    // The files are read (and their errors placed at this grpc: mapping) when a run starts.
    for (const auto& item : v->Items()) g.protos.push_back(NonEmptyString(item));
  }
  if (const auto v = m.Get("reflection")) g.reflection = v->Bool();
  if (g.protos.empty() && !g.reflection) r.Fail("needs protos: (.proto files) or reflection: true");
  return g;
}

// A phase's grpc: mapping.
void ReadGrpcPhase(const Reader& r, GrpcPhase& out) {
  const auto m = r.Map({"connections", "channel_churn"});
  if (const auto v = m.Get("connections")) out.connections = IntAtLeast(*v, 1);
  if (const auto v = m.Get("channel_churn")) out.channel_churn = IntAtLeast(*v, 1);
}

// Names in `r` (a list) that must be traffic entries.
std::vector<std::string> GrpcFaultTraffic(const Reader& r, const std::vector<Traffic>& traffic) {
  std::vector<std::string> known, out;
  for (const auto& t : traffic) known.push_back(t.name);
  const auto items = r.Items();
  if (items.empty()) r.Fail("empty list (omit traffic: to apply to every traffic entry)");
  for (const auto& item : items) {
    std::string name = item.String();
    const auto it = std::find_if(traffic.begin(), traffic.end(), [&](const Traffic& t) { return t.name == name; });
    if (it == traffic.end()) item.Fail(fmt::format("unknown traffic {}{}", Quoted(name), DidYouMean(name, known)));
    if (!it->grpc) item.Fail(fmt::format("traffic {} is not a gRPC call", Quoted(name)));
    out.push_back(std::move(name));
  }
  return out;
}

// A faults: item's grpc_cancel: or grpc_abandon: value.
GrpcFault ReadGrpcFault(const Reader& r, GrpcFault::Kind kind, const std::vector<Traffic>& traffic) {
  GrpcFault f;
  f.kind = kind;
  const auto m = kind == GrpcFault::kCancelAfterMessages ? r.Map({"after_messages", "probability", "traffic"})
                                                         : r.Map({"hold", "probability", "traffic"});
  if (kind == GrpcFault::kCancelAfterMessages) f.after_messages = IntAtLeast(m.Require("after_messages"), 1);
  if (const auto v = m.Get("hold")) f.hold = v->Dur();
  if (const auto v = m.Get("probability")) f.probability = Fraction(*v, "a probability");
  if (const auto v = m.Get("traffic")) f.traffic = GrpcFaultTraffic(*v, traffic);
  if (std::none_of(traffic.begin(), traffic.end(), [](const Traffic& t) { return t.grpc.has_value(); })) {
    r.Fail("gRPC faults need gRPC traffic (traffic entries with grpc:)");
  }
  return f;
}

// After traffic: and grpc: are read: gRPC and HTTP traffic do not mix, and gRPC traffic
// needs the scenario's grpc: (where its message types come from).
void CheckGrpcTraffic(const Reader& root, const std::optional<Reader>& traffic_reader, const Scenario& s) {
  const auto grpc_count = std::count_if(s.traffic.begin(), s.traffic.end(), [](const Traffic& t) { return t.grpc.has_value(); });
  if (grpc_count == 0) return;
  if (grpc_count != static_cast<long>(s.traffic.size())) {
    traffic_reader->Fail("mixes gRPC entries (grpc:) with HTTP requests; use one kind per scenario");
  }
  if (!s.grpc) root.Fail("traffic has gRPC calls: add a top-level grpc: with protos: (and import_paths:) or reflection: true");
}

// HTTP-only faults (reset, slow_send, ...) have no meaning for gRPC calls: an error at the phase.
void CheckGrpcFaults(const Scenario& s) {
  if (!s.grpc || s.traffic.empty() || !s.traffic.front().grpc) return;
  for (size_t i = 0; i < s.phases.size(); ++i) {
    for (const auto& f : s.phases[i].faults) {
      if (f.kind == Fault::kCancel || f.kind == Fault::kDeadline) continue;
      throw ScenarioError(s.phases[i].mark,
                          fmt::format("phases[{}].faults: {} does not apply to gRPC calls (cancel, deadline, grpc_cancel and "
                                      "grpc_abandon do)", i, FaultKindName(f.kind)));
    }
  }
}

// A traffic entry with grpc:: its gRPC call; the HTTP-only keys must be absent.
void ReadGrpcTraffic(const MapReader& m, Traffic& t) {
  const auto grpc = m.Get("grpc");
  if (!grpc) return;
  for (const char* http_key : {"method", "path", "headers", "body", "replay", "csv"}) {
    if (const auto v = m.Get(http_key)) {
      v->Fail(fmt::format("'{}' is for HTTP requests; a gRPC entry (grpc:) sets method:, request:, metadata: inside grpc:", http_key));
    }
  }
  t.grpc = ReadGrpcCall(*grpc);
}

// ---------------------------------------------------------------------------------------
// Sections, top-down

// A vars: value: used as written, except that "$${" stands for "${" as everywhere else. A
// reference ("${x}") is an error rather than passed through, since it would otherwise reach
// the command line unexpanded.
std::string VarValue(const Reader& r) {
  const std::string text = r.Literal();
  std::string out;
  for (size_t i = 0; i < text.size();) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
    } else if (text.compare(i, 2, "${") == 0) {
      r.Fail(fmt::format("vars values cannot refer to variables ({}); use them where the value is used, "
                         "or write \"$${{\" for a literal \"${{\"", Quoted(text)));
    } else {
      out += text[i++];
    }
  }
  return out;
}

// vars: NAME: VALUE, then --var overrides (used exactly as given) on top.
void ReadVars(Context& ctx, const std::optional<Reader>& vars, const LoadOptions& options) {
  if (vars) {
    for (const auto& [name, key_mark, value] : vars->Entries()) {
      if (IsReservedVarName(name)) {
        ctx.Fail(key_mark, vars->path(), fmt::format("'{}' is a built-in variable and cannot be declared", name));
      }
      if (!IsVarName(name)) {
        ctx.Fail(key_mark, vars->path(),
                 fmt::format("invalid variable name '{}' (letters, digits, '_' and '-', starting with a letter or '_')", name));
      }
      ctx.SetVar(name, VarValue(value));
    }
  }
  for (const auto& [name, value] : options.var_overrides) {
    if (IsReservedVarName(name)) ctx.FailUnplaced(fmt::format("--var {}: '{}' is a built-in variable and cannot be set", name, name));
    if (!IsVarName(name)) ctx.FailUnplaced(fmt::format("--var {}: invalid variable name", name));
    ctx.SetVar(name, value);
  }
}

Target ReadTarget(const Reader& r) {
  const auto m = r.Map({"command", "url", "env", "ready", "ready_timeout", "stop_timeout"});
  Target t;
  const auto command = m.Get("command");
  const auto url = m.Get("url");
  if (!command && !url) {
    r.Fail("needs command: (a service for leakgate to start) or url: (a service already running)");
  }
  if (command) {
    const auto items = command->Items();
    if (items.empty()) command->Fail("must not be empty (the first element is the program to run)");
    for (const auto& item : items) t.command.push_back(item.String());
    if (t.command.front().empty()) items.front().Fail("the program to run must not be empty");
  }
  if (url) {
    t.url = url->String();
    if (t.url.starts_with("https://")) url->Fail(fmt::format("only http:// URLs are supported, got {}", Quoted(t.url)));
    if (!IsHttpUrl(t.url)) url->Fail(fmt::format("expected an http:// URL such as http://127.0.0.1:8080, got {}", Quoted(t.url)));
  } else {
    // With only `command`, the started service is expected on ${port}.
    t.url = fmt::format("{}{}", kDefaultTargetHost, r.context().Port("", r.mark(), r.path() + ".url"));
  }
  if (const auto env = m.Get("env")) {
    for (const auto& [name, key_mark, value] : env->Entries()) {
      if (name.empty() || name.find('=') != std::string::npos || name.find('\0') != std::string::npos) {
        r.context().Fail(key_mark, env->path(), fmt::format("invalid environment variable name {}", Quoted(name)));
      }
      t.env[name] = value.String();
    }
  }
  if (const auto ready = m.Get("ready")) t.ready = PathOrUrl(*ready, /*allow_empty=*/true);
  if (const auto v = m.Get("ready_timeout")) t.ready_timeout = PositiveDuration(*v);
  if (const auto v = m.Get("stop_timeout")) t.stop_timeout = v->Dur();
  return t;
}

Probe ReadProbe(const Reader& r) {
  const auto m = r.Map({"pprof", "metrics", "expvar", "heap_profile", "goroutine_leak_profile", "interval",
                        "samples", "force_gc", "timeout"});
  Probe p;
  if (const auto v = m.Get("pprof")) p.pprof = PathOrUrl(*v, /*allow_empty=*/true);
  if (const auto v = m.Get("metrics")) p.metrics = PathOrUrl(*v, /*allow_empty=*/true);
  if (const auto v = m.Get("expvar")) p.expvar = PathOrUrl(*v, /*allow_empty=*/true);
  if (const auto v = m.Get("heap_profile")) p.heap_profile = v->Bool();
  if (const auto v = m.Get("goroutine_leak_profile")) {
    const std::string mode = v->String();
    if (mode == "auto") {
      p.goroutine_leak_profile = Probe::LeakProfile::kAuto;
    } else if (mode == "on" || mode == "true") {
      p.goroutine_leak_profile = Probe::LeakProfile::kOn;
    } else if (mode == "off" || mode == "false") {
      p.goroutine_leak_profile = Probe::LeakProfile::kOff;
    } else {
      v->Fail(fmt::format("expected auto, on or off, got {}", Quoted(mode)));
    }
  }
  if (const auto v = m.Get("interval")) p.interval = PositiveDuration(*v);
  if (const auto v = m.Get("samples")) p.samples = IntAtLeast(*v, 1);
  if (const auto v = m.Get("force_gc")) p.force_gc = v->Bool();
  if (const auto v = m.Get("timeout")) p.timeout = PositiveDuration(*v);
  if (p.pprof.empty() && p.metrics.empty() && p.expvar.empty()) {
    r.Fail("needs at least one source: pprof (the default, \"/debug/pprof\"), metrics or expvar");
  }
  return p;
}

// ---------------------------------------------------------------------------------------
// Request templates ({{...}}), CSV files and replay recordings (traffic)

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

// Parses the per-request variables of `text` (already ${...}-substituted): {{seq}},
// {{uuid}}, {{randint A B}}, {{randstr N}}, {{csv.COLUMN}}; "{{{{" is a literal "{{".
// Errors are placed at `r`.
Template ParseTemplate(const Reader& r, std::string_view text, const std::vector<std::string>& columns) {
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
      r.Fail(fmt::format("unterminated \"{{{{\" in {} (write \"{{{{{{{{\" for a literal \"{{{{\")", Quoted(text)));
    }
    const std::string inner = Trimmed(text.substr(open + 2, close - open - 2));
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
      if (!a || !b || *a > *b) r.Fail(fmt::format("{}: expected {{{{randint A B}}}} with whole numbers A <= B", ref));
      part.kind = TemplatePart::kRandInt;
      part.low = *a;
      part.high = *b;
    } else if (head == "randstr") {
      const auto n = words.size() == 2 ? WholeNumber(words[1]) : std::nullopt;
      if (!n || *n < 1 || *n > 65536) r.Fail(fmt::format("{}: expected {{{{randstr N}}}} with 1 <= N <= 65536", ref));
      part.kind = TemplatePart::kRandStr;
      part.low = *n;
    } else if (head.starts_with("csv.") && words.size() == 1) {
      const std::string column = head.substr(4);
      if (columns.empty()) r.Fail(fmt::format("{} needs csv: (a CSV file) in this traffic entry", ref));
      const auto it = std::find(columns.begin(), columns.end(), column);
      if (it == columns.end()) {
        std::string hint = DidYouMean(column, columns);
        if (hint.empty()) hint = fmt::format(" (columns: {})", Join(columns, ", "));
        r.Fail(fmt::format("{}: no column '{}' in the CSV file{}", ref, column, hint));
      }
      part.kind = TemplatePart::kCsv;
      part.column = static_cast<int>(it - columns.begin());
    } else {
      std::string hint = DidYouMean(head, std::vector<std::string>{"seq", "uuid", "randint", "randstr"});
      r.Fail(fmt::format("unknown template variable {}{} (known: {{{{seq}}}}, {{{{uuid}}}}, {{{{randint A B}}}}, "
                         "{{{{randstr N}}}}, {{{{csv.COLUMN}}}}; \"{{{{{{{{\" is a literal \"{{{{\")",
                         Quoted(ref), hint));
    }
    parts.push_back(std::move(part));
    i = close + 2;
  }
  return parts;
}

std::string ReadWholeFile(const Reader& r, const std::string& path, std::string_view what) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) r.Fail(fmt::format("cannot read {} {}: is a directory", what, Quoted(path)));
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    r.Fail(fmt::format("cannot read {} {}: {}", what, Quoted(path), err != 0 ? std::generic_category().message(err) : "cannot open"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// RFC 4180 CSV: a header line, then rows with as many fields; quoted fields may hold
// commas, "" and line breaks. Errors name the CSV file and line, placed at `r`.
void ReadCsv(const Reader& r, const std::string& path, Traffic& t) {
  const std::string text = ReadWholeFile(r, path, "CSV file");
  std::vector<std::vector<std::string>> records;
  std::vector<int> lines;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, field_started = false;
  int line = 1, record_line = 1;
  auto end_field = [&] {
    record.push_back(std::move(field));
    field.clear();
    field_started = false;
  };
  auto end_record = [&] {
    end_field();
    if (!(record.size() == 1 && record.front().empty())) {  // skip blank lines
      records.push_back(std::move(record));
      lines.push_back(record_line);
    }
    record.clear();
    record_line = line;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
    } else if (c == '"' && !field_started) {
      quoted = field_started = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      ++line;
      end_record();
    } else {
      field += c;
      field_started = true;
    }
  }
  if (quoted) r.Fail(fmt::format("{}:{}: unterminated quoted field", path, record_line));
  if (!field.empty() || !record.empty()) end_record();
  if (records.empty()) r.Fail(fmt::format("{}: the CSV file is empty (it needs a header line and at least one row)", path));
  t.csv_columns = records.front();
  for (const auto& name : t.csv_columns) {
    if (name.empty()) r.Fail(fmt::format("{}:{}: empty column name in the header line", path, lines.front()));
  }
  for (size_t k = 1; k < records.size(); ++k) {
    if (records[k].size() != t.csv_columns.size()) {
      r.Fail(fmt::format("{}:{}: {} fields, but the header line has {}", path, lines[k], records[k].size(), t.csv_columns.size()));
    }
    t.csv_rows.push_back(std::move(records[k]));
  }
  if (t.csv_rows.empty()) r.Fail(fmt::format("{}: the CSV file has a header line but no rows", path));
}

// "http(s)://host[:port]/p?q" → "/p?q"; a path is kept. nullopt when neither.
std::optional<std::string> PathOfUrl(std::string_view url) {
  if (url.starts_with("/")) return std::string(url);
  for (std::string_view scheme : {"http://", "https://"}) {
    if (url.starts_with(scheme)) {
      const auto rest = url.substr(scheme.size());
      const size_t slash = rest.find_first_of("/?");
      if (slash == std::string_view::npos) return std::string("/");
      std::string path(rest.substr(slash));
      if (path.front() == '?') path.insert(path.begin(), '/');
      const size_t hash = path.find('#');
      if (hash != std::string::npos) path.resize(hash);
      return path;
    }
  }
  return std::nullopt;
}

// Headers leakgate writes itself, or that only make sense on the recorded connection.
bool IsManagedHeader(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; });
  return lower == "host" || lower == "content-length" || lower == "connection" || lower == "transfer-encoding" ||
         lower == "keep-alive" || lower == "upgrade" || lower == "te" || lower == "proxy-connection";
}

// Checks one recorded request; `where` is "file:line" or "file: entries[i]".
void CheckRecorded(const Reader& r, const std::string& where, RecordedRequest& req) {
  if (!IsMethod(req.method)) r.Fail(fmt::format("{}: invalid HTTP method {}", where, Quoted(req.method)));
  if (HasSpaceOrControl(req.path)) r.Fail(fmt::format("{}: the path must not contain spaces or control characters: {}", where, Quoted(req.path)));
  std::vector<std::pair<std::string, std::string>> kept;
  for (auto& [name, value] : req.headers) {
    if (name.starts_with(":") || IsManagedHeader(name)) continue;  // HTTP/2 pseudo-headers, hop-by-hop
    if (name.empty() || !std::all_of(name.begin(), name.end(), IsTokenChar)) {
      r.Fail(fmt::format("{}: invalid header name {}", where, Quoted(name)));
    }
    if (value.find_first_of("\r\n") != std::string::npos || value.find('\0') != std::string::npos) {
      r.Fail(fmt::format("{}: header {} has a line break in its value", where, name));
    }
    kept.emplace_back(std::move(name), std::move(value));
  }
  req.headers = std::move(kept);
}

// Headers of a JSON-lines record: {"Name": "v"} or [["Name","v"]] or [{"name":..,"value":..}].
std::vector<std::pair<std::string, std::string>> JsonHeaders(const Reader& r, const std::string& where, const nlohmann::json& h) {
  std::vector<std::pair<std::string, std::string>> out;
  if (h.is_object()) {
    for (const auto& [k, v] : h.items()) {
      if (!v.is_string()) r.Fail(fmt::format("{}: header {} must be a string", where, k));
      out.emplace_back(k, v.get<std::string>());
    }
  } else if (h.is_array()) {
    for (const auto& item : h) {
      if (item.is_array() && item.size() == 2 && item[0].is_string() && item[1].is_string()) {
        out.emplace_back(item[0].get<std::string>(), item[1].get<std::string>());
      } else if (item.is_object() && item.contains("name") && item.contains("value") && item["name"].is_string() &&
                 item["value"].is_string()) {
        out.emplace_back(item["name"].get<std::string>(), item["value"].get<std::string>());
      } else {
        r.Fail(fmt::format("{}: headers items must be [name, value] or {{\"name\": ..., \"value\": ...}}", where));
      }
    }
  } else if (!h.is_null()) {
    r.Fail(fmt::format("{}: headers must be an object or a list", where));
  }
  return out;
}

// JSON lines: one object per line {method, url|path, headers, body, offset_ms}; blank
// lines and lines starting with '#' are skipped.
std::vector<RecordedRequest> ReadJsonLines(const Reader& r, const std::string& path) {
  const std::string text = ReadWholeFile(r, path, "replay file");
  std::vector<RecordedRequest> out;
  std::istringstream in(text);
  int line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (Trimmed(line).empty() || Trimmed(line).front() == '#') continue;
    const std::string where = fmt::format("{}:{}", path, line_no);
    const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) r.Fail(fmt::format("{}: expected one JSON object per line", where));
    for (const auto& [key, value] : j.items()) {
      static const std::vector<std::string> kKeys{"method", "url", "path", "headers", "body", "offset_ms"};
      if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
        r.Fail(fmt::format("{}: unknown key '{}'{}", where, key, DidYouMean(key, kKeys)));
      }
    }
    RecordedRequest req;
    if (j.contains("method")) {
      if (!j["method"].is_string()) r.Fail(fmt::format("{}: method must be a string", where));
      req.method = j["method"].get<std::string>();
    }
    const char* url_key = j.contains("url") ? "url" : j.contains("path") ? "path" : nullptr;
    if (url_key == nullptr) r.Fail(fmt::format("{}: needs \"url\" or \"path\"", where));
    if (!j[url_key].is_string()) r.Fail(fmt::format("{}: {} must be a string", where, url_key));
    const auto p = PathOfUrl(j[url_key].get<std::string>());
    if (!p) r.Fail(fmt::format("{}: {} must be an http(s):// URL or a path starting with '/'", where, url_key));
    req.path = *p;
    if (j.contains("headers")) req.headers = JsonHeaders(r, where, j["headers"]);
    if (j.contains("body")) {
      if (!j["body"].is_string()) r.Fail(fmt::format("{}: body must be a string", where));
      req.body = j["body"].get<std::string>();
    }
    if (j.contains("offset_ms")) {
      if (!j["offset_ms"].is_number() || j["offset_ms"].get<double>() < 0) {
        r.Fail(fmt::format("{}: offset_ms must be a number >= 0", where));
      }
      req.offset = std::chrono::duration_cast<Duration>(std::chrono::duration<double, std::milli>(j["offset_ms"].get<double>()));
    }
    CheckRecorded(r, where, req);
    out.push_back(std::move(req));
  }
  return out;
}

// ISO 8601 "2024-05-01T10:00:00.123Z" / "+02:00" → nanoseconds since the epoch.
std::optional<int64_t> ParseIsoTime(std::string_view s) {
  int y, mo, d, h, mi;
  double sec;
  char tz[16] = {0};
  const std::string str(s);
  if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%lf%15s", &y, &mo, &d, &h, &mi, &sec, tz) < 6) return std::nullopt;
  // Days from civil (Howard Hinnant's algorithm).
  y -= mo <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = static_cast<int64_t>(era) * 146097 + doe - 719468;
  double total = static_cast<double>(days) * 86400.0 + h * 3600.0 + mi * 60.0 + sec;
  const std::string_view zone(tz);
  if (zone.size() >= 6 && (zone[0] == '+' || zone[0] == '-')) {
    const int zh = (zone[1] - '0') * 10 + (zone[2] - '0');
    const int zm = (zone[4] - '0') * 10 + (zone[5] - '0');
    total -= (zone[0] == '+' ? 1 : -1) * (zh * 3600.0 + zm * 60.0);
  }
  return static_cast<int64_t>(total * 1e9);
}

// HAR 1.2 (browser dev tools export): log.entries[].request{method, url, headers,
// postData.text}; startedDateTime paces the replay.
std::vector<RecordedRequest> ReadHar(const Reader& r, const std::string& path) {
  const std::string text = ReadWholeFile(r, path, "HAR file");
  const auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) r.Fail(fmt::format("{}: not valid JSON", path));
  if (!j.is_object() || !j.contains("log") || !j["log"].is_object() || !j["log"].contains("entries") ||
      !j["log"]["entries"].is_array()) {
    r.Fail(fmt::format("{}: expected a HAR file (an object with log.entries[])", path));
  }
  std::vector<RecordedRequest> out;
  std::optional<int64_t> first;
  const auto& entries = j["log"]["entries"];
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string where = fmt::format("{}: log.entries[{}]", path, i);
    const auto& e = entries[i];
    if (!e.is_object() || !e.contains("request") || !e["request"].is_object()) r.Fail(fmt::format("{}: needs request", where));
    const auto& q = e["request"];
    RecordedRequest req;
    if (!q.contains("method") || !q["method"].is_string() || !q.contains("url") || !q["url"].is_string()) {
      r.Fail(fmt::format("{}: request needs method and url strings", where));
    }
    req.method = q["method"].get<std::string>();
    const auto p = PathOfUrl(q["url"].get<std::string>());
    if (!p) r.Fail(fmt::format("{}: request.url must be an http(s):// URL", where));
    req.path = *p;
    if (q.contains("headers")) req.headers = JsonHeaders(r, where, q["headers"]);
    if (q.contains("postData") && q["postData"].is_object() && q["postData"].contains("text") &&
        q["postData"]["text"].is_string()) {
      req.body = q["postData"]["text"].get<std::string>();
    }
    if (e.contains("startedDateTime") && e["startedDateTime"].is_string()) {
      const auto at = ParseIsoTime(e["startedDateTime"].get<std::string>());
      if (!at) r.Fail(fmt::format("{}: startedDateTime is not an ISO 8601 time", where));
      if (!first) first = *at;
      req.offset = Duration(std::max<int64_t>(0, *at - *first));
    }
    CheckRecorded(r, where, req);
    out.push_back(std::move(req));
  }
  return out;
}

Replay ReadReplay(const Reader& r) {
  Replay replay;
  std::optional<Reader> format;
  if (r.IsMap()) {
    const auto m = r.Map({"file", "format", "speed"});
    replay.file = NonEmptyString(m.Require("file"));
    format = m.Get("format");
    if (const auto v = m.Get("speed")) replay.speed = PositiveNumber(*v);
  } else {
    replay.file = NonEmptyString(r);
  }
  if (format) {
    replay.format = format->String();
    if (replay.format != "jsonl" && replay.format != "har") format->Fail(fmt::format("expected jsonl or har, got {}", Quoted(replay.format)));
  } else {
    replay.format = replay.file.ends_with(".har") ? "har" : "jsonl";
  }
  replay.requests = replay.format == "har" ? ReadHar(r, replay.file) : ReadJsonLines(r, replay.file);
  if (replay.requests.empty()) r.Fail(fmt::format("{}: no requests in the recording", replay.file));
  // Replayed in recorded order; an offset earlier than its predecessor's waits for it.
  for (size_t i = 1; i < replay.requests.size(); ++i) {
    replay.requests[i].offset = std::max(replay.requests[i].offset, replay.requests[i - 1].offset);
  }
  return replay;
}

std::vector<Traffic> ReadTraffic(const Reader& r) {
  std::vector<Traffic> out;
  std::map<std::string, int> first_line;  // name → line, for duplicate messages
  for (const auto& item : r.Items()) {
    const auto m = item.Map({"name", "method", "path", "headers", "body", "weight", "csv", "replay", "grpc"});
    Traffic t;
    t.mark = item.source_mark();
    const auto name = m.Require("name");
    t.name = NonEmptyString(name);
    if (const auto [it, inserted] = first_line.emplace(t.name, name.source_mark().line); !inserted) {
      name.Fail(fmt::format("duplicate traffic name {} (first at line {})", Quoted(t.name), it->second));
    }
    if (m.Get("grpc")) {
      ReadGrpcTraffic(m, t);
      if (const auto v = m.Get("weight")) t.weight = PositiveNumber(*v);
      out.push_back(std::move(t));
      continue;
    }
    if (const auto replay = m.Get("replay")) {
      for (const char* key : {"method", "path", "headers", "body", "csv"}) {
        if (const auto v = m.Get(key)) v->Fail(fmt::format("not allowed with replay: (the recording gives each request's {})", key));
      }
      t.replay = ReadReplay(*replay);
      if (const auto v = m.Get("weight")) t.weight = PositiveNumber(*v);
      out.push_back(std::move(t));
      continue;
    }
    if (const auto v = m.Get("csv")) {
      t.csv_file = NonEmptyString(*v);
      ReadCsv(*v, t.csv_file, t);
    }
    if (const auto v = m.Get("method")) {
      t.method = v->String();
      if (!IsMethod(t.method)) {
        std::string upper = t.method;
        std::transform(upper.begin(), upper.end(), upper.begin(), [](char c) { return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c; });
        v->Fail(IsMethod(upper)
                    ? fmt::format("invalid HTTP method {} (methods are case-sensitive: did you mean '{}'?)", Quoted(t.method), upper)
                    : fmt::format("invalid HTTP method {} (expected upper-case letters, digits, '-' or '_', e.g. GET, POST)",
                                  Quoted(t.method)));
      }
    }
    if (const auto v = m.Get("path")) {
      t.path = v->String();
      if (!t.path.starts_with("/")) v->Fail(fmt::format("must start with '/', got {}", Quoted(t.path)));
      t.path_template = ParseTemplate(*v, t.path, t.csv_columns);
      // Spaces may separate a variable's arguments ({{randint 1 9}}), nowhere else.
      for (const auto& part : t.path_template) {
        if (part.kind == TemplatePart::kLiteral && HasSpaceOrControl(part.text)) {
          v->Fail(fmt::format("must not contain spaces or control characters (percent-encode them), got {}", Quoted(t.path)));
        }
      }
    } else {
      t.path_template = ParseTemplate(item, t.path, t.csv_columns);
    }
    if (const auto headers = m.Get("headers")) {
      for (const auto& [header, key_mark, value] : headers->Entries()) {
        if (header.empty() || !std::all_of(header.begin(), header.end(), IsTokenChar)) {
          r.context().Fail(key_mark, headers->path(), fmt::format("invalid header name {}", Quoted(header)));
        }
        std::string text = value.String();
        if (text.find_first_of("\r\n", 0) != std::string::npos || text.find('\0') != std::string::npos) {
          value.Fail("header values must not contain line breaks");
        }
        t.header_templates.push_back(ParseTemplate(value, text, t.csv_columns));
        t.headers.emplace_back(header, std::move(text));
      }
    }
    if (const auto v = m.Get("body")) {
      t.body = v->String();
      t.body_template = ParseTemplate(*v, t.body, t.csv_columns);
    }
    if (const auto v = m.Get("weight")) t.weight = PositiveNumber(*v);
    out.push_back(std::move(t));
  }
  return out;
}

// A duration, or {min: D, max: D} for one drawn uniformly per request.
DurationRange ReadDurationRange(const Reader& r) {
  if (!r.IsMap()) {
    const Duration d = r.Dur();
    return {d, d};
  }
  const auto m = r.Map({"min", "max"});
  const auto lo = m.Require("min");
  const auto hi = m.Require("max");
  DurationRange range{lo.Dur(), hi.Dur()};
  if (range.max < range.min) hi.Fail(fmt::format("must be >= min ({})", FormatDuration(range.min)));
  return range;
}

FaultScope ReadFaultScope(const MapReader& m, const std::vector<Traffic>& traffic) {
  FaultScope scope;
  if (const auto v = m.Get("probability")) scope.probability = Fraction(*v, "a probability");
  if (const auto v = m.Get("traffic")) {
    const auto items = v->Items();
    if (items.empty()) v->Fail("empty list (omit traffic: to apply to every traffic entry)");
    std::vector<std::string> known;
    for (const auto& t : traffic) known.push_back(t.name);
    for (const auto& item : items) {
      std::string name = item.String();
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        std::string hint = DidYouMean(name, known);
        if (hint.empty()) hint = known.empty() ? " (no traffic: is defined)" : fmt::format(" (defined: {})", Join(known, ", "));
        item.Fail(fmt::format("unknown traffic {}{}", Quoted(name), hint));
      }
      scope.traffic.push_back(std::move(name));
    }
  }
  return scope;
}

CancelFault ReadCancel(const Reader& r, const std::vector<Traffic>& traffic) {
  const auto m = r.Map({"after", "probability", "traffic"});
  CancelFault c;
  if (const auto v = m.Get("after")) {
    const auto range = ReadDurationRange(*v);
    c.after = range.min;
    c.after_max = range.max;
  } else {
    c.after_max = c.after;
  }
  const auto scope = ReadFaultScope(m, traffic);
  c.probability = scope.probability;
  c.traffic = scope.traffic;
  return c;
}

const std::initializer_list<std::string_view> kFaultKinds = {
    "cancel", "reset", "slow_send", "slow_read", "abandon_body", "half_close", "truncate_body", "malformed", "deadline",
    "grpc_cancel", "grpc_abandon"};

// Any fault but cancel (ReadCancel).
Fault ReadFault(const Reader& r, std::string_view kind, const std::vector<Traffic>& traffic) {
  Fault f;
  auto positive_bytes = [](const Reader& v) { return static_cast<int64_t>(IntAtLeast(v, 1)); };
  if (kind == "reset") {
    const auto m = r.Map({"after", "probability", "traffic"});
    f.kind = Fault::kReset;
    if (const auto v = m.Get("after")) f.after = ReadDurationRange(*v);
    f.scope = ReadFaultScope(m, traffic);
  } else if (kind == "deadline") {
    const auto m = r.Map({"timeout", "probability", "traffic"});
    f.kind = Fault::kDeadline;
    f.after = ReadDurationRange(m.Require("timeout"));
    f.scope = ReadFaultScope(m, traffic);
  } else if (kind == "slow_send" || kind == "slow_read") {
    const auto m = r.Map({"bytes", "interval", "probability", "traffic"});
    f.kind = kind == "slow_send" ? Fault::kSlowSend : Fault::kSlowRead;
    if (kind == "slow_read") f.bytes = 1024;
    if (const auto v = m.Get("bytes")) f.bytes = positive_bytes(*v);
    if (const auto v = m.Get("interval")) f.interval = PositiveDuration(*v);
    f.scope = ReadFaultScope(m, traffic);
  } else if (kind == "abandon_body" || kind == "half_close") {
    // Written as `abandon_body: {}` or with probability/traffic; a bare key is null and an error.
    const auto m = r.Map({"probability", "traffic"});
    f.kind = kind == "abandon_body" ? Fault::kAbandonBody : Fault::kHalfClose;
    f.scope = ReadFaultScope(m, traffic);
  } else if (kind == "truncate_body") {
    const auto m = r.Map({"keep", "then", "wait", "probability", "traffic"});
    f.kind = Fault::kTruncateBody;
    if (const auto v = m.Get("keep")) {
      f.keep = v->Number();
      if (f.keep < 0 || f.keep >= 1) v->Fail(fmt::format("the share of the body sent must be in [0, 1), got {}", f.keep));
    }
    if (const auto v = m.Get("then")) {
      const std::string then = v->String();
      if (then != "close" && then != "wait") v->Fail(fmt::format("expected close or wait, got {}", Quoted(then)));
      f.then_wait = then == "wait";
    }
    if (const auto v = m.Get("wait")) {
      if (!f.then_wait) v->Fail("only with then: wait");
      f.wait = PositiveDuration(*v);
    }
    f.scope = ReadFaultScope(m, traffic);
  } else if (kind == "malformed") {
    const auto m = r.Map({"kind", "probability", "traffic"});
    f.kind = Fault::kMalformed;
    if (const auto v = m.Get("kind")) {
      f.malformed = v->String();
      const std::vector<std::string> kinds{"request_line", "header", "version"};
      if (std::find(kinds.begin(), kinds.end(), f.malformed) == kinds.end()) {
        v->Fail(fmt::format("expected request_line, header or version, got {}{}", Quoted(f.malformed), DidYouMean(f.malformed, kinds)));
      }
    }
    f.scope = ReadFaultScope(m, traffic);
  }
  return f;
}

// rate: N, or rate: {from: N, to: M} (linear ramp over the phase).
void ReadRate(const Reader& r, Phase& p) {
  if (r.IsMap()) {
    const auto m = r.Map({"from", "to"});
    p.rate = NonNegativeNumber(m.Require("from"));
    p.rate_to = NonNegativeNumber(m.Require("to"));
    if (p.rate == 0 && p.rate_to == 0) r.Fail("a ramp from 0 to 0 sends nothing (omit rate: for an idle phase)");
  } else {
    p.rate = NonNegativeNumber(r);
  }
}

ConnectionPolicy ReadConnections(const Reader& r) {
  const auto m = r.Map({"pool", "per_request", "max"});
  ConnectionPolicy c;
  if (const auto v = m.Get("pool")) c.pool = IntAtLeast(*v, 0);
  if (const auto v = m.Get("per_request")) c.per_request = v->Bool();
  if (const auto v = m.Get("max")) c.max = IntAtLeast(*v, 0);
  return c;
}

std::vector<Phase> ReadPhases(const Reader& r, const std::vector<Traffic>& traffic) {
  const auto items = r.Items();
  if (items.empty()) r.Fail("needs at least one phase");
  std::vector<Phase> out;
  std::map<std::string, int> first_line;
  bool seen_measured = false;
  for (const auto& item : items) {
    const auto m = item.Map({"name", "duration", "rate", "concurrency", "think_time", "replay", "warmup", "max_in_flight",
                             "timeout", "workers", "connections", "faults", "grpc"});
    Phase p;
    p.mark = item.source_mark();
    const auto name = m.Require("name");
    p.name = NonEmptyString(name);
    if (const auto [it, inserted] = first_line.emplace(p.name, name.source_mark().line); !inserted) {
      name.Fail(fmt::format("duplicate phase name {} (first at line {})", Quoted(p.name), it->second));
    }
    p.duration = PositiveDuration(m.Require("duration"));
    const auto rate = m.Get("rate");
    const auto concurrency = m.Get("concurrency");
    const auto replay = m.Get("replay");
    if ((rate ? 1 : 0) + (concurrency ? 1 : 0) + (replay ? 1 : 0) > 1) {
      (concurrency ? *concurrency : *replay).Fail("give one of rate: (open model), concurrency: (closed model) or replay: (recorded pace)");
    }
    if (rate) {
      ReadRate(*rate, p);
      if (p.has_traffic() && traffic.empty()) {
        rate->Fail(p.rate_to >= 0 ? "a rate ramp, but traffic: defines no requests"
                                  : fmt::format("{} requests/s, but traffic: defines no requests", p.rate));
      }
    }
    if (concurrency) {
      p.concurrency = IntAtLeast(*concurrency, 1);
      if (traffic.empty()) concurrency->Fail(fmt::format("{} users, but traffic: defines no requests", p.concurrency));
    }
    if (const auto v = m.Get("think_time")) {
      if (!concurrency) v->Fail("only with concurrency: (the closed model)");
      p.think_time = v->Dur();
    }
    if (replay) {
      p.replay = NonEmptyString(*replay);
      const auto it = std::find_if(traffic.begin(), traffic.end(), [&](const Traffic& t) { return t.name == p.replay; });
      if (it == traffic.end() || !it->replay) {
        std::vector<std::string> known;
        for (const auto& t : traffic) {
          if (t.replay) known.push_back(t.name);
        }
        std::string hint = DidYouMean(p.replay, known);
        if (hint.empty()) hint = known.empty() ? " (no traffic entry has replay:)" : fmt::format(" (replay entries: {})", Join(known, ", "));
        replay->Fail(fmt::format("{} is not a traffic entry with replay:{}", Quoted(p.replay), hint));
      }
    }
    const auto warmup = m.Get("warmup");
    p.warmup = warmup ? warmup->Bool() : (p.name == "warmup" || p.name == "warm-up");
    if (p.warmup && seen_measured) {
      (warmup ? *warmup : name).Fail("warm-up phases run before the baseline is taken and must come before every other phase");
    }
    seen_measured = seen_measured || !p.warmup;
    if (const auto v = m.Get("max_in_flight")) p.max_in_flight = IntAtLeast(*v, 1);
    if (const auto v = m.Get("timeout")) p.timeout = PositiveDuration(*v);
    if (const auto v = m.Get("workers")) p.workers = IntAtLeast(*v, 0);
    if (const auto v = m.Get("connections")) p.connections = ReadConnections(*v);
    if (const auto v = m.Get("grpc")) ReadGrpcPhase(*v, p.grpc);
    if (const auto faults = m.Get("faults")) {
      for (const auto& fault : faults->Items()) {
        const auto fm = fault.Map(kFaultKinds);
        const auto entries = fault.Entries();
        if (entries.size() != 1) {
          fault.Fail(entries.empty() ? "empty fault (one of: cancel, reset, slow_send, slow_read, abandon_body, half_close, "
                                       "truncate_body, malformed, deadline)"
                                     : "one fault per list item (start another item with '-')");
        }
        const auto& [kind, key_mark, value] = entries.front();
        if (kind == "cancel") {
          p.cancel.push_back(ReadCancel(value, traffic));
        } else if (kind == "grpc_cancel" || kind == "grpc_abandon") {
          p.grpc.faults.push_back(
              ReadGrpcFault(value, kind == "grpc_cancel" ? GrpcFault::kCancelAfterMessages : GrpcFault::kAbandon, traffic));
        } else {
          p.faults.push_back(ReadFault(value, kind, traffic));
        }
      }
    }
    out.push_back(std::move(p));
  }
  if (!seen_measured) r.Fail("every phase is a warm-up; at least one phase must run after the baseline");
  return out;
}

}  // namespace

std::string_view FaultKindName(Fault::Kind kind) {
  switch (kind) {
    case Fault::kCancel: return "cancel";
    case Fault::kReset: return "reset";
    case Fault::kSlowSend: return "slow_send";
    case Fault::kSlowRead: return "slow_read";
    case Fault::kAbandonBody: return "abandon_body";
    case Fault::kHalfClose: return "half_close";
    case Fault::kTruncateBody: return "truncate_body";
    case Fault::kMalformed: return "malformed";
    case Fault::kDeadline: return "deadline";
    case Fault::kGrpcCancel: return "grpc_cancel";
    case Fault::kGrpcAbandon: return "grpc_abandon";
  }
  return "unknown";
}

namespace {

// A byte size: a number with an optional unit B, KB, MB, GB (powers of 1000) or KiB, MiB,
// GiB (powers of 1024): "512", "64KiB", "1.5MB". nullopt when `text` is not one.
std::optional<double> ParseByteSize(std::string_view text) {
  static constexpr std::pair<std::string_view, double> kUnits[] = {
      {"KiB", 1024.0}, {"MiB", 1024.0 * 1024}, {"GiB", 1024.0 * 1024 * 1024},
      {"KB", 1e3},     {"MB", 1e6},            {"GB", 1e9},
      {"B", 1.0}};
  double scale = 1;
  for (const auto& [unit, factor] : kUnits) {
    if (text.size() > unit.size() && text.ends_with(unit)) {
      text.remove_suffix(unit.size());
      scale = factor;
      break;
    }
  }
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value * scale;
}

// `{tolerance: 5}`, `{tolerance: "10%"}`, `{relative: 0.1}`, both; for byte-valued
// resources the absolute tolerance may carry a unit ("4MiB").
Tolerance ReadTolerance(const Reader& r, bool bytes) {
  const auto m = r.Map({"tolerance", "relative"});
  const auto tolerance = m.Get("tolerance");
  const auto relative = m.Get("relative");
  if (!tolerance && !relative) r.Fail("needs tolerance: (e.g. 5 or \"10%\") or relative: (e.g. 0.1)");
  Tolerance t;
  if (tolerance) {
    const std::string text = tolerance->String();
    if (bytes && !text.ends_with('%')) {
      const auto size = ParseByteSize(text);
      if (!size) tolerance->Fail(fmt::format("expected a byte size such as 4MiB or 500KB, or a percentage, got {}", Quoted(text)));
      if (*size < 0) tolerance->Fail(fmt::format("must be >= 0, got {}", text));
      t.absolute = *size;
    } else {
      const auto [value, percent] = tolerance->NumberOrPercent();
      if (value < 0) tolerance->Fail(fmt::format("must be >= 0, got {}", value));
      if (percent) {
        t.relative = value / 100;
      } else {
        t.absolute = value;
      }
    }
  }
  if (relative) {
    if (t.relative) relative->Fail("relative tolerance given twice (tolerance: is already a percentage)");
    const auto [value, percent] = relative->NumberOrPercent();
    if (value < 0) relative->Fail(fmt::format("must be >= 0, got {}", value));
    t.relative = percent ? value / 100 : value;
  }
  return t;
}

// assert.ignore: a list of {top: F}, {any: F} or {created_by: F} (one key each).
std::vector<IgnoreRule> ReadIgnoreRules(const Reader& r) {
  std::vector<IgnoreRule> rules;
  for (const Reader& item : r.Items()) {
    const auto entries = item.Map({"top", "any", "created_by"});
    IgnoreRule rule;
    int keys = 0;
    if (const auto v = entries.Get("top")) {
      rule.kind = IgnoreRule::Kind::kTopFunction;
      rule.function = NonEmptyString(*v);
      ++keys;
    }
    if (const auto v = entries.Get("any")) {
      rule.kind = IgnoreRule::Kind::kAnyFunction;
      rule.function = NonEmptyString(*v);
      ++keys;
    }
    if (const auto v = entries.Get("created_by")) {
      rule.kind = IgnoreRule::Kind::kCreatedBy;
      rule.function = NonEmptyString(*v);
      ++keys;
    }
    if (keys != 1) item.Fail("an ignore rule has exactly one of top:, any:, created_by: (a function, or a prefix ending in '*')");
    rule.mark = item.source_mark();
    rules.push_back(std::move(rule));
  }
  return rules;
}

bool NeedsStartedProcess(std::string_view resource) {
  return resource == "fds" || resource == "sockets" || resource == "threads" || resource == "rss_bytes";
}

Assert ReadAssert(const std::optional<Reader>& r, const Target& target, const Probe& probe) {
  Assert a;
  if (r) {
    const auto m = r->Map({"settle", "goroutines", "heap_inuse_bytes", "heap_objects", "fds", "sockets", "threads",
                           "rss_bytes", "cycles", "ignore", "default_ignores", "proven_leaks_fail",
                           "max_error_rate"});
    if (const auto v = m.Get("settle")) a.settle = v->Dur();
    for (const char* resource : kAssertableResources) {
      const auto v = m.Get(resource);
      if (!v) continue;
      const std::string name = resource;
      if (NeedsStartedProcess(name) && target.command.empty() && probe.metrics.empty()) {
        v->Fail(fmt::format("needs target.command (read from /proc/<pid> of the process leakgate starts) "
                            "or probe.metrics (process_* metrics of a running target)"));
      }
      if (name == "sockets" && target.command.empty()) {
        v->Fail("needs target.command: sockets are counted in /proc/<pid>/fd of the process leakgate starts");
      }
      if (name.starts_with("heap_") && !probe.heap_profile && probe.expvar.empty() && probe.metrics.empty()) {
        v->Fail("needs a heap source: probe.heap_profile (default true), probe.expvar or probe.metrics");
      }
      a.resources[name] = ReadTolerance(*v, /*bytes=*/name.ends_with("_bytes"));
    }
    if (const auto v = m.Get("cycles")) a.cycles = IntAtLeast(*v, 1);
    if (const auto v = m.Get("ignore")) a.ignore = ReadIgnoreRules(*v);
    if (const auto v = m.Get("default_ignores")) a.default_ignores = v->Bool();
    if (const auto v = m.Get("proven_leaks_fail")) a.proven_leaks_fail = v->Bool();
    if (const auto v = m.Get("max_error_rate")) a.max_error_rate = Fraction(*v, "an error rate");
  }
  // A scenario asserts at least something: goroutines, unless it names a resource itself.
  if (a.resources.empty()) a.resources["goroutines"] = Tolerance{kDefaultGoroutineTolerance, std::nullopt};
  return a;
}

Scenario ReadScenario(Context& ctx, const Reader& root, const LoadOptions& options) {
  const auto m = root.Map({"name", "description", "vars", "target", "probe", "traffic", "phases", "assert", "grpc"});
  Scenario s;
  ReadVars(ctx, m.Get("vars"), options);
  s.name = NonEmptyString(m.Require("name"));
  if (const auto v = m.Get("description")) s.description = v->String();
  s.target = ReadTarget(m.Require("target"));
  if (const auto v = m.Get("probe")) s.probe = ReadProbe(*v);
  if (const auto v = m.Get("traffic")) s.traffic = ReadTraffic(*v);
  if (const auto v = m.Get("grpc")) s.grpc = ReadGrpcConfig(*v);
  CheckGrpcTraffic(root, m.Get("traffic"), s);
  s.phases = ReadPhases(m.Require("phases"), s.traffic);
  CheckGrpcFaults(s);
  s.assertions = ReadAssert(m.Get("assert"), s.target, s.probe);
  s.vars = ctx.vars();
  s.ports = ctx.ports();
  return s;
}

// "file:line:col: message", or "file: message" without a position.
std::string WhatOf(const SourceMark& mark, const std::string& message) {
  const std::string where = mark.str();
  return where.empty() ? message : where + ": " + message;
}

}  // namespace

ScenarioError::ScenarioError(SourceMark mark, std::string message)
    : std::runtime_error(WhatOf(mark, message)), mark_(std::move(mark)), message_(std::move(message)) {}

namespace {

// Records where each YAML document's first node is; ignores everything else. A document
// whose first node is not past the previous one's (the parser did not advance, as on a
// stray ',') is not counted.
class DocumentMarks : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> starts;
  void OnDocumentStart(const YAML::Mark&) override { pending_ = true; }
  void OnDocumentEnd() override { pending_ = false; }
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { Node(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { Node(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override { Node(mark); }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    Node(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    Node(mark);
  }
  void OnMapEnd() override {}

 private:
  void Node(const YAML::Mark& mark) {
    if (!pending_) return;
    pending_ = false;
    if (starts.empty() || mark.pos > starts.back().pos) starts.push_back(mark);
  }
  bool pending_ = false;
};

// The position of the first character that is neither blank nor in a comment, if any.
std::optional<YAML::Mark> FirstContent(std::string_view text) {
  YAML::Mark mark;
  mark.pos = 0;
  mark.line = 0;
  mark.column = 0;
  bool in_comment = false;
  for (const char c : text) {
    if (c == '\n') {
      in_comment = false;
      ++mark.line;
      mark.column = 0;
    } else {
      if (c == '#') in_comment = true;
      if (!in_comment && c != ' ' && c != '\t' && c != '\r') return mark;
      ++mark.column;
    }
    ++mark.pos;
  }
  return std::nullopt;
}

}  // namespace

Scenario ParseScenario(std::string_view yaml, const std::string& file_name, const LoadOptions& options) {
  Context ctx(file_name, options);
  // Not YAML::LoadAll: yaml-cpp 0.7's LoadAll never returns when a document starts with a
  // stray ',' (found by fuzz_scenario_loader). YAML::Load reads the first document; a
  // second one is looked for with a bounded number of parser steps.
  YAML::Node root;
  const std::string text(yaml);
  try {
    root = YAML::Load(text);
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentMarks marks;
    for (int i = 0; i < 2 && parser.HandleNextDocument(marks); ++i) {
    }
    if (marks.starts.size() > 1) ctx.Fail(marks.starts[1], "", "only one YAML document per scenario file");
  } catch (const YAML::Exception& e) {
    throw ScenarioError(ctx.ToSourceMark(e.mark), "invalid YAML: " + e.msg);
  }
  if (root.IsNull()) {
    if (const auto content = FirstContent(text)) {
      ctx.Fail(*content, "", "expected a mapping at the top level (name:, target:, phases:, ...)");
    }
    ctx.FailUnplaced("the scenario file is empty");
  }
  if (!root.IsMap()) {
    ctx.Fail(root.Mark(), "", fmt::format("expected a mapping at the top level (name:, target:, phases:, ...), got {}", Describe(root)));
  }
  try {
    Scenario scenario = ReadScenario(ctx, Reader(ctx, root, "", root.Mark()), options);
    scenario.file = file_name;
    return scenario;
  } catch (const YAML::Exception& e) {
    // Not expected (the readers check node types first); kept so nothing escapes untyped.
    throw ScenarioError(ctx.ToSourceMark(e.mark), "invalid YAML: " + e.msg);
  }
}

Scenario LoadScenarioFile(const std::string& path, const LoadOptions& options) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw ScenarioError(SourceMark{path, 0, 0}, "cannot read scenario file: is a directory");
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    throw ScenarioError(SourceMark{path, 0, 0},
                        fmt::format("cannot read scenario file: {}", err != 0 ? std::generic_category().message(err) : "cannot open"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ScenarioError(SourceMark{path, 0, 0}, "cannot read scenario file: read error");
  return ParseScenario(text.str(), path, options);
}

}  // namespace leakgate::scenario
