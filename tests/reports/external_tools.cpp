#include "tests/reports/external_tools.h"

#include <filesystem>
#include <stdexcept>

namespace leakgate::testing {

namespace {

constexpr std::chrono::seconds kToolTimeout{90};

// argv: SCHEMA json|yaml FILE...
constexpr const char* kValidateScript = R"py(
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
if sys.argv[2] == "yaml":
    import yaml
    load = yaml.safe_load
else:
    load = json.load
failed = False
for path in sys.argv[3:]:
    errors = sorted(validator.iter_errors(load(open(path))), key=lambda e: list(map(str, e.path)))
    for e in errors[:30]:
        print(path + ": /" + "/".join(map(str, e.path)) + ": " + e.message)
    failed = failed or bool(errors)
sys.exit(1 if failed else 0)
)py";

constexpr const char* kParseXmlScript = R"py(
import sys, xml.etree.ElementTree as ET
ET.parse(sys.argv[1])
)py";

void Require(const char* tool, const char* package) {
  if (!std::filesystem::exists(tool)) {
    throw std::runtime_error(std::string(tool) + " is missing: install Debian's " + package + " (tools/setup.sh)");
  }
}

ProcessOutcome RunChromium(const std::string& html_path, const std::vector<std::string>& mode) {
  Require(kChromium, "chromium");
  const std::string profile = MakeTempDir("leakgate-chromium");
  std::vector<std::string> argv{kChromium,
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--disable-quic",
                                "--no-first-run",
                                "--disable-background-networking",
                                "--disable-component-update",
                                "--disable-sync",
                                "--disable-extensions",
                                "--hide-scrollbars",
                                "--user-data-dir=" + profile};
  argv.insert(argv.end(), mode.begin(), mode.end());
  argv.push_back("file://" + std::filesystem::absolute(html_path).string());
  auto outcome = RunSubprocess(argv, {"", kToolTimeout, {}});
  std::filesystem::remove_all(profile);
  return outcome;
}

}  // namespace

std::string ResultSchemaPath() { return std::string(LEAKGATE_SOURCE_DIR) + "/reports/result.schema.json"; }

ProcessOutcome ValidateResultJson(const std::string& json_path) {
  return ValidateResultJson(std::vector<std::string>{json_path});
}

namespace {

// Runs kValidateScript over `paths` read as `format` ("json" or "yaml").
ProcessOutcome ValidateAgainstSchema(const std::string& schema, const char* format,
                                     const std::vector<std::string>& paths) {
  Require(kSystemPython, "python3");
  std::vector<std::string> argv{kSystemPython, "-c", kValidateScript, schema, format};
  argv.insert(argv.end(), paths.begin(), paths.end());
  auto outcome = RunSubprocess(argv, {"", kToolTimeout, {}});
  for (const char* module : {"jsonschema", "yaml"}) {
    if (outcome.err.find(std::string("No module named '") + module + "'") != std::string::npos) {
      throw std::runtime_error(std::string("python3-") + module + " is missing: install Debian's python3-" + module +
                               " (tools/setup.sh)");
    }
  }
  return outcome;
}

}  // namespace

ProcessOutcome ValidateResultJson(const std::vector<std::string>& json_paths) {
  return ValidateAgainstSchema(ResultSchemaPath(), "json", json_paths);
}

std::string ScenarioSchemaPath() { return std::string(LEAKGATE_SOURCE_DIR) + "/scenarios/scenario.schema.json"; }

ProcessOutcome ValidateScenarioYaml(const std::vector<std::string>& yaml_paths) {
  return ValidateAgainstSchema(ScenarioSchemaPath(), "yaml", yaml_paths);
}

ProcessOutcome ParseXml(const std::string& xml_path) {
  Require(kSystemPython, "python3");
  return RunSubprocess({kSystemPython, "-c", kParseXmlScript, xml_path}, {"", kToolTimeout, {}});
}

ProcessOutcome ChromiumDumpDom(const std::string& html_path) { return RunChromium(html_path, {"--dump-dom"}); }

ProcessOutcome ChromiumScreenshot(const std::string& html_path, const std::string& png_path, int width, int height) {
  return RunChromium(html_path, {"--screenshot=" + png_path,
                                 "--window-size=" + std::to_string(width) + "," + std::to_string(height)});
}

std::pair<int, int> PngSize(const std::string& png) {
  static constexpr char kSignature[] = "\x89PNG\r\n\x1a\n";
  if (png.size() < 24 || png.compare(0, 8, kSignature, 8) != 0 || png.compare(12, 4, "IHDR") != 0) return {0, 0};
  auto be32 = [&](size_t at) {
    int v = 0;
    for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(png[at + i]);
    return v;
  };
  return {be32(16), be32(20)};
}

}  // namespace leakgate::testing
