// summary.md: headline, assertion table, top leak groups with folded stacks, load table,
// and Markdown that no string can break.
#include "reports/markdown_report.h"

#include <gtest/gtest.h>

#include "tests/reports/sample_results.h"
#include "tests/reports/markup_search.h"

namespace leakgate::reports {
namespace markdown_report_test {

TEST(MarkdownSummary, HeadlineAssertionsLeaksAndLoad) {
  const auto md = RenderMarkdownSummary(testing::FullResult());
  EXPECT_TRUE(md.starts_with("## ❌ leakgate FAIL: blocked-send\n")) << md;
  EXPECT_NE(md.find("exit code 1 · 14.5 s"), std::string::npos);
  EXPECT_NE(md.find("| ❌ | goroutines | 4 | 304 | 9 |\n"), std::string::npos) << md;
  EXPECT_NE(md.find("| ✅ | heap\\_inuse\\_bytes | 2.0 MiB | 6.0 MiB | 8.0 MiB |\n"), std::string::npos) << md;
  EXPECT_NE(md.find("| 300 | main.blockedSend.func1 | chan send | main.blockedSend | route=/leak/blocked-send, tenant=7 |"),
            std::string::npos) << md;
  EXPECT_NE(md.find("<details><summary>stack of 300 × main.blockedSend.func1</summary>\n\n```\nruntime.gopark"),
            std::string::npos) << md;
  EXPECT_NE(md.find("### Goroutines proven leaked by the runtime"), std::string::npos);
  EXPECT_NE(md.find("| main.unboundedCache |"), std::string::npos);
  EXPECT_NE(md.find("| 10 | socket |"), std::string::npos);
  EXPECT_NE(md.find("| load #1 | 200.0 | 600 | 590 | 10 | 300 | 1.20 | 9.80 | 33.00 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| warmup (warm-up) |"), std::string::npos) << md;
}

TEST(MarkdownSummary, AtMostFiveLeakGroups) {
  auto r = testing::FullResult();
  while (r.leaks.size() < 8) r.leaks.push_back(r.leaks.front());
  const auto md = RenderMarkdownSummary(r);
  EXPECT_NE(md.find("### Leaked goroutines (top 5 of 8)"), std::string::npos);
  EXPECT_EQ(testing::CountOf(md, "<details>"), 5u + 1u) << "five grown groups and the proven one";
}

// `md` without the content of its fenced code blocks (shown literally, never as markup).
std::string OutsideCodeBlocks(const std::string& md) {
  std::string out, fence;
  size_t start = 0;
  while (start < md.size()) {
    const size_t end = std::min(md.find('\n', start), md.size());
    const std::string line = md.substr(start, end - start);
    if (fence.empty() && line.starts_with("```")) {
      fence = line;
    } else if (!fence.empty() && line == fence) {
      fence.clear();
    } else if (fence.empty()) {
      out += line + "\n";
    }
    start = end + 1;
  }
  return out;
}

TEST(MarkdownSummary, HostileStringsCannotBreakTablesOrInjectHtml) {
  const auto md = RenderMarkdownSummary(testing::HostileResult());
  const auto markup = OutsideCodeBlocks(md);
  EXPECT_LT(markup.size(), md.size() - 100) << "the stacks are in code blocks";
  EXPECT_TRUE(testing::ContainsNoneOf(markup, {"<script", "<img"}));
  EXPECT_NE(markup.find("&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(md.find('\x01'), std::string::npos);
  // Every row of the assertions table still has exactly 6 unescaped pipes.
  const auto table = md.find("| | assertion |");
  ASSERT_NE(table, std::string::npos);
  size_t line_start = table;
  for (int row = 0; row < 6; ++row) {
    const size_t end = md.find('\n', line_start);
    const std::string line = md.substr(line_start, end - line_start);
    size_t pipes = 0;
    for (size_t i = 0; i < line.size(); ++i) pipes += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
    EXPECT_EQ(pipes, 6u) << line;
    line_start = end + 1;
  }
  // A stack holding ``` gets a longer fence.
  EXPECT_NE(md.find("\n````\n"), std::string::npos);
}

TEST(MarkdownSummary, InterruptedAndFailedRunsAreShortAndSayWhy) {
  const auto interrupted = RenderMarkdownSummary(testing::InterruptedResult());
  EXPECT_TRUE(interrupted.starts_with("## ⏹️ leakgate INTERRUPTED")) << interrupted;
  EXPECT_NE(interrupted.find("interrupted; the result is partial"), std::string::npos);
  EXPECT_EQ(interrupted.find("| | assertion |"), std::string::npos);
  const auto failed = RenderMarkdownSummary(testing::TargetFailedResult());
  EXPECT_TRUE(failed.starts_with("## ⚠️ leakgate ERROR")) << failed;
  EXPECT_NE(failed.find("exit code 3"), std::string::npos);
  EXPECT_EQ(failed.find("### Load"), std::string::npos);
}

}  // namespace markdown_report_test
}  // namespace leakgate::reports
