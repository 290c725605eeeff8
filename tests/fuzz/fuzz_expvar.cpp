// libFuzzer target for the expvar parser (probes/expvar.h).
//
// Beyond "no crash, no sanitizer report" (nlohmann::json's exceptions must not escape,
// deep nesting must not overflow the stack), it traps when an invariant breaks:
//   * exactly one of snapshot / error is set, and errors start with "expvar: ";
//   * every kept number is finite (names may be anything JSON allows, "" included);
//   * input that is a valid JSON object (by nlohmann::json::accept) always parses;
//   * resources are the memstats mapping plus one "expvar." entry per published number.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "probes/expvar.h"

namespace {

using namespace leakgate::probes;

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

bool StartsObject(std::string_view text) {
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    return c == '{';
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const ExpvarParseResult result = ParseExpvar(text);
  Check(result.snapshot.has_value() == result.error.empty());
  if (!result.snapshot) {
    Check(result.error.rfind("expvar: ", 0) == 0);
    Check(!(StartsObject(text) && nlohmann::json::accept(text.begin(), text.end())));
    return 0;
  }
  const ExpvarSnapshot& s = *result.snapshot;
  for (const auto& [key, value] : s.memstats) Check(std::isfinite(value));
  for (const auto& [key, value] : s.published) Check(std::isfinite(value));
  const auto resources = ExpvarResources(s);
  Check(resources.size() >= s.published.size() && resources.size() <= s.published.size() + 4);
  for (const auto& [key, value] : resources) Check(std::isfinite(value));
  return 0;
}
