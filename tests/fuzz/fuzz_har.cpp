// libFuzzer target for the HAR parser (ParseHar, harness/scenario/traffic_files.h): any
// text either parses or throws ScenarioError (with a printable message) naming the file (HAR errors name an entry, not
// a line); every parsed request is sendable as-is (see fuzz_jsonl_replay.cpp) with an
// offset ≥ 0, the first one's 0.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "harness/scenario/traffic_files.h"
#include "tests/fuzz/recorded_request_checks.h"
#include "tests/fuzz/traffic_file_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string file = "fuzz.har";
  try {
    const auto requests = leakgate::scenario::ParseHar(text, file);
    for (const auto& req : requests) leakgate::fuzz::CheckRecordedRequest(req);
  } catch (const leakgate::scenario::ScenarioError& e) {
    leakgate::fuzz::CheckFileError(e, text, file, /*lines_allowed=*/false);
  }
  return 0;
}
