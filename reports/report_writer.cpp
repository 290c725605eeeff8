#include "reports/report_writer.h"

#include <filesystem>
#include <functional>
#include <stdexcept>

#include "reports/csv_report.h"
#include "reports/html_report.h"
#include "reports/json_report.h"
#include "reports/junit_report.h"
#include "reports/markdown_report.h"

namespace leakgate::reports {

Status WriteReports(const std::string& dir, const RunResult& result) {
  const std::pair<std::string_view, std::function<std::string(const RunResult&)>> writers[] = {
      {kResultJsonFile, RenderJson},
      {kHtmlReportFile, RenderHtmlReport},
      {kJunitFile, RenderJunitXml},
      {kSummaryFile, RenderMarkdownSummary},
      {kSamplesFile, RenderSamplesCsv},
  };
  std::string failures;
  for (const auto& [name, render] : writers) {
    const std::string path = (std::filesystem::path(dir) / name).string();
    try {
      WriteFileAtomically(path, render(result));
    } catch (const std::exception& e) {
      // WriteFileAtomically names the path; a renderer's own failure gets it here.
      const std::string what = e.what();
      failures += (failures.empty() ? "" : "; ") +
                  (what.find(path) == std::string::npos ? "cannot write " + path + ": " + what : what);
    }
  }
  if (failures.empty()) return Status::Ok();
  return Status::Internal(failures);
}

}  // namespace leakgate::reports
