// Test helper for the scenario loader's tests: expects a parse to fail with a
// ScenarioError at a given line and column whose what() contains a given part.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "harness/scenario/scenario_error.h"

namespace leakgate::scenario {

// Runs `parse`; fails the test unless it throws ScenarioError at line:column (1-based)
// with `part` in what().
template <typename Parse>
void ExpectScenarioErrorAt(Parse&& parse, int line, int column, const std::string& part) {
  try {
    parse();
    ADD_FAILURE() << "no error (expected one containing: " << part << ")";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.mark().line, line) << e.what();
    EXPECT_EQ(e.mark().column, column) << e.what();
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

}  // namespace leakgate::scenario
