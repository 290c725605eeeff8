// Test helpers shared by the probe parser tests: reading the fixtures captured from real Go
// runtimes (tests/fixtures, see its README.md), and text transforms.
//
// A fixture that is missing fails the test that needs it (LEAKGATE_LOAD_FIXTURE): the
// fixtures are part of the repository, and tests/fixtures/capture.sh captures them again.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace leakgate::probes::test_support {

// The bytes of LEAKGATE_FIXTURES_DIR/<relative>, or nullopt when the file cannot be read.
inline std::optional<std::string> ReadFixtureFile(const std::string& relative) {
  std::ifstream in(std::filesystem::path(LEAKGATE_FIXTURES_DIR) / relative, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// `text` with every "\n" replaced by "\r\n".
inline std::string WithCrlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

// "go1.26" -> "go1_26": a version as part of a test name, which may not hold dots.
inline std::string TestNameOf(std::string version) {
  for (char& c : version) {
    if (c == '.') c = '_';
  }
  return version;
}

// The name of a test parameterized over fixture directories ("go1.26").
inline std::string VersionTestName(const ::testing::TestParamInfo<std::string>& param) {
  return TestNameOf(param.param);
}

}  // namespace leakgate::probes::test_support

// Declares `const std::string& var` as the text of fixture `relative` (a path under
// tests/fixtures); when the file is missing the test fails here and ends.
#define LEAKGATE_LOAD_FIXTURE(var, relative)                                                        \
  const std::optional<std::string> var##_opt = ::leakgate::probes::test_support::ReadFixtureFile(relative); \
  ASSERT_TRUE(var##_opt.has_value()) << "fixture tests/fixtures/" << (relative)                     \
                                     << " missing: run tests/fixtures/capture.sh";                  \
  const std::string& var = *var##_opt
