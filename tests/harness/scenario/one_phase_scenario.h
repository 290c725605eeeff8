// A scenario around one phase, for loader tests of a phase's keys: line 5 is "  - PHASE",
// so a value at offset k of PHASE is at 5:(5 + k).
#pragma once

#include <string>

#include "harness/scenario/scenario_loader.h"

namespace leakgate::scenario {

inline constexpr int kOnePhaseLine = 5;
inline constexpr int kOnePhaseIndent = 4;  // "  - "

inline Scenario ParseOnePhase(const std::string& phase) {
  LoadOptions options;
  options.allocate_port = [next = 40000]() mutable { return next++; };
  return ParseScenario("name: p\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic: [{name: a, path: /}]\nphases:\n  - " + phase +
                           "\n",
                       "p.yaml", options);
}

}  // namespace leakgate::scenario
