#include "harness/scenario/scenario_error.h"

#include <utility>

namespace leakgate::scenario {
namespace {

// "file:line:col: message", or "file: message" without a position, or "message" alone.
std::string WhatOf(const SourceMark& mark, const std::string& message) {
  const std::string where = mark.str();
  return where.empty() ? message : where + ": " + message;
}

}  // namespace

ScenarioError::ScenarioError(SourceMark mark, std::string message)
    : std::runtime_error(WhatOf(mark, message)), mark_(std::move(mark)), message_(std::move(message)) {}

}  // namespace leakgate::scenario
