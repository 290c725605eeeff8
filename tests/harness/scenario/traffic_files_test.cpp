// The traffic-file parsers on their own (harness/scenario/traffic_files.h): pure functions
// over a file's text. Each test states what the parser returns for a text and, for every
// error, that the error names the traffic file and its line (the scenario loader places it
// at the YAML key; tests/harness/scenario/traffic_loader_test.cpp covers that part). The
// HAR input is a real export by Chromium (tests/fixtures/traffic/capture_har.py).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "harness/scenario/scenario_error.h"
#include "harness/scenario/traffic_files.h"

namespace leakgate::scenario {
namespace traffic_files_test {

using namespace std::chrono_literals;

// The ScenarioError that `parse` throws (fails the test when it throws none).
template <typename Parse>
ScenarioError ErrorOf(Parse&& parse) {
  try {
    parse();
  } catch (const ScenarioError& e) {
    return e;
  }
  ADD_FAILURE() << "no error";
  return ScenarioError(SourceMark{}, "");
}

std::string ReadFixture(const std::string& relative) {
  const std::string path = std::string(LEAKGATE_FIXTURES_DIR) + "/" + relative;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "missing fixture " << path << " (capture it with tests/fixtures/traffic/capture_har.py)";
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ParseCsv, QuotedFieldsHoldCommasQuotesAndLineBreaks) {
  const auto t = ParseCsv("id,note\r\n1,\"a, b\"\r\n\r\n2,\"say \"\"hi\"\"\"\n3,\"two\nlines\"\n4,last", "u.csv");
  EXPECT_EQ(t.columns, (std::vector<std::string>{"id", "note"}));
  ASSERT_EQ(t.rows.size(), 4u) << "the blank line is skipped";
  EXPECT_EQ(t.rows[0][1], "a, b");
  EXPECT_EQ(t.rows[1][1], "say \"hi\"");
  EXPECT_EQ(t.rows[2][1], "two\nlines");
  EXPECT_EQ(t.rows[3], (std::vector<std::string>{"4", "last"})) << "a last line without a line break counts";
}

TEST(ParseCsv, ErrorsNameTheFileAndTheRecordsFirstLine) {
  auto e = ErrorOf([] { ParseCsv("a,b\n1,\"x\ny\"\n2\n", "u.csv"); });
  EXPECT_STREQ(e.what(), "u.csv:4: 1 fields, but the header line has 2") << "line 4 although it is the third record";
  EXPECT_EQ(e.mark().file, "u.csv");
  EXPECT_EQ(e.mark().line, 4);
  e = ErrorOf([] { ParseCsv("a,b\n1,2\n3,\"open\n", "u.csv"); });
  EXPECT_STREQ(e.what(), "u.csv:3: unterminated quoted field");
  EXPECT_STREQ(ErrorOf([] { ParseCsv("a,,b\n1,2,3\n", "u.csv"); }).what(), "u.csv:1: empty column name in the header line");
  EXPECT_STREQ(ErrorOf([] { ParseCsv("\n\n", "u.csv"); }).what(),
               "u.csv: the CSV file is empty (it needs a header line and at least one row)");
  EXPECT_STREQ(ErrorOf([] { ParseCsv("a,b\n", "u.csv"); }).what(), "u.csv: the CSV file has a header line but no rows");
}

TEST(ParseJsonLinesReplay, UrlsBecomePathsAndManagedHeadersAreDropped) {
  const auto r = ParseJsonLinesReplay(
      "# recorded by hand\r\n"
      "{\"method\": \"POST\", \"url\": \"http://example.com:8080/a?x=1#frag\", \"headers\": {\"X-A\": \"1\", \"Host\": \"h\","
      " \"Content-Length\": \"3\"}, \"body\": \"abc\", \"offset_ms\": 1.5}\r\n"
      "\n"
      "   \t\n"
      "{\"url\": \"https://x.org?q=2\", \"headers\": [[\"X-B\", \"2\"], {\"name\": \"Connection\", \"value\": \"close\"}]}\n"
      "{\"path\": \"/c\", \"headers\": [{\"name\": \"X-C\", \"value\": \"3\"}], \"offset_ms\": 20}",
      "rec.jsonl");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].method, "POST");
  EXPECT_EQ(r[0].path, "/a?x=1") << "host dropped, fragment dropped";
  EXPECT_EQ(r[0].headers, (std::vector<std::pair<std::string, std::string>>{{"X-A", "1"}}));
  EXPECT_EQ(r[0].body, "abc");
  EXPECT_EQ(r[0].offset, 1500us);
  EXPECT_EQ(r[1].method, "GET");
  EXPECT_EQ(r[1].path, "/?q=2");
  EXPECT_EQ(r[1].headers, (std::vector<std::pair<std::string, std::string>>{{"X-B", "2"}}));
  EXPECT_EQ(r[2].path, "/c");
  EXPECT_EQ(r[2].headers.at(0).second, "3");
  EXPECT_EQ(r[2].offset, 20ms);
  EXPECT_TRUE(ParseJsonLinesReplay("# nothing\n\n", "rec.jsonl").empty());
}

TEST(ParseJsonLinesReplay, ErrorsNameTheFileAndLine) {
  const auto error = [](const std::string& text) { return std::string(ErrorOf([&] { ParseJsonLinesReplay(text, "r.jsonl"); }).what()); };
  EXPECT_EQ(error("{\"path\": \"/a\"}\n\n{\"pth\": \"/b\"}\n"), "r.jsonl:3: unknown key 'pth' (did you mean 'path'?)");
  EXPECT_EQ(error("[1, 2]\n"), "r.jsonl:1: expected one JSON object per line");
  EXPECT_EQ(error("{\"method\": \"GET\"}"), "r.jsonl:1: needs \"url\" or \"path\"");
  EXPECT_EQ(error("{\"url\": \"ftp://h/x\"}"), "r.jsonl:1: url must be an http(s):// URL or a path starting with '/'");
  EXPECT_EQ(error("{\"path\": \"/a\", \"method\": \"get\"}"), "r.jsonl:1: invalid HTTP method \"get\"");
  EXPECT_EQ(error("{\"path\": \"/a b\"}"), "r.jsonl:1: the path must not contain spaces or control characters: \"/a b\"");
  EXPECT_EQ(error("{\"path\": \"/a\", \"headers\": {\"Bad Name\": \"x\"}}"), "r.jsonl:1: invalid header name \"Bad Name\"");
  EXPECT_EQ(error("{\"path\": \"/a\", \"headers\": {\"X\": \"a\\r\\nY: b\"}}"), "r.jsonl:1: header X has a line break in its value");
  EXPECT_EQ(error("{\"path\": \"/a\", \"headers\": 5}"), "r.jsonl:1: headers must be an object or a list");
  EXPECT_EQ(error("{\"path\": \"/a\", \"offset_ms\": -1}"), "r.jsonl:1: offset_ms must be a number >= 0");
  EXPECT_EQ(error("{\"path\": \"/a\", \"body\": 1}"), "r.jsonl:1: body must be a string");
}

TEST(ParseHar, ReadsAChromiumExport) {
  const std::string text = ReadFixture("traffic/chromium.har");
  const auto raw = nlohmann::json::parse(text);
  const auto& entries = raw["log"]["entries"];
  const auto r = ParseHar(text, "chromium.har");
  ASSERT_EQ(r.size(), entries.size());
  ASSERT_EQ(r.size(), 5u) << "the page and its four fetches";
  EXPECT_EQ(r[0].method, "GET");
  EXPECT_EQ(r[0].path, "/");
  EXPECT_EQ(r[0].offset, Duration::zero());
  EXPECT_EQ(r[1].path, "/api/items?page=2&q=a%20b");
  EXPECT_EQ(r[2].method, "POST");
  EXPECT_EQ(r[2].body, R"({"name":"widget","qty":3})");
  EXPECT_EQ(r[3].method, "PUT");
  EXPECT_EQ(r[3].path, "/api/items/7");
  EXPECT_EQ(r[3].body, "renamed");
  EXPECT_EQ(r[4].method, "DELETE");
  for (size_t i = 0; i < r.size(); ++i) {
    if (i > 0) {
      EXPECT_GE(r[i].offset, r[i - 1].offset) << "the page's fetches run one after another";
    }
    size_t managed = 0;
    for (const auto& h : entries[i]["request"]["headers"]) {
      const std::string name = h["name"];
      if (name == "Host" || name == "Connection" || name == "Content-Length") ++managed;
    }
    EXPECT_GT(managed, 0u) << "Chromium records Host and Connection";
    EXPECT_EQ(r[i].headers.size(), entries[i]["request"]["headers"].size() - managed) << "entry " << i;
    for (const auto& [name, value] : r[i].headers) EXPECT_TRUE(name != "Host" && name != "Connection") << name;
  }
  EXPECT_NE(std::find(r[1].headers.begin(), r[1].headers.end(), std::pair<std::string, std::string>{"X-Trace", "capture-1"}),
            r[1].headers.end());
  EXPECT_GT(r[4].offset, Duration::zero());
}

TEST(ParseHar, OffsetsAreFromTheFirstEntryAndNeverNegative) {
  const auto r = ParseHar(R"({"log": {"entries": [
    {"startedDateTime": "2024-05-01T10:00:01.000Z", "request": {"method": "GET", "url": "http://h/a"}},
    {"startedDateTime": "2024-05-01T12:00:03.250+02:00", "request": {"method": "GET", "url": "http://h/b"}},
    {"startedDateTime": "2024-05-01T10:00:00.000Z", "request": {"method": "GET", "url": "http://h/c"}},
    {"request": {"method": "GET", "url": "http://h/d"}}]}})",
                          "x.har");
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[1].offset, 2250ms) << "+02:00 is two hours ahead of Z";
  EXPECT_EQ(r[2].offset, Duration::zero()) << "earlier than the first: 0";
  EXPECT_EQ(r[3].offset, Duration::zero()) << "no startedDateTime: 0";
}

TEST(ParseHar, ErrorsNameTheFileAndTheEntry) {
  const auto error = [](const std::string& text) { return ErrorOf([&] { ParseHar(text, "x.har"); }); };
  EXPECT_STREQ(error("{\"log\": ").what(), "x.har: not valid JSON");
  EXPECT_STREQ(error("{\"log\": {}}").what(), "x.har: expected a HAR file (an object with log.entries[])");
  const auto e = error(R"({"log": {"entries": [{"request": {"method": "GET", "url": "http://h/"}}, {"response": {}}]}})");
  EXPECT_STREQ(e.what(), "x.har: log.entries[1]: needs request");
  EXPECT_EQ(e.mark().file, "x.har");
  EXPECT_EQ(e.mark().line, 0);
  EXPECT_STREQ(error(R"({"log": {"entries": [{"request": {"method": "GET"}}]}})").what(),
               "x.har: log.entries[0]: request needs method and url strings");
  EXPECT_STREQ(error(R"({"log": {"entries": [{"request": {"method": "GET", "url": "h/x"}}]}})").what(),
               "x.har: log.entries[0]: request.url must be an http(s):// URL");
  EXPECT_STREQ(error(R"({"log": {"entries": [{"startedDateTime": "yesterday", "request": {"method": "GET", "url": "http://h/"}}]}})").what(),
               "x.har: log.entries[0]: startedDateTime is not an ISO 8601 time");
}

TEST(ParseGrpcReplay, CallsWithMetadataMessagesAndOffsets) {
  const auto calls = ParseGrpcReplay(
      "{\"method\": \"/a.B/C\", \"request\": {\"x\": 1}}\r\n"
      "# comment\n"
      "\n"
      "{\"method\": \"a.B/D\", \"metadata\": {\"k\": \"v\"}, \"requests\": [{\"y\": 2}, {\"y\": 3}], \"offset_ms\": 12.5}\n"
      "{\"method\": \"a.B/E\", \"offset_ms\": 12.5}",
      "calls.jsonl");
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].method, "a.B/C") << "the leading '/' is dropped";
  EXPECT_EQ(calls[0].requests, std::vector<std::string>{R"({"x":1})"});
  EXPECT_EQ(calls[0].line, 1);
  EXPECT_EQ(calls[1].line, 4);
  EXPECT_EQ(calls[1].metadata, (std::vector<std::pair<std::string, std::string>>{{"k", "v"}}));
  EXPECT_EQ(calls[1].requests.size(), 2u);
  EXPECT_EQ(calls[1].offset, 12500us);
  EXPECT_EQ(calls[2].requests, std::vector<std::string>{"{}"}) << "no message given: one empty one";
  EXPECT_TRUE(ParseGrpcReplay("# none\n", "calls.jsonl").empty());
}

TEST(ParseGrpcReplay, ErrorsNameTheFileAndLine) {
  const auto error = [](const std::string& text) { return std::string(ErrorOf([&] { ParseGrpcReplay(text, "c.jsonl"); }).what()); };
  EXPECT_EQ(error("{\"method\": \"a.B/C\"}\n{\"method\": \"a.B/C\", \"ofset_ms\": 9}"),
            "c.jsonl:2: unknown key 'ofset_ms' (did you mean 'offset_ms'?)");
  EXPECT_EQ(error("{\"method\": \"a.B/C\", \"offset_ms\": 5}\n{\"method\": \"a.B/C\", \"offset_ms\": 1}"),
            "c.jsonl:2: \"offset_ms\" must not decrease from line to line");
  EXPECT_EQ(error("{\"method\": \"/a/b/c\"}"), "c.jsonl:1: \"method\": expected \"package.Service/Method\", got \"a/b/c\"");
  EXPECT_EQ(error("{\"request\": {}}"), "c.jsonl:1: missing \"method\"");
  EXPECT_EQ(error("not json"), "c.jsonl:1: expected one JSON object per line");
  EXPECT_EQ(error("{\"method\": \"a.B/C\", \"metadata\": {\"k\": 1}}"), "c.jsonl:1: \"metadata\".k must be a string");
  EXPECT_EQ(error("{\"method\": \"a.B/C\", \"requests\": []}"), "c.jsonl:1: \"requests\" must be a non-empty array of JSON objects");
  EXPECT_EQ(error("{\"method\": \"a.B/C\", \"request\": [1]}"), "c.jsonl:1: \"request\" must be a JSON object");
  EXPECT_EQ(error("{\"method\": \"a.B/C\", \"offset_ms\": \"5\"}"), "c.jsonl:1: \"offset_ms\" must be a number >= 0");
}

// Regression tests for defects found by the fuzz targets (tests/fuzz/fuzz_*.cpp) or on
// the way there, each named for what it guards.

TEST(ParseCsv, LineNumbersCountLineFeedsNotLoneCarriageReturns) {
  // A lone "\r" ends a record but not a line: editors show "3,,\rte" as one line. Found by
  // fuzz_csv (an error on line 7 of a 6-line file).
  const auto e = ErrorOf([] { ParseCsv("a,b\r\n1,2\r\n3,\rx,y\n\"open", "u.csv"); });
  EXPECT_STREQ(e.what(), "u.csv:4: unterminated quoted field");
  const auto t = ParseCsv("a,b\r1,2\r3,4", "u.csv");
  EXPECT_EQ(t.rows.size(), 2u) << "lone carriage returns still separate records";
}

TEST(ParseHar, OffsetsAreExactNanoseconds) {
  // Seconds since 1970 as a double of nanoseconds were off by up to ~200 ns (2249999872 ns
  // for 2.25 s); whole seconds plus nanoseconds are exact.
  const auto r = ParseHar(R"({"log": {"entries": [
    {"startedDateTime": "2024-05-01T10:00:00.000Z", "request": {"method": "GET", "url": "http://h/a"}},
    {"startedDateTime": "2024-05-01T10:00:02.250Z", "request": {"method": "GET", "url": "http://h/b"}},
    {"startedDateTime": "2024-05-01T10:00:02.250000001Z", "request": {"method": "GET", "url": "http://h/c"}}]}})",
                          "x.har");
  EXPECT_EQ(r.at(1).offset, 2250ms);
  EXPECT_EQ(r.at(2).offset, 2250ms + 1ns);
}

TEST(ParseHar, FarApartDatesAreAnErrorNotAnOverflow) {
  // Year 1000 to year 9999 is ~2.8e20 ns: beyond int64 (undefined behaviour before).
  const auto e = ErrorOf([] {
    ParseHar(R"({"log": {"entries": [
      {"startedDateTime": "1000-01-01T00:00:00Z", "request": {"method": "GET", "url": "http://h/"}},
      {"startedDateTime": "9999-01-01T00:00:00Z", "request": {"method": "GET", "url": "http://h/"}}]}})",
             "x.har");
  });
  EXPECT_STREQ(e.what(), "x.har: log.entries[1]: startedDateTime is more than 1e12 ms (about 31 years) after the first entry's");
  // Far before the first: offset 0, not an overflow (found by fuzz_har).
  const auto r = ParseHar(R"({"log": {"entries": [
    {"startedDateTime": "9999-01-01T00:00:00Z", "request": {"method": "GET", "url": "http://h/"}},
    {"startedDateTime": "0001-01-01T00:00:00Z", "request": {"method": "GET", "url": "http://h/"}}]}})",
                          "x.har");
  EXPECT_EQ(r.at(1).offset, Duration::zero());
}

TEST(ParseHar, OutOfRangeFieldsAreNotTimes) {
  for (const char* time : {"2024-13-01T00:00:00Z", "2024-05-01T24:00:00Z", "2024-05-01T10:60:00Z", "2024-05-01T10:00:1e300Z",
                           "2024-05-01T10:00:00+0x:00", "2024-05-01T10:00:00+02"}) {
    const std::string har = std::string(R"({"log": {"entries": [{"startedDateTime": ")") + time +
                            R"(", "request": {"method": "GET", "url": "http://h/"}}]}})";
    EXPECT_STREQ(ErrorOf([&] { ParseHar(har, "x.har"); }).what(), "x.har: log.entries[0]: startedDateTime is not an ISO 8601 time")
        << time;
  }
  const auto r = ParseHar(R"({"log": {"entries": [
    {"startedDateTime": "2024-05-01T10:00:00Z", "request": {"method": "GET", "url": "http://h/"}},
    {"startedDateTime": "2024-05-01T12:00:01+0200", "request": {"method": "GET", "url": "http://h/"}}]}})",
                          "x.har");
  EXPECT_EQ(r.at(1).offset, 1s) << "+HHMM is a zone too";
}

TEST(ParseJsonLinesReplay, HugeOffsetIsAnErrorNotAnOverflow) {
  // 1e300 ms converted to int64 nanoseconds was undefined behaviour.
  EXPECT_STREQ(ErrorOf([] { ParseJsonLinesReplay("{\"path\": \"/a\", \"offset_ms\": 1e300}", "r.jsonl"); }).what(),
               "r.jsonl:1: offset_ms must be at most 1e12 (about 31 years)");
  EXPECT_EQ(ParseJsonLinesReplay("{\"path\": \"/a\", \"offset_ms\": 1e12}", "r.jsonl").at(0).offset,
            std::chrono::milliseconds(1'000'000'000'000));
}

TEST(ParseGrpcReplay, HugeOffsetIsAnErrorNotAnOverflow) {
  EXPECT_STREQ(ErrorOf([] { ParseGrpcReplay("{\"method\": \"a.B/C\", \"offset_ms\": 1e19}", "c.jsonl"); }).what(),
               "c.jsonl:1: \"offset_ms\" must be at most 1e12 (about 31 years)");
}

TEST(TrafficFileMessages, ControlBytesFromTheFileAreEscaped) {
  // A key with NUL or ESC went into the message raw: what() ended at the NUL, and an ESC
  // sequence reached the user's terminal.
  auto e = ErrorOf([] { ParseJsonLinesReplay("{\"pa\\u0000th\": 1, \"path\": \"/\"}", "r.jsonl"); });
  EXPECT_EQ(e.message(), "unknown key 'pa\\x00th' (did you mean 'path'?)");
  EXPECT_EQ(std::string(e.what()), "r.jsonl:1: " + e.message());
  e = ErrorOf([] { ParseGrpcReplay("{\"method\": \"a.B/C\", \"metadata\": {\"\\u001b[31m\": 1}}", "c.jsonl"); });
  EXPECT_EQ(e.message(), "\"metadata\".\\x1b[31m must be a string");
  e = ErrorOf([] { ParseHar(R"({"log": {"entries": [{"request": {"method": "GET", "url": "http://h/", "headers": {"\u0007": 1}}}]}})", "x.har"); });
  EXPECT_EQ(e.message(), "log.entries[0]: header \\x07 must be a string");
}

}  // namespace traffic_files_test
}  // namespace leakgate::scenario
