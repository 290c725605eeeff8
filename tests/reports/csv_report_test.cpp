// samples.csv: one row per probe sample, a column per resource seen in any sample.
#include "reports/csv_report.h"

#include <gtest/gtest.h>

#include <sstream>

#include "tests/reports/sample_results.h"

namespace leakgate::reports {
namespace csv_report_test {

std::vector<std::string> Lines(const std::string& csv) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end = csv.find("\r\n"); end != std::string::npos; end = csv.find("\r\n", start)) {
    lines.push_back(csv.substr(start, end - start));
    start = end + 2;
  }
  EXPECT_EQ(start, csv.size()) << "every line ends with CRLF";
  return lines;
}

TEST(SamplesCsv, OneRowPerSampleAndSortedResourceColumns) {
  const auto r = testing::FullResult();
  const auto lines = Lines(RenderSamplesCsv(r));
  ASSERT_EQ(lines.size(), r.timeline.size() + 1);
  EXPECT_EQ(lines[0], "t_s,phase,fds,goroutines,heap_inuse_bytes,rss_bytes");
  EXPECT_EQ(lines[1], "0,warmup,8,4,2097152,20000000");
  EXPECT_EQ(lines[2], "0.25,warmup,,4,2397152,20100000") << "fds missing from this sample: an empty cell";
  EXPECT_EQ(lines[6], "1.25,load,,54,3597152,20500000");
}

TEST(SamplesCsv, QuotesTextAndKeepsColumnsAligned) {
  auto r = testing::FullResult();
  r.timeline[1].phase = "load, \"fast\"";
  const auto lines = Lines(RenderSamplesCsv(r));
  EXPECT_EQ(lines[2], "0.25,\"load, \"\"fast\"\"\",,4,2397152,20100000");
}

TEST(SamplesCsv, NoSamplesGivesTheHeaderAlone) {
  EXPECT_EQ(RenderSamplesCsv(testing::TargetFailedResult()), "t_s,phase\r\n");
}

}  // namespace csv_report_test
}  // namespace leakgate::reports
