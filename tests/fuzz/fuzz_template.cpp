// libFuzzer target for request templates (ParseTemplate, harness/scenario/templates.h).
// The input's first line is a comma-separated list of CSV column names, the rest the
// template text. Any text either parses or throws ScenarioError without a position; parsed
// parts are in canonical form (no empty literal, no two literals in a row), with bounds as
// documented (randint low ≤ high, randstr length in [1, 65536], csv column in range), and
// their literal text never longer than the input. Messages carry no raw control bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/templates.h"
#include "tests/fuzz/traffic_file_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using leakgate::fuzz::Check;
  using leakgate::scenario::TemplatePart;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string_view header = newline == std::string_view::npos ? std::string_view() : input.substr(0, newline);
  const std::string_view text = newline == std::string_view::npos ? input : input.substr(newline + 1);
  std::vector<std::string> columns;
  for (size_t pos = 0; !header.empty() && pos <= header.size();) {
    const size_t comma = std::min(header.find(',', pos), header.size());
    columns.emplace_back(header.substr(pos, comma - pos));
    pos = comma + 1;
  }
  try {
    const auto parts = leakgate::scenario::ParseTemplate(text, columns);
    size_t literal_bytes = 0;
    for (size_t i = 0; i < parts.size(); ++i) {
      const auto& p = parts[i];
      switch (p.kind) {
        case TemplatePart::kLiteral:
          Check(!p.text.empty());
          Check(i == 0 || parts[i - 1].kind != TemplatePart::kLiteral);
          literal_bytes += p.text.size();
          break;
        case TemplatePart::kRandInt: Check(p.low <= p.high); break;
        case TemplatePart::kRandStr: Check(p.low >= 1 && p.low <= 65536); break;
        case TemplatePart::kCsv: Check(p.column >= 0 && static_cast<size_t>(p.column) < columns.size()); break;
        case TemplatePart::kSeq:
        case TemplatePart::kUuid: break;
      }
    }
    Check(literal_bytes <= text.size());
  } catch (const leakgate::scenario::ScenarioError& e) {
    Check(e.mark().file.empty() && e.mark().line == 0);
    Check(std::string_view(e.what()) == e.message() && !e.message().empty());
    leakgate::fuzz::CheckPrintable(e.message());
  }
  return 0;
}
