#include "probes/goroutine_labels.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace leakgate::probes {
namespace goroutine_labels_test {

std::string Unquote(std::string_view quoted, size_t* used = nullptr) {
  std::string out = "stale";
  const size_t n = UnquoteGoString(quoted, out);
  if (used != nullptr) *used = n;
  return out;
}

TEST(UnquoteGoStringTest, EscapesOfStrconvQuoteAndTheRuntime) {
  size_t used = 0;
  EXPECT_EQ(Unquote(R"("plain")", &used), "plain");
  EXPECT_EQ(used, 7u);
  EXPECT_EQ(Unquote(R"("a\tb\nc\rd\\e\"f\'g")"), "a\tb\nc\rd\\e\"f'g");
  EXPECT_EQ(Unquote(R"("\a\b\f\v")"), "\a\b\f\v");
  // An invalid UTF-8 byte: Go 1.27's printquoted and strconv.Quote write \xff; octal is Go
  // syntax too.
  EXPECT_EQ(Unquote(R"("z\xffz\xFF\377")"), "z\xffz\xff\xff");
  // Go 1.26's printquoted wrote U+FFFD for it, and \u for every non-ASCII rune.
  EXPECT_EQ(Unquote(R"("z\ufffdz h\u00e9llo")"), "z\xef\xbf\xbdz h\xc3\xa9llo");
  EXPECT_EQ(Unquote(R"("\U0001f600")"), "\xf0\x9f\x98\x80");
  EXPECT_EQ(Unquote(R"("\ud800\U00110000")"), "\xef\xbf\xbd\xef\xbf\xbd") << "surrogate, beyond U+10FFFF";
  EXPECT_EQ(Unquote(R"("h\u00E9")"), "h\xc3\xa9") << "hex digits in either case";
  EXPECT_EQ(Unquote(R"("\q")"), "\\q") << "an unknown escape is kept as written";
  EXPECT_EQ(Unquote(R"("")", &used), "");
  EXPECT_EQ(used, 2u);
  // Only the first quoted string is read.
  EXPECT_EQ(Unquote(R"("a", "b")", &used), "a");
  EXPECT_EQ(used, 3u);
}

TEST(UnquoteGoStringTest, IncompleteInputReadsNothing) {
  for (std::string_view bad : {R"()", R"(plain)", R"(")", R"("abc)", R"("abc\)", R"("\x4)", R"("\u00e)",
                               R"("\U0001f60)", R"("\37)", R"("\378")", R"( "a")"}) {
    size_t used = 99;
    Unquote(bad, &used);
    EXPECT_EQ(used, 0u) << bad;
  }
}

PprofLabels Labels(std::string_view set, size_t* used = nullptr) {
  PprofLabels out = {{"stale", "pair"}};
  const size_t n = ParseLabelSet(set, out);
  if (used != nullptr) *used = n;
  return out;
}

TEST(ParseLabelSetTest, EveryFormGoPrints) {
  size_t used = 0;
  // debug=1 (labelMap.String): %q, ":" without a space.
  EXPECT_EQ(Labels(R"({"method":"GET", "route":"/leak/blocked-send"})", &used),
            (PprofLabels{{"method", "GET"}, {"route", "/leak/blocked-send"}}));
  EXPECT_EQ(used, 46u);
  // Go 1.26 debug=2 (inside the bracket): quoted, ": ".
  EXPECT_EQ(Labels(R"({"handler": "/leak", "k2": "v]: x"})"), (PprofLabels{{"handler", "/leak"}, {"k2", "v]: x"}}));
  // Go 1.27 debug=2 (after the bracket): bare where possible, empty values, quoted keys.
  EXPECT_EQ(Labels(R"({empty: , "key with space": v, comma: "a, b", z: })"),
            (PprofLabels{{"empty", ""}, {"key with space", "v"}, {"comma", "a, b"}, {"z", ""}}));
  EXPECT_EQ(Labels(R"({method: /leakgate.example.v1.LeakService/Ticks})"),
            (PprofLabels{{"method", "/leakgate.example.v1.LeakService/Ticks"}}));
  EXPECT_EQ(Labels("{}", &used), PprofLabels{});
  EXPECT_EQ(used, 2u);
  // Only the set is read; what follows it is the caller's.
  EXPECT_EQ(Labels(R"({k: v}:)", &used), (PprofLabels{{"k", "v"}}));
  EXPECT_EQ(used, 6u);
  // Pairs stay in the order printed, duplicates included.
  EXPECT_EQ(Labels(R"({b: 1, a: 2, a: 3})"), (PprofLabels{{"b", "1"}, {"a", "2"}, {"a", "3"}}));
}

TEST(ParseLabelSetTest, MalformedOrCutSetsReadNothing) {
  for (std::string_view bad : {"", "k: v}", "{", "{k: v", "{k: v,", "{k: v, ", "{k}", R"({"k" "v"})", R"({"k: v})",
                               R"({k: "v})", R"({k: "v"x})", R"({"k":"v" , "j":"w"})"}) {
    size_t used = 99;
    EXPECT_TRUE(Labels(bad, &used).empty()) << bad;
    EXPECT_EQ(used, 0u) << bad;
  }
}

}  // namespace goroutine_labels_test
}  // namespace leakgate::probes
