// libFuzzer target for the scenario loader (harness/scenario/scenario_loader.h): any text
// given as a scenario file either loads or throws ScenarioError — never another exception
// (yaml-cpp's own, std::out_of_range, ...), never a crash — and an error's what() always
// starts with the file name, so the user is told where to look.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "harness/scenario/scenario_loader.h"

namespace {

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  leakgate::scenario::LoadOptions options;
  options.allocate_port = [n = 20000]() mutable { return n++; };
  options.var_overrides = {{"mode", "fixed"}};
  try {
    const auto s = leakgate::scenario::ParseScenario(text, "fuzz.yaml", options);
    Check(!s.name.empty());
    Check(!s.phases.empty());
    Check(!s.assertions.resources.empty());
  } catch (const leakgate::scenario::ScenarioError& e) {
    Check(std::string_view(e.what()).starts_with("fuzz.yaml"));
  }
  return 0;
}
