// summary.md: a short Markdown verdict for CI step summaries ($GITHUB_STEP_SUMMARY) and
// pull-request comments (GitHub-flavoured Markdown).
//
// A headline with the verdict (✅ pass, ❌ fail, ⚠️ error, ⏹️ interrupted), the message
// and exit code; a table of assertions (✅/❌, baseline, final, limit); the top leaked
// goroutine groups (at most 5, proven ones after them) with function, state, created-by
// and labels, each stack folded in a <details>; what else grew (top heap sites, fd
// targets); and a per-phase load table. Sections without data are left out.
//
// Every string of the result is escaped for Markdown and inline HTML (table cells: | and
// Markdown punctuation backslash-escaped, < > & as entities, line breaks as spaces;
// stacks: in a code fence longer than any backtick run they hold), so a name cannot
// break the table or inject markup. Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "reports/run_result.h"

namespace leakgate::reports {

std::string RenderMarkdownSummary(const RunResult& result);

// `text` safe inside a GitHub-flavoured Markdown table cell (see above).
std::string EscapeMarkdownCell(std::string_view text);

}  // namespace leakgate::reports
