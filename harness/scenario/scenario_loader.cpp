// Scenario loading: YAML → Scenario (see scenarios/FORMAT.md for the format itself).
//
// Structure: a Context holds what one load needs (file name, variables, allocated ports);
// a Reader wraps one YAML value with its key path and position and offers typed reads
// that validate and throw ScenarioError at that value; the Read* functions below walk the
// format top-down, one function per section. Keys are validated per mapping (MapReader),
// so an unknown or misspelt key is always an error.
#include "harness/scenario/scenario_loader.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <sstream>
#include <system_error>
#include <utility>
#include <vector>

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
    const YAML::Node& key = it->first;
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
  const auto m = r.Map({"pprof", "interval", "samples", "force_gc", "timeout"});
  Probe p;
  if (const auto v = m.Get("pprof")) p.pprof = PathOrUrl(*v, /*allow_empty=*/false);
  if (const auto v = m.Get("interval")) p.interval = PositiveDuration(*v);
  if (const auto v = m.Get("samples")) p.samples = IntAtLeast(*v, 1);
  if (const auto v = m.Get("force_gc")) p.force_gc = v->Bool();
  if (const auto v = m.Get("timeout")) p.timeout = PositiveDuration(*v);
  return p;
}

std::vector<Traffic> ReadTraffic(const Reader& r) {
  std::vector<Traffic> out;
  std::map<std::string, int> first_line;  // name → line, for duplicate messages
  for (const auto& item : r.Items()) {
    const auto m = item.Map({"name", "method", "path", "headers", "body", "weight"});
    Traffic t;
    t.mark = item.source_mark();
    const auto name = m.Require("name");
    t.name = NonEmptyString(name);
    if (const auto [it, inserted] = first_line.emplace(t.name, name.source_mark().line); !inserted) {
      name.Fail(fmt::format("duplicate traffic name {} (first at line {})", Quoted(t.name), it->second));
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
      if (HasSpaceOrControl(t.path)) v->Fail(fmt::format("must not contain spaces or control characters (percent-encode them), got {}", Quoted(t.path)));
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
        t.headers.emplace_back(header, std::move(text));
      }
    }
    if (const auto v = m.Get("body")) t.body = v->String();
    if (const auto v = m.Get("weight")) t.weight = PositiveNumber(*v);
    out.push_back(std::move(t));
  }
  return out;
}

CancelFault ReadCancel(const Reader& r, const std::vector<Traffic>& traffic) {
  const auto m = r.Map({"after", "probability", "traffic"});
  CancelFault c;
  if (const auto v = m.Get("after")) c.after = v->Dur();
  if (const auto v = m.Get("probability")) c.probability = Fraction(*v, "a probability");
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
      c.traffic.push_back(std::move(name));
    }
  }
  return c;
}

std::vector<Phase> ReadPhases(const Reader& r, const std::vector<Traffic>& traffic) {
  const auto items = r.Items();
  if (items.empty()) r.Fail("needs at least one phase");
  std::vector<Phase> out;
  std::map<std::string, int> first_line;
  bool seen_measured = false;
  for (const auto& item : items) {
    const auto m = item.Map({"name", "duration", "rate", "warmup", "max_in_flight", "timeout", "workers", "faults"});
    Phase p;
    p.mark = item.source_mark();
    const auto name = m.Require("name");
    p.name = NonEmptyString(name);
    if (const auto [it, inserted] = first_line.emplace(p.name, name.source_mark().line); !inserted) {
      name.Fail(fmt::format("duplicate phase name {} (first at line {})", Quoted(p.name), it->second));
    }
    p.duration = PositiveDuration(m.Require("duration"));
    if (const auto v = m.Get("rate")) {
      p.rate = NonNegativeNumber(*v);
      if (p.rate > 0 && traffic.empty()) v->Fail(fmt::format("{} requests/s, but traffic: defines no requests", p.rate));
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
    if (const auto faults = m.Get("faults")) {
      for (const auto& fault : faults->Items()) {
        const auto fm = fault.Map({"cancel"});
        p.cancel.push_back(ReadCancel(fm.Require("cancel"), traffic));
      }
    }
    out.push_back(std::move(p));
  }
  if (!seen_measured) r.Fail("every phase is a warm-up; at least one phase must run after the baseline");
  return out;
}

Tolerance ReadTolerance(const Reader& r) {
  const auto m = r.Map({"tolerance", "relative"});
  const auto tolerance = m.Get("tolerance");
  const auto relative = m.Get("relative");
  if (!tolerance && !relative) r.Fail("needs tolerance: (e.g. 5 or \"10%\") or relative: (e.g. 0.1)");
  Tolerance t;
  if (tolerance) {
    const auto [value, percent] = tolerance->NumberOrPercent();
    if (value < 0) tolerance->Fail(fmt::format("must be >= 0, got {}", value));
    if (percent) {
      t.relative = value / 100;
    } else {
      t.absolute = value;
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

Assert ReadAssert(const std::optional<Reader>& r, const Target& target) {
  Assert a;
  if (r) {
    const auto m = r->Map({"settle", "goroutines", "fds", "max_error_rate"});
    if (const auto v = m.Get("settle")) a.settle = v->Dur();
    if (const auto v = m.Get("goroutines")) a.goroutines = ReadTolerance(*v);
    if (const auto v = m.Get("fds")) {
      if (target.command.empty()) {
        v->Fail("needs target.command: fds are counted in /proc/<pid>/fd of the process leakgate starts");
      }
      a.fds = ReadTolerance(*v);
    }
    if (const auto v = m.Get("max_error_rate")) a.max_error_rate = Fraction(*v, "an error rate");
  }
  // A scenario asserts at least something: goroutines, unless it names a resource itself.
  if (!a.goroutines && !a.fds) a.goroutines = Tolerance{kDefaultGoroutineTolerance, std::nullopt};
  return a;
}

Scenario ReadScenario(Context& ctx, const Reader& root, const LoadOptions& options) {
  const auto m = root.Map({"name", "description", "vars", "target", "probe", "traffic", "phases", "assert"});
  Scenario s;
  ReadVars(ctx, m.Get("vars"), options);
  s.name = NonEmptyString(m.Require("name"));
  if (const auto v = m.Get("description")) s.description = v->String();
  s.target = ReadTarget(m.Require("target"));
  if (const auto v = m.Get("probe")) s.probe = ReadProbe(*v);
  if (const auto v = m.Get("traffic")) s.traffic = ReadTraffic(*v);
  s.phases = ReadPhases(m.Require("phases"), s.traffic);
  s.assertions = ReadAssert(m.Get("assert"), s.target);
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

Scenario ParseScenario(std::string_view yaml, const std::string& file_name, const LoadOptions& options) {
  Context ctx(file_name, options);
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(yaml));
  } catch (const YAML::Exception& e) {
    throw ScenarioError(ctx.ToSourceMark(e.mark), "invalid YAML: " + e.msg);
  }
  if (documents.empty() || documents.front().IsNull()) ctx.FailUnplaced("the scenario file is empty");
  if (documents.size() > 1) ctx.Fail(documents[1].Mark(), "", "only one YAML document per scenario file");
  const YAML::Node& root = documents.front();
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
