// JSON form of a RunResult (result.json). Field names are part of leakgate's interface.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "reports/run_result.h"

namespace leakgate::reports {

nlohmann::json ToJson(const RunResult& result);

// ToJson pretty-printed (two spaces, final newline): the text of result.json. Strings that
// are not valid UTF-8 (bytes from a target) are written with U+FFFD in their place.
std::string RenderJson(const RunResult& result);

// Writes `content` to `path` atomically: a temporary file in the same directory is
// written, flushed and renamed over `path`. Throws std::runtime_error naming the path.
void WriteFileAtomically(const std::string& path, const std::string& content);

// RenderJson + WriteFileAtomically.
void WriteJsonReport(const std::string& path, const RunResult& result);

}  // namespace leakgate::reports
