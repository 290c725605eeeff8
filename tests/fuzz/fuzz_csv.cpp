// libFuzzer target for the CSV parser (ParseCsv, harness/scenario/traffic_files.h): any
// text either parses or throws ScenarioError (with a printable message) naming the file and a line within the text;
// a parsed table has named columns, at least one row, and every row as many fields as the
// header.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "harness/scenario/traffic_files.h"
#include "tests/fuzz/traffic_file_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using leakgate::fuzz::Check;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string file = "fuzz.csv";
  try {
    const auto table = leakgate::scenario::ParseCsv(text, file);
    Check(!table.columns.empty() && !table.rows.empty());
    for (const auto& name : table.columns) Check(!name.empty());
    for (const auto& row : table.rows) Check(row.size() == table.columns.size());
  } catch (const leakgate::scenario::ScenarioError& e) {
    leakgate::fuzz::CheckFileError(e, text, file, /*lines_allowed=*/true);
  }
  return 0;
}
