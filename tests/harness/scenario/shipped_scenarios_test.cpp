// The scenarios/ folder as shipped: every file in it (and below it) is a scenario that
// loads, with its leaky and fixed variables, and validates against the JSON Schema for
// editors (scenarios/scenario.schema.json, through Debian's python3-jsonschema and
// python3-yaml), or one of the documents beside them. A file of any other kind fails
// the test, so a new scenario cannot escape validation by its name. The classes of
// ../shared/leak-classes.md that the example targets carry each have a scenario.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "harness/scenario/scenario_error.h"
#include "harness/scenario/scenario_loader.h"
#include "tests/reports/external_tools.h"

namespace leakgate::scenario {
namespace shipped_scenarios_test {

namespace fs = std::filesystem;

const fs::path kScenarioDir = fs::path(LEAKGATE_SOURCE_DIR) / "scenarios";

// Every scenario file under scenarios/ (.yaml or .yml, any depth), sorted; any other file
// that is not one of the documents is added to `strays`.
std::vector<std::string> ShippedScenarios(std::vector<std::string>* strays = nullptr) {
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(kScenarioDir)) {
    if (!entry.is_regular_file()) continue;
    const auto& path = entry.path();
    const auto relative = fs::relative(path, kScenarioDir).string();
    if (path.extension() == ".yaml" || path.extension() == ".yml") {
      files.push_back(path.string());
    } else if (relative != "FORMAT.md" && relative != "scenario.schema.json" && strays != nullptr) {
      strays->push_back(relative);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::map<std::string, std::string> Overrides(const std::string& mode) {
  return mode.empty() ? std::map<std::string, std::string>{} : std::map<std::string, std::string>{{"mode", mode}};
}

TEST(ShippedScenarios, TheFolderHoldsScenariosAndTheirDocumentsOnly) {
  std::vector<std::string> strays;
  const auto files = ShippedScenarios(&strays);
  ASSERT_FALSE(files.empty()) << kScenarioDir << " holds no scenario";
  EXPECT_TRUE(strays.empty()) << "files in scenarios/ that no test validates: " << ::testing::PrintToString(strays)
                              << " (scenarios end in .yaml; add a new kind of file to this test with its check)";
  EXPECT_TRUE(fs::exists(kScenarioDir / "FORMAT.md"));
  EXPECT_TRUE(fs::exists(kScenarioDir / "scenario.schema.json"));
}

TEST(ShippedScenarios, EveryOneLoadsLeakyAndFixed) {
  const auto files = ShippedScenarios();
  ASSERT_FALSE(files.empty());
  for (const auto& file : files) {
    for (const std::string mode : {"", "fixed"}) {
      LoadOptions options;
      options.var_overrides = Overrides(mode);
      options.allocate_port = [next = 40000]() mutable { return next++; };
      try {
        const Scenario s = LoadScenarioFile(file, options);
        EXPECT_FALSE(s.phases.empty()) << file;
        EXPECT_FALSE(s.target.url.empty()) << file;
      } catch (const ScenarioError& e) {
        ADD_FAILURE() << e.what();
      }
    }
  }
}

TEST(ShippedScenarios, EveryOneValidatesAgainstTheSchemaForEditors) {
  const auto files = ShippedScenarios();
  ASSERT_FALSE(files.empty());
  const auto outcome = testing::ValidateScenarioYaml(files);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
}

// The validator above can fail: a scenario the schema rejects (an unknown key, a
// threshold that is no expression) is reported with its JSON pointer.
TEST(ShippedScenarios, TheSchemaRejectsWhatTheLoaderRejects) {
  const std::string dir = testing::MakeTempDir("leakgate-schema");
  const std::string path = dir + "/bad.yaml";
  {
    std::ofstream f(path);
    f << "name: bad\n"
         "target: {url: \"http://127.0.0.1:1\"}\n"
         "traffic: [{name: a, path: /}]\n"
         "phases: [{name: load, duration: 1s, rate: 5, thresholds: [\"p98 < 1s\"], colour: red}]\n";
  }
  const auto outcome = testing::ValidateScenarioYaml({path});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  EXPECT_NE(outcome.out.find("/phases/0/thresholds/0"), std::string::npos) << outcome.out;
  EXPECT_NE(outcome.out.find("colour"), std::string::npos) << outcome.out;
  fs::remove_all(dir);
}

// One scenario per leak class the HTTP example target carries, but for 3 and 8, whose
// dependency faults come with the chaos proxy; class 12 is gRPC (grpc-12-*).
TEST(ShippedScenarios, EveryLeakClassOfTheExamplesHasOne) {
  const auto files = ShippedScenarios();
  for (const char* prefix : {"leak-01-", "leak-02-", "leak-04-", "leak-05-", "leak-06-", "leak-07-", "leak-09-",
                             "leak-10-", "leak-11-", "leak-13-", "leak-14-", "grpc-12-", "demo"}) {
    const bool found = std::any_of(files.begin(), files.end(), [&](const std::string& f) {
      return fs::path(f).filename().string().starts_with(prefix);
    });
    EXPECT_TRUE(found) << "no scenarios/" << prefix << "*.yaml";
  }
}

}  // namespace shipped_scenarios_test
}  // namespace leakgate::scenario
