// Loading a scenario YAML file (format: scenarios/FORMAT.md) into the plain structs of
// scenario.h: variable substitution, defaults, and validation of every key and value.
//
// Contract: a Scenario returned from here is complete and consistent (every traffic name
// a fault refers to exists, rates ≥ 0, probabilities in [0,1], target.url set, ...), so
// consumers need not re-validate. Anything else throws ScenarioError pointing at the
// offending key or value (ScenarioError, scenario_error.h: "file:line:col: message", or
// "file: message" when there is no position — unreadable file, bad --var override).
//
// This is the public entry point of harness/scenario; the other headers beside it are the
// loader's parts (see scenario_loader.cpp). Thread-safety: loads share no state; any number
// may run at once on different threads.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/scenario.h"
#include "harness/scenario/scenario_error.h"

namespace leakgate::scenario {

struct LoadOptions {
  // From --var NAME=VALUE: replaces vars:NAME; a name not declared under vars: is still
  // allowed (it defines the variable). Reserved names (port, port.*, env.*, scenario_dir)
  // are rejected.
  std::map<std::string, std::string> var_overrides;
  // Returns a free loopback port; called once per distinct ${port} / ${port.NAME} (and for
  // the default target.url). May be empty when the scenario uses no port; using one then
  // is a ScenarioError.
  std::function<int()> allocate_port;
  // From --allow-host: hosts allowed besides safety.allow_hosts. The loader checks the
  // addresses it must (dependency upstreams) against both; entries are checked by the caller.
  std::vector<std::string> allow_hosts;
};

// Reads and parses `path`; Scenario::file is `path` as given. An unreadable file throws
// ScenarioError naming the file.
Scenario LoadScenarioFile(const std::string& path, const LoadOptions& options);

// Parses YAML text; `file_name` is used in messages, for Scenario::file and for
// ${scenario_dir} (its directory, made absolute against the working directory).
Scenario ParseScenario(std::string_view yaml, const std::string& file_name, const LoadOptions& options);

}  // namespace leakgate::scenario
