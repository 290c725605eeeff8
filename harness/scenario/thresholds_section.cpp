#include "harness/scenario/thresholds_section.h"

#include <fmt/format.h>

#include <optional>
#include <string>
#include <variant>

#include "harness/scenario/messages.h"

namespace leakgate::scenario {
namespace {

// Where the threshold text starts relative to the item's mark: past the opening quote of a
// quoted scalar. nullopt when ${...} substitution changed the text, so offsets into it no
// longer match the file (the error is then placed at the item itself).
std::optional<int> TextColumnShift(const Reader& item, const std::string& text) {
  if (item.Literal() != text) return std::nullopt;
  return item.node().Tag() == "!" ? 1 : 0;  // yaml-cpp tags quoted scalars "!", plain ones "?"
}

Threshold ReadOne(const Reader& item, const Phase& phase) {
  const std::string text = item.String();
  auto parsed = ParseThreshold(text);
  if (const auto* e = std::get_if<ThresholdSyntaxError>(&parsed)) {
    const auto shift = TextColumnShift(item, text);
    if (!shift) item.Fail(fmt::format("{} (at character {} of {})", e->message, e->offset + 1, Quoted(text)));
    YAML::Mark at = item.mark();
    at.column += *shift + static_cast<int>(e->offset);
    at.pos += *shift + static_cast<int>(e->offset);
    item.context().Fail(at, item.path(), e->message);
  }
  auto t = std::get<Threshold>(std::move(parsed));
  if (t.metric == Threshold::Metric::kRate && phase.rate <= 0 && phase.rate_to <= 0) {
    item.Fail(fmt::format("{}: rate is the achieved share of the asked rate, and this phase asks none ({}); "
                          "assert req/s instead",
                          Quoted(t.text), phase.concurrency > 0 ? "closed model, concurrency:" : "replay: pace"));
  }
  return t;
}

}  // namespace

std::vector<Threshold> ReadThresholds(const Reader& r, const Phase& phase) {
  if (!phase.has_traffic()) r.Fail("this phase sends no requests, so there is nothing to hold to a threshold");
  std::vector<Threshold> out;
  for (const auto& item : r.Items()) out.push_back(ReadOne(item, phase));
  return out;
}

}  // namespace leakgate::scenario
