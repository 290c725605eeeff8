// Invariants shared by the fuzz targets of the traffic-file parsers
// (harness/scenario/traffic_files.h) and of request templates: a broken one traps, so
// libFuzzer records the input as a crash.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

#include "harness/scenario/scenario_error.h"

namespace leakgate::fuzz {

inline void Check(bool ok) {
  if (!ok) __builtin_trap();
}

// Lines of `text` as the parsers count them (a last line without '\n' counts).
inline int LineCount(std::string_view text) {
  const auto newlines = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  return newlines + (text.empty() || text.back() == '\n' ? 0 : 1);
}

// An error of a traffic-file parser names `file`, at a line of `text` (or none), and its
// what() is the position and the (printable) message: "file:line: message", "file: message".
// A message never carries raw control bytes (they are escaped): what() is all of it, and
// nothing from the input can drive the user's terminal.
inline void CheckPrintable(std::string_view message) {
  Check(std::none_of(message.begin(), message.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }));
}

inline void CheckFileError(const scenario::ScenarioError& e, std::string_view text, const std::string& file,
                           bool lines_allowed) {
  Check(e.mark().file == file);
  Check(e.mark().column == 0);
  Check(e.mark().line >= 0 && e.mark().line <= LineCount(text));
  Check(lines_allowed || e.mark().line == 0);
  Check(std::string_view(e.what()).starts_with(e.mark().str() + ": "));
  Check(!e.message().empty());
  CheckPrintable(e.message());
  Check(std::string_view(e.what()) == e.mark().str() + ": " + e.message());
}

}  // namespace leakgate::fuzz
