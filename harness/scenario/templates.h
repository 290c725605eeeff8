// Request templates (see FORMAT.md, "Request templates"): the per-request variables of a
// traffic entry's path, header values and body — {{seq}}, {{uuid}}, {{randint A B}},
// {{randstr N}}, {{csv.COLUMN}}; "{{{{" is a literal "{{".
//
// Contract: ParseTemplate() is a pure function of its arguments. It returns the parts in
// text order (adjacent literal text merged into one part, "" → no parts), or throws
// ScenarioError without a position whose what() is the message; the caller places it at
// the YAML value (Reader::Placed). It never reads past `text`, and the output holds at most
// one part per "{{" plus one literal per stretch of text.
// Thread-safety: none needed (no state).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/scenario.h"

namespace leakgate::scenario {

// Parses `text` (already ${...}-substituted). `columns`: the header of the entry's CSV
// file ({{csv.COLUMN}} is an error without one, or for a column not in it).
Template ParseTemplate(std::string_view text, const std::vector<std::string>& columns);

// The most bytes one rendering of `t` can take, with {{csv.*}} cells at most
// `longest_csv_cell` bytes: what limits::kRenderedTemplateBytes bounds.
std::uintmax_t LongestRendering(const Template& t, std::size_t longest_csv_cell);

}  // namespace leakgate::scenario
