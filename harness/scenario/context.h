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

// Built-in variables (port, port.*, env.*, dep.*, scenario_dir) cannot be declared or overridden.
bool IsReservedVarName(std::string_view name);

class Context {
 public:
  Context(std::string file, const LoadOptions& options);
  const LoadOptions& options() const { return options_; }
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

  // A free loopback port from LoadOptions::allocate_port, not tied to a ${port.*} name
  // (the chaos proxy's listeners); `what` names its use in the error.
  int FreshPort(std::string_view what, const YAML::Mark& at, std::string_view path);
  // Declares dependency `name` (dependencies:), so that ${dep.NAME} expands to
  // "127.0.0.1:PORT". Read before every section that may refer to it.
  // `grpc`: a gRPC stub (no http_* fault applies to it).
  void AddDependency(const std::string& name, int port, bool grpc) { dependencies_[name] = {port, grpc}; }
  struct DeclaredDependency {
    int port = 0;
    bool grpc = false;
  };
  const std::map<std::string, DeclaredDependency>& dependencies() const { return dependencies_; }

 private:
  // The value of the variable reference `name` (the text between "${" and "}").
  std::string Lookup(std::string_view name, const YAML::Mark& at, std::string_view path);

  std::string file_;
  std::string scenario_dir_;
  const LoadOptions& options_;
  std::map<std::string, std::string> vars_;
  std::map<std::string, int> ports_;  // "" for ${port}
  std::map<std::string, DeclaredDependency> dependencies_;  // ${dep.NAME} → the proxy's port
};

}  // namespace leakgate::scenario
