// ScenarioError: the one error type of scenario loading, for the YAML file itself and for
// the texts it names (CSV files, recordings, request templates).
//
// Contract: what() is "file:line:col: message", "file:line: message" without a column,
// "file: message" without a line, and just "message" when there is no file (a template,
// parsed apart from any file). Readers of a named text (traffic_files.h) throw it with the
// text's own file and line; the YAML readers catch it and throw it again at the YAML value
// that named the text, so the user sees both positions:
//   "demo.yaml:5:32: traffic[0].replay: rec.jsonl:2: unknown key 'pth'".
// Thread-safety: an immutable value.
#pragma once

#include <stdexcept>
#include <string>

#include "harness/scenario/scenario.h"

namespace leakgate::scenario {

// A scenario file (or a text it names) that cannot be read, parsed or accepted.
// message() is the part after the position and starts with the key path when there is
// one: "phases[1].duration: invalid duration ...".
class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(SourceMark mark, std::string message);
  const SourceMark& mark() const { return mark_; }
  const std::string& message() const { return message_; }

 private:
  SourceMark mark_;
  std::string message_;
};

}  // namespace leakgate::scenario
