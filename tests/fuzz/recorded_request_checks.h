// What every recorded HTTP request must be after ParseJsonLinesReplay / ParseHar: sendable
// as-is. Shared by fuzz_jsonl_replay and fuzz_har.
#pragma once

#include <algorithm>
#include <string>

#include "harness/scenario/protocol_syntax.h"
#include "harness/scenario/scenario.h"
#include "tests/fuzz/traffic_file_checks.h"

namespace leakgate::fuzz {

inline void CheckRecordedRequest(const scenario::RecordedRequest& req) {
  Check(scenario::IsMethod(req.method));
  Check(req.path.starts_with("/") && !scenario::HasSpaceOrControl(req.path));
  for (const auto& [name, value] : req.headers) {
    Check(!name.empty() && std::all_of(name.begin(), name.end(), scenario::IsTokenChar));
    Check(value.find_first_of(std::string("\r\n\0", 3)) == std::string::npos);
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; });
    Check(lower != "host" && lower != "content-length" && lower != "connection" && lower != "transfer-encoding");
  }
  Check(req.offset >= scenario::Duration::zero());
}

}  // namespace leakgate::fuzz
