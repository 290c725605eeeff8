// Files a scenario names (the scenario itself, CSV tables, JSON-lines and HAR recordings,
// gRPC replay files), read whole into memory — so each has a ceiling (limits.h) checked
// from its size before a byte is read.
//
// Contract: ReadInputFile() returns the file's bytes, or throws ScenarioError without a
// position, "cannot read WHAT: WHY" (`what` names the file, with its path when the place
// of the error does not): a directory, a file that cannot be opened (the errno text), one
// larger than `ceiling` (its size and the ceiling), a read error. Callers place the error
// at the YAML value that named the file (Reader::Placed).
// Thread-safety: none needed (no state).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace leakgate::scenario {

std::string ReadInputFile(const std::string& path, std::string_view what, std::uintmax_t ceiling);

// "16 MiB", "1.5 GiB", "312 bytes": sizes in messages.
std::string FormatBytes(std::uintmax_t bytes);

}  // namespace leakgate::scenario
