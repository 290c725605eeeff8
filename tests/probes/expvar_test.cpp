#include "probes/expvar.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

#include "tests/probes/fixture_text.h"

namespace leakgate::probes {
namespace expvar_test {

// The fixture tests/fixtures/expvar/<name>; a missing one fails the test.
#define LOAD_FIXTURE(var, name) LEAKGATE_LOAD_FIXTURE(var, std::string("expvar/") + (name))

// ---- a real /debug/vars page from go1.26.8 ---------------------------------------------

TEST(ExpvarFixtureTest, ParsesMemstatsCmdlineAndPublishedVars) {
  LOAD_FIXTURE(text, "go1.26.vars.json");
  const ExpvarParseResult result = ParseExpvar(text);
  ASSERT_TRUE(result.snapshot.has_value()) << result.error;
  EXPECT_EQ(result.error, "");
  const ExpvarSnapshot& s = *result.snapshot;

  EXPECT_EQ(s.memstats.size(), 27u) << "the numeric scalars of runtime.MemStats";
  EXPECT_EQ(s.memstats.at("HeapInuse"), 19218432);
  EXPECT_EQ(s.memstats.at("HeapObjects"), 14097);
  EXPECT_EQ(s.memstats.at("HeapAlloc"), 18175056);
  EXPECT_EQ(s.memstats.at("NumGC"), 7);
  EXPECT_EQ(s.memstats.at("Sys"), 30251272);
  EXPECT_EQ(s.memstats.at("NumForcedGC"), 4);
  EXPECT_EQ(s.memstats.at("GCCPUFraction"), 0.012428841532436315);
  EXPECT_EQ(s.memstats.at("LastGC"), 1795420548844162872.0);
  EXPECT_EQ(s.memstats.count("PauseNs"), 0u) << "arrays are left out";
  EXPECT_EQ(s.memstats.count("BySize"), 0u);
  EXPECT_EQ(s.memstats.count("EnableGC"), 0u) << "booleans are left out";

  EXPECT_EQ(s.cmdline, (std::vector<std::string>{"./capture-fixtures", "out"}));

  const std::map<std::string, double> published = {
      {"requests_total", 42},
      {"load_factor", 0.75},
      {"handlers.GET /cache", 17},
      {"handlers.POST /items", 3},
      {"handlers.latency_p99_ms", 12.5},
  };
  EXPECT_EQ(s.published, published) << "build_version is a string: left out";
  EXPECT_EQ(s.non_finite, 0u);
}

TEST(ExpvarFixtureTest, Resources) {
  LOAD_FIXTURE(text, "go1.26.vars.json");
  const ExpvarParseResult result = ParseExpvar(text);
  ASSERT_TRUE(result.snapshot.has_value()) << result.error;
  const std::map<std::string, double> expected = {
      {"heap_inuse_bytes", 19218432},
      {"heap_objects", 14097},
      {"heap_alloc_bytes", 18175056},
      {"gc_cycles", 7},
      {"expvar.requests_total", 42},
      {"expvar.load_factor", 0.75},
      {"expvar.handlers.GET /cache", 17},
      {"expvar.handlers.POST /items", 3},
      {"expvar.handlers.latency_p99_ms", 12.5},
  };
  EXPECT_EQ(ExpvarResources(*result.snapshot), expected);
}

TEST(ExpvarFixtureTest, TruncatedPageIsAnErrorNotACrash) {
  LOAD_FIXTURE(text, "go1.26.vars.json");
  for (size_t cut = 0; cut + 1 < text.size(); cut += 13) {
    const ExpvarParseResult result = ParseExpvar(std::string_view(text).substr(0, cut));
    ASSERT_FALSE(result.snapshot.has_value()) << "cut at " << cut;
    ASSERT_NE(result.error.find("expvar: invalid JSON"), std::string::npos) << result.error;
  }
}

// ---- inline pages -----------------------------------------------------------------------

// What go1.26's expvar handler really writes for expvar.Float NaN / ±Inf (captured with
// httptest, memstats removed): not JSON.
constexpr std::string_view kNonFinitePage =
    "{\n"
    "\"cmdline\": [\"/tmp/go-build3092595236/b001/exe/lgnan\"],\n"
    "\"m\": {\"neg\": -Inf, \"ok\": 1},\n"
    "\"ratio_inf\": +Inf,\n"
    "\"ratio_nan\": NaN\n"
    "}\n";

TEST(ExpvarTest, GoNonFiniteFloatsAreDroppedNotFatal) {
  const ExpvarParseResult result = ParseExpvar(kNonFinitePage);
  ASSERT_TRUE(result.snapshot.has_value()) << result.error;
  EXPECT_EQ(result.snapshot->non_finite, 3u);
  const std::map<std::string, double> published = {{"m.ok", 1}};
  EXPECT_EQ(result.snapshot->published, published);
  EXPECT_EQ(result.snapshot->cmdline, (std::vector<std::string>{"/tmp/go-build3092595236/b001/exe/lgnan"}));
}

TEST(ExpvarTest, NonFiniteWordsInsideStringsAreLeftAlone) {
  const ExpvarParseResult result = ParseExpvar(R"({"NaN": 1, "s": "x: NaN, [+Inf", "q": "\"", "v": [NaN, -Inf], "Infinity": 2})");
  ASSERT_TRUE(result.snapshot.has_value()) << result.error;
  EXPECT_EQ(result.snapshot->non_finite, 2u);
  const std::map<std::string, double> published = {{"NaN", 1}, {"Infinity", 2}};
  EXPECT_EQ(result.snapshot->published, published);
  // Not a value position, or a longer word: still invalid JSON.
  EXPECT_FALSE(ParseExpvar(R"({"a": NaNa})").snapshot.has_value());
  EXPECT_FALSE(ParseExpvar(R"({NaN: 1})").snapshot.has_value());
}

TEST(ExpvarTest, NestedMapsFlattenWithDots) {
  const ExpvarParseResult result = ParseExpvar(
      R"({"a": {"b": {"c": 1, "d": "x", "e": [1, 2], "f": true, "g": null}, "h": -2.5e-3},
          "z": 1e+06, "neg": -7, "big": 18446744073709551615, "t": true, "n": null, "arr": [1]})");
  ASSERT_TRUE(result.snapshot.has_value()) << result.error;
  const std::map<std::string, double> published = {
      {"a.b.c", 1}, {"a.h", -2.5e-3}, {"z", 1e6}, {"neg", -7}, {"big", 18446744073709551615.0}};
  EXPECT_EQ(result.snapshot->published, published);
  EXPECT_TRUE(result.snapshot->memstats.empty());
  EXPECT_TRUE(result.snapshot->cmdline.empty());
  EXPECT_EQ(ExpvarResources(*result.snapshot).size(), 5u) << "no memstats: only expvar.* entries";
}

TEST(ExpvarTest, NestingDeeperThanSixteenLevelsIsCut) {
  std::string deep;
  for (int i = 0; i < 20; ++i) deep += "{\"k\": ";
  deep += "1";
  for (int i = 0; i < 20; ++i) deep += "}";
  std::string text = "{\"x\": " + deep + ", \"shallow\": {\"k\": {\"k\": 3}}}";
  const ExpvarParseResult result = ParseExpvar(text);
  ASSERT_TRUE(result.snapshot.has_value()) << result.error;
  const std::map<std::string, double> published = {{"shallow.k.k", 3}};
  EXPECT_EQ(result.snapshot->published, published);
}

TEST(ExpvarTest, VeryDeepArraysDoNotOverflowTheStack) {
  const std::string text = "{\"x\": " + std::string(200000, '[') + std::string(200000, ']') + "}";
  const ExpvarParseResult result = ParseExpvar(text);
  ASSERT_TRUE(result.snapshot.has_value()) << result.error;
  EXPECT_TRUE(result.snapshot->published.empty());
}

TEST(ExpvarTest, MemstatsAndCmdlineOfTheWrongShapeAreIgnored) {
  const ExpvarParseResult result = ParseExpvar(R"({"memstats": 5, "cmdline": ["a", 1, null, "b"]})");
  ASSERT_TRUE(result.snapshot.has_value()) << result.error;
  EXPECT_TRUE(result.snapshot->memstats.empty());
  EXPECT_EQ(result.snapshot->cmdline, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(result.snapshot->published.empty()) << "a non-object memstats is not a published var";
}

TEST(ExpvarTest, MalformedJsonIsAClearError) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"", "expvar: invalid JSON: "},
      {"{", "expvar: invalid JSON: "},
      {"{\"a\": 1,}", "expvar: invalid JSON: "},
      {"<html>502 Bad Gateway</html>", "expvar: invalid JSON: "},
      {"{\"a\": 1} trailing", "expvar: invalid JSON: "},
      {"{\"a\": \"\xff\"}", "expvar: invalid JSON: "},
      {"[1, 2]", "expvar: the top-level JSON value is an array, not an object"},
      {"\"str\"", "expvar: the top-level JSON value is a string, not an object"},
      {"42", "expvar: the top-level JSON value is a number, not an object"},
      {"null", "expvar: the top-level JSON value is null, not an object"},
      {"true", "expvar: the top-level JSON value is a boolean, not an object"},
  };
  for (const auto& [text, error] : cases) {
    const ExpvarParseResult result = ParseExpvar(text);
    EXPECT_FALSE(result.snapshot.has_value()) << text;
    EXPECT_EQ(result.error.substr(0, error.size()), error) << text;
  }
  const ExpvarParseResult result = ParseExpvar("{\"a\": 1,}");
  EXPECT_NE(result.error.find("parse error at line 1, column 9"), std::string::npos) << result.error;
}

}  // namespace expvar_test
}  // namespace leakgate::probes

#undef LOAD_FIXTURE  // file-local (unity batches compile several test files as one)
