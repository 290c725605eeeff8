// Scenario loader: the ceilings on what is held in memory whole (limits.h) — the scenario
// file, CSV tables and recordings (checked from the size before reading; a device with no
// size is read only up to the ceiling), and a template's longest rendering.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "harness/scenario/input_file.h"
#include "harness/scenario/limits.h"
#include "harness/scenario/scenario_loader.h"
#include "harness/scenario/templates.h"
#include "tests/harness/scenario/expect_scenario_error.h"
#include "tests/support/subprocess.h"

namespace leakgate::scenario {
namespace file_limits_test {

// A sparse file of `bytes`: its size is seen at once, no disk is used.
std::string SparseFile(const std::string& dir, const std::string& name, std::uintmax_t bytes) {
  const auto path = dir + "/" + name;
  std::ofstream(path) << "a\n";
  std::filesystem::resize_file(path, bytes);
  return path;
}

Scenario ParseWithTraffic(const std::string& traffic_entry) {
  LoadOptions options;
  options.allocate_port = [] { return 40000; };
  return ParseScenario("name: p\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic:\n  - " + traffic_entry +
                           "\nphases: [{name: l, duration: 1s, rate: 1}]\n",
                       "p.yaml", options);
}

// `entry` is refused at `value` (its first occurrence in the entry) with `part` in the message.
void ExpectRefusedAt(const std::string& entry, const std::string& value, const std::string& part) {
  const auto at = entry.find(value);
  ASSERT_NE(at, std::string::npos);
  ExpectScenarioErrorAt([&] { ParseWithTraffic(entry); }, 4, 4 + static_cast<int>(at) + 1, part);
}

TEST(FileLimits, FormatBytesNamesTheUnit) {
  EXPECT_EQ(FormatBytes(312), "312 bytes");
  EXPECT_EQ(FormatBytes(16 << 20), "16 MiB");
  EXPECT_EQ(FormatBytes((std::uintmax_t{3} << 30) / 2), "1.5 GiB");
}

TEST(FileLimits, ScenarioFileBeyondItsCeilingIsRefusedBeforeReading) {
  const auto dir = testing::MakeTempDir("leakgate-limits");
  const auto path = SparseFile(dir, "huge.yaml", limits::kScenarioFileBytes + 1);
  try {
    LoadScenarioFile(path, LoadOptions{});
    ADD_FAILURE() << "loaded";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.mark().file, path);
    EXPECT_NE(std::string(e.what()).find("cannot read scenario file: it is 16.0 MiB, more than 16 MiB (leakgate's ceiling)"),
              std::string::npos)
        << e.what();
  }
}

TEST(FileLimits, RecordingsBeyondTheirCeilingAreRefusedAtTheKey) {
  const auto dir = testing::MakeTempDir("leakgate-limits");
  const auto csv = SparseFile(dir, "rows.csv", limits::kRecordingFileBytes * 2);
  ExpectRefusedAt("{name: a, path: /, csv: \"" + csv + "\"}", "\"" + csv,
                  "traffic[0].csv: cannot read CSV file \"" + csv + "\": it is 512 MiB, more than 256 MiB");
  const auto har = SparseFile(dir, "r.har", limits::kRecordingFileBytes + 1);
  ExpectRefusedAt("{name: a, replay: \"" + har + "\"}", "\"" + har, "traffic[0].replay: cannot read HAR file");
  ExpectRefusedAt("{name: a, replay: \"" + har + "\"}", "\"" + har, "more than 256 MiB (leakgate's ceiling)");
}

// /dev/zero has no size and never ends: it is read up to the ceiling, then refused.
TEST(FileLimits, AFileWithoutASizeIsReadOnlyUpToTheCeiling) {
  ExpectRefusedAt("{name: a, path: /, csv: /dev/zero}", "/dev/zero",
                  "cannot read CSV file \"/dev/zero\": more than 256 MiB (leakgate's ceiling)");
}

TEST(FileLimits, TemplatesRenderingBeyondTheCeilingAreRefusedAtTheValue) {
  std::string body;
  for (int i = 0; i < 300; ++i) body += "{{randstr 65536}}";  // 300 × 64 KiB = 18.75 MiB
  ExpectRefusedAt("{name: a, path: /, body: \"" + body + "\"}", "\"{{",
                  "traffic[0].body: renders up to 18.8 MiB, more than 16 MiB (leakgate's ceiling)");
  std::string fits;
  for (int i = 0; i < 200; ++i) fits += "{{randstr 65536}}";  // 12.5 MiB
  EXPECT_EQ(ParseWithTraffic("{name: a, path: /, body: \"" + fits + "\"}").traffic.at(0).body_template.size(), 200u);
}

TEST(FileLimits, LongestRenderingCountsEveryVariableAtItsWidest) {
  const auto part = [](TemplatePart::Kind kind, int64_t low = 0, int64_t high = 0) {
    TemplatePart p;
    p.kind = kind;
    p.low = low;
    p.high = high;
    return p;
  };
  Template t = {part(TemplatePart::kLiteral), part(TemplatePart::kSeq), part(TemplatePart::kRandInt, -5, 5),
                part(TemplatePart::kRandStr, 100), part(TemplatePart::kUuid), part(TemplatePart::kCsv)};
  t[0].text = "abc";
  EXPECT_EQ(LongestRendering(t, 7), 3u + 20 + 20 + 100 + 36 + 7);
}

}  // namespace file_limits_test
}  // namespace leakgate::scenario
