// libFuzzer target for the JSON-lines HTTP recording parser (ParseJsonLinesReplay,
// harness/scenario/traffic_files.h): any text either parses or throws ScenarioError (with a printable message) naming
// the file and a line within the text; every parsed request is sendable as-is — a valid
// method, a path starting with '/' without spaces or control bytes, header names that are
// tokens and values without line breaks, none of the headers leakgate writes itself — and
// its offset is ≥ 0.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "harness/scenario/protocol_syntax.h"
#include "harness/scenario/traffic_files.h"
#include "tests/fuzz/recorded_request_checks.h"
#include "tests/fuzz/traffic_file_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string file = "fuzz.jsonl";
  try {
    for (const auto& req : leakgate::scenario::ParseJsonLinesReplay(text, file)) leakgate::fuzz::CheckRecordedRequest(req);
  } catch (const leakgate::scenario::ScenarioError& e) {
    leakgate::fuzz::CheckFileError(e, text, file, /*lines_allowed=*/true);
    leakgate::fuzz::Check(e.mark().line >= 1);
  }
  return 0;
}
