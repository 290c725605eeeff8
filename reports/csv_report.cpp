#include "reports/csv_report.h"

#include <fmt/format.h>

#include <set>

#include "reports/report_text.h"

namespace leakgate::reports {

std::string RenderSamplesCsv(const RunResult& r) {
  std::set<std::string> columns;
  for (const auto& p : r.timeline) {
    for (const auto& [name, value] : p.values) columns.insert(name);
  }
  std::string out = "t_s,phase";
  for (const auto& c : columns) out += "," + CsvField(c);
  out += "\r\n";
  for (const auto& p : r.timeline) {
    out += fmt::format("{},{}", p.t_s, CsvField(p.phase));
    for (const auto& c : columns) {
      out += ',';
      if (auto v = p.values.find(c); v != p.values.end()) out += fmt::format("{}", v->second);
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace leakgate::reports
