// libFuzzer target for the gRPC replay parser (ParseGrpcReplay,
// harness/scenario/traffic_files.h): any text either parses or throws ScenarioError (with a printable message) naming
// the file and a line within the text; every parsed call has a "package.Service/Method"
// name, at least one request message that is a JSON object, offsets ≥ 0 that do not
// decrease, and increasing line numbers within the text.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "harness/scenario/protocol_syntax.h"
#include "harness/scenario/traffic_files.h"
#include "tests/fuzz/traffic_file_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using leakgate::fuzz::Check;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string file = "fuzz.jsonl";
  try {
    const auto calls = leakgate::scenario::ParseGrpcReplay(text, file);
    for (size_t i = 0; i < calls.size(); ++i) {
      const auto& call = calls[i];
      Check(leakgate::scenario::IsGrpcMethodShape(call.method));
      Check(!call.requests.empty());
      for (const auto& message : call.requests) Check(nlohmann::json::parse(message, nullptr, false).is_object());
      Check(call.offset >= std::chrono::nanoseconds::zero());
      Check(call.line >= 1 && call.line <= leakgate::fuzz::LineCount(text));
      if (i > 0) Check(call.offset >= calls[i - 1].offset && call.line > calls[i - 1].line);
    }
  } catch (const leakgate::scenario::ScenarioError& e) {
    leakgate::fuzz::CheckFileError(e, text, file, /*lines_allowed=*/true);
    Check(e.mark().line >= 1);
  }
  return 0;
}
