// libFuzzer target for phase thresholds (ParseThreshold, harness/scenario/threshold.h).
// Any text either parses or yields an error at an offset within the text. A parsed
// threshold's text is a trimmed piece of the input that parses again to the same
// threshold, its limit is finite and within its metric's range (a percentage in [0, 100],
// latencies and req/s ≥ 0), and Holds() agrees with the comparison. Messages carry no raw
// control bytes.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "harness/scenario/threshold.h"
#include "tests/fuzz/traffic_file_checks.h"

namespace {

using leakgate::fuzz::Check;
using leakgate::scenario::Threshold;

void CheckThreshold(const Threshold& t, std::string_view input) {
  Check(!t.text.empty() && input.find(t.text) != std::string_view::npos);
  Check(t.text.front() != ' ' && t.text.back() != ' ' && t.text.front() != '\t' && t.text.back() != '\t');
  Check(std::isfinite(t.limit) && t.limit >= 0);
  if (t.metric == Threshold::Metric::kErrors || t.metric == Threshold::Metric::kRate) Check(t.limit <= 100);
  const bool upper = t.comparison == Threshold::Comparison::kLess || t.comparison == Threshold::Comparison::kLessOrEqual;
  Check(t.Holds(t.limit) == (t.comparison == Threshold::Comparison::kLessOrEqual ||
                             t.comparison == Threshold::Comparison::kGreaterOrEqual));
  Check(t.Holds(std::nextafter(t.limit, INFINITY)) == !upper);
  const auto again = leakgate::scenario::ParseThreshold(t.text);
  const auto* same = std::get_if<Threshold>(&again);
  Check(same != nullptr && same->metric == t.metric && same->comparison == t.comparison && same->limit == t.limit &&
        same->text == t.text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto parsed = leakgate::scenario::ParseThreshold(input);
  if (const auto* t = std::get_if<Threshold>(&parsed)) {
    CheckThreshold(*t, input);
  } else {
    const auto& e = std::get<leakgate::scenario::ThresholdSyntaxError>(parsed);
    Check(e.offset <= input.size());
    Check(!e.message.empty());
    leakgate::fuzz::CheckPrintable(e.message);
  }
  return 0;
}
