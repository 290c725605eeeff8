// The real outside tools that check leakgate's reports in tests: Debian's
// python3-jsonschema (result.json against reports/result.schema.json, and with
// python3-yaml the scenarios against scenarios/scenario.schema.json), Python's XML
// parser (junit.xml is well-formed) and headless Chromium (report.html as a browser
// draws it). A missing tool is a test failure with a message saying what to install
// (tools/setup.sh lists both packages), never a skip.
//
// Every call is bounded by a timeout and uses a fresh Chromium profile directory, with
// networking features off; Chromium only ever opens the file:// URL it is given.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "tests/support/subprocess.h"

namespace leakgate::testing {

inline constexpr const char* kSystemPython = "/usr/bin/python3";
inline constexpr const char* kChromium = "/usr/bin/chromium";

// reports/result.schema.json in the source tree.
std::string ResultSchemaPath();

// Validates the JSON file at `json_path` against the result schema (Draft 2020-12, the
// schema itself checked first).
// exit_code 0 when valid; out lists the violations, each as "PATH: /json/pointer: message".
ProcessOutcome ValidateResultJson(const std::string& json_path);
ProcessOutcome ValidateResultJson(const std::vector<std::string>& json_paths);  // in one interpreter

// scenarios/scenario.schema.json in the source tree.
std::string ScenarioSchemaPath();

// Validates the scenario YAML files against the scenario schema (Draft 2020-12, the schema
// checked first), each read with Debian's python3-yaml; output as ValidateResultJson's.
ProcessOutcome ValidateScenarioYaml(const std::vector<std::string>& yaml_paths);

// Parses `xml_path` with Python's xml.etree; exit_code 0 when well-formed.
ProcessOutcome ParseXml(const std::string& xml_path);

// The DOM of `html_path` as headless Chromium serializes it after loading (--dump-dom).
ProcessOutcome ChromiumDumpDom(const std::string& html_path);

// Renders `html_path` into the PNG `png_path` at `width` × `height` CSS pixels.
ProcessOutcome ChromiumScreenshot(const std::string& html_path, const std::string& png_path, int width, int height);

// Width and height from a PNG's IHDR chunk; {0, 0} when `png` is not a PNG.
std::pair<int, int> PngSize(const std::string& png);

}  // namespace leakgate::testing
