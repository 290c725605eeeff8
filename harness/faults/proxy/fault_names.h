// Names of dependency fault kinds and directions, as the scenario YAML spells them.
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "harness/scenario/scenario.h"

namespace leakgate::faults::proxy {

// "latency", "bandwidth", ..., "http_slow_body".
std::string_view FaultKindName(scenario::DependencyFault::Kind kind);
// "both", "upstream", "downstream".
std::string_view DirectionName(scenario::DependencyFault::Direction direction);

}  // namespace leakgate::faults::proxy
