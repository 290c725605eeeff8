// The assert: section of a scenario file (FORMAT.md, "assert"): settle budget, one
// tolerance per asserted resource (numbers, percentages, byte sizes), cycles, ignore rules
// and the non-leak thresholds.
//
// Contract: returns a validated Assert, with goroutines asserted (tolerance 5) when the
// section names no resource or is absent; a resource the target/probe configuration cannot
// measure (fds without a started process or /metrics, ...) is an error at its key.
// Pure apart from throwing ScenarioError. Thread-safety: none; one load, one thread.
#pragma once

#include <optional>
#include <string_view>

#include "harness/scenario/scenario.h"
#include "harness/scenario/yaml_reader.h"

namespace leakgate::scenario {

// A byte size: a number with an optional unit B, KB, MB, GB (powers of 1000) or KiB, MiB,
// GiB (powers of 1024): "512", "64KiB", "1.5MB". nullopt when `text` is not one.
std::optional<double> ParseByteSize(std::string_view text);

// `r`: the assert: value, if present.
Assert ReadAssert(const std::optional<Reader>& r, const Target& target, const Probe& probe);

}  // namespace leakgate::scenario
