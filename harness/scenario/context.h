// Context: what one scenario load shares between its readers — the file name (for every
// message), the variables (vars: and --var), ${...} substitution, and the ports allocated
// for ${port} / ${port.NAME}.
//
// Contract: Expand() substitutes every reference or throws ScenarioError at the given
// position; Port() asks LoadOptions::allocate_port once per distinct name and then returns
// the same port. Fail() always throws. Thread-safety: none; one Context per load, used by
// one thread. Holds a reference to the LoadOptions, which must outlive it.
#pragma once

#include <yaml-cpp/mark.h>

#include <map>
#include <string>
#include <string_view>

#include "harness/scenario/scenario_error.h"
#include "harness/scenario/scenario_loader.h"

namespace leakgate::scenario {

// Variable names: a letter or '_', then letters, digits, '_' or '-'.
bool IsVarName(std::string_view name);

// Built-in variables (port, port.*, env.*, scenario_dir) cannot be declared or overridden.
bool IsReservedVarName(std::string_view name);

class Context {
 public:
  Context(std::string file, const LoadOptions& options);
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  // yaml-cpp marks are 0-based; SourceMark is 1-based, 0 = unknown.
  SourceMark ToSourceMark(const YAML::Mark& mark) const;

  // Throws "file:line:col: path: message" (just "message" after the position at top level).
  [[noreturn]] void Fail(const YAML::Mark& at, std::string_view path, std::string_view message) const;
  // An error without a position in the file (e.g. about a --var override).
  [[noreturn]] void FailUnplaced(std::string message) const;

  void SetVar(const std::string& name, std::string value) { vars_[name] = std::move(value); }
  const std::map<std::string, std::string>& vars() const { return vars_; }
  const std::map<std::string, int>& ports() const { return ports_; }

  // Substitutes every ${...} in `text` (see FORMAT.md, "Variables"); "$${" stands for a
  // literal "${". Substituted values are not scanned again. Errors are placed at `at`.
  std::string Expand(std::string_view text, const YAML::Mark& at, std::string_view path);

  // The port for ${port} (name "") or ${port.NAME}: allocated on first use, then the same.
  int Port(const std::string& name, const YAML::Mark& at, std::string_view path);

 private:
  // The value of the variable reference `name` (the text between "${" and "}").
  std::string Lookup(std::string_view name, const YAML::Mark& at, std::string_view path);

  std::string file_;
  std::string scenario_dir_;
  const LoadOptions& options_;
  std::map<std::string, std::string> vars_;
  std::map<std::string, int> ports_;  // "" for ${port}
};

}  // namespace leakgate::scenario
