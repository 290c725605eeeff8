// WriteReports: every report of a run, written into one directory.
//
//   result.json    the machine-readable result (reports/json_report.h, schema in
//                  reports/result.schema.json)
//   report.html    one self-contained page with charts (reports/html_report.h)
//   junit.xml      one test case per assertion, for CI (reports/junit_report.h)
//   summary.md     a short Markdown verdict for CI summaries and PR comments
//                  (reports/markdown_report.h)
//   samples.csv    every probe sample of the timeline (reports/csv_report.h)
//
// Each file is written atomically (a temporary file renamed over it), so a reader never
// sees half a report; a failed write leaves the previous file, if any, in place. All
// files are attempted even when one fails. Works for every verdict, including a partial
// (interrupted) result. Thread-safety: none needed; `result` is only read.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "harness/base/status.h"
#include "reports/run_result.h"

namespace leakgate::reports {

inline constexpr std::string_view kResultJsonFile = "result.json";
inline constexpr std::string_view kHtmlReportFile = "report.html";
inline constexpr std::string_view kJunitFile = "junit.xml";
inline constexpr std::string_view kSummaryFile = "summary.md";
inline constexpr std::string_view kSamplesFile = "samples.csv";
inline constexpr std::array<std::string_view, 5> kReportFiles{kResultJsonFile, kHtmlReportFile, kJunitFile,
                                                              kSummaryFile, kSamplesFile};

// Writes the five files into `dir` (which must exist). OK, or an error whose message
// names every file that could not be written and why ("cannot write DIR/junit.xml: …").
Status WriteReports(const std::string& dir, const RunResult& result);

}  // namespace leakgate::reports
