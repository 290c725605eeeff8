#include "harness/scenario/context.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <utility>
#include <vector>

#include "harness/scenario/protocol_syntax.h"
#include "harness/scenario/messages.h"

namespace leakgate::scenario {
namespace {

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

}  // namespace

bool IsVarName(std::string_view name) {
  if (name.empty() || !(IsAsciiLetter(name.front()) || name.front() == '_')) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return IsAsciiLetter(c) || IsAsciiDigit(c) || c == '_' || c == '-'; });
}

bool IsReservedVarName(std::string_view name) {
  return name == "port" || name == "scenario_dir" || name.starts_with("port.") || name.starts_with("env.") ||
         name.starts_with("dep.");
}

Context::Context(std::string file, const LoadOptions& options)
    : file_(std::move(file)), scenario_dir_(DirectoryOf(file_)), options_(options) {}

SourceMark Context::ToSourceMark(const YAML::Mark& mark) const {
  if (mark.is_null() || mark.line < 0) return SourceMark{file_, 0, 0};
  return SourceMark{file_, mark.line + 1, mark.column + 1};
}

void Context::Fail(const YAML::Mark& at, std::string_view path, std::string_view message) const {
  throw ScenarioError(ToSourceMark(at), path.empty() ? std::string(message) : fmt::format("{}: {}", path, message));
}

void Context::FailUnplaced(std::string message) const { throw ScenarioError(SourceMark{file_, 0, 0}, std::move(message)); }

std::string Context::Expand(std::string_view text, const YAML::Mark& at, std::string_view path) {
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

int Context::Port(const std::string& name, const YAML::Mark& at, std::string_view path) {
  if (const auto it = ports_.find(name); it != ports_.end()) return it->second;
  const int port = FreshPort(name.empty() ? "${port}" : "${port." + name + "}", at, path);
  ports_.emplace(name, port);
  return port;
}

int Context::FreshPort(std::string_view what, const YAML::Mark& at, std::string_view path) {
  if (!options_.allocate_port) Fail(at, path, fmt::format("{} needs a port, but no port allocator was given", what));
  const int port = options_.allocate_port();
  if (port <= 0 || port > 65535) Fail(at, path, fmt::format("{}: the port allocator returned {}", what, port));
  return port;
}

std::string Context::Lookup(std::string_view name, const YAML::Mark& at, std::string_view path) {
  const std::string ref = fmt::format("${{{}}}", name);
  if (name == "port") return std::to_string(Port("", at, path));
  if (name.starts_with("port.")) {
    const auto port_name = name.substr(5);
    if (!IsVarName(port_name)) Fail(at, path, fmt::format("invalid port name in \"{}\"", Printable(ref)));
    return std::to_string(Port(std::string(port_name), at, path));
  }
  if (name.starts_with("env.")) {
    const std::string env_name(name.substr(4));
    if (env_name.empty()) Fail(at, path, fmt::format("empty environment variable name in \"{}\"", ref));
    const char* value = std::getenv(env_name.c_str());
    if (value == nullptr) Fail(at, path, fmt::format("environment variable {} is not set (used as \"{}\")", Printable(env_name), Printable(ref)));
    return value;
  }
  if (name.starts_with("dep.")) {
    const std::string dep(name.substr(4));
    if (const auto it = dependencies_.find(dep); it != dependencies_.end()) return fmt::format("127.0.0.1:{}", it->second.port);
    std::vector<std::string> known;
    for (const auto& [declared, entry] : dependencies_) known.push_back(declared);
    Fail(at, path, fmt::format("unknown dependency in \"{}\"{}", Printable(ref),
                               known.empty() ? std::string(" (no dependencies: are declared)") : DidYouMean(dep, known)));
  }
  if (name == "scenario_dir") return scenario_dir_;
  if (const auto it = vars_.find(std::string(name)); it != vars_.end()) return it->second;
  if (!IsVarName(name)) Fail(at, path, fmt::format("invalid variable reference \"{}\"", Printable(ref)));
  std::vector<std::string> known;
  for (const auto& [var, value] : vars_) known.push_back(var);
  known.insert(known.end(), {"port", "scenario_dir"});
  const auto best = Closest(name, known);
  const std::string hint = best ? fmt::format(" (did you mean '${{{}}}'?)", *best) : std::string();
  Fail(at, path, fmt::format("undefined variable \"{}\"{}; declare it under vars: or pass --var {}=VALUE", ref, hint, name));
}

}  // namespace leakgate::scenario
