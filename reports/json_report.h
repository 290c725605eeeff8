// JSON form of a RunResult (result.json). Field names are part of leakgate's interface.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "reports/run_result.h"

namespace leakgate::reports {

nlohmann::json ToJson(const RunResult& result);

// Writes `content` to `path` atomically: a temporary file in the same directory is
// written, flushed and renamed over `path`. Throws std::runtime_error naming the path.
void WriteFileAtomically(const std::string& path, const std::string& content);

// ToJson, pretty-printed; bytes that are not UTF-8 (target output) become U+FFFD.
std::string ToJsonText(const RunResult& result);

// ToJsonText + WriteFileAtomically.
void WriteJsonReport(const std::string& path, const RunResult& result);

}  // namespace leakgate::reports
