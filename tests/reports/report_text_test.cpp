// Escaping and formatting shared by the report writers: what may reach a report from a
// target (any bytes) comes out valid UTF-8 and inert.
#include "reports/report_text.h"

#include <gtest/gtest.h>

#include "tests/reports/sample_results.h"

namespace leakgate::reports {
namespace report_text_test {

TEST(ReportText, EscapeMarkupNeutralizesEveryMarkupCharacter) {
  EXPECT_EQ(EscapeMarkup("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(EscapeMarkup("line\nnext\ttab"), "line\nnext\ttab");
}

TEST(ReportText, AttributesKeepLineBreaksAsCharacterReferences) {
  EXPECT_EQ(EscapeMarkupAttribute("a\nb\tc\r\"d\""), "a&#10;b&#9;c&#13;&quot;d&quot;");
}

TEST(ReportText, InvalidUtf8AndControlCharactersBecomeReplacementCharacters) {
  const std::string replacement = "\xEF\xBF\xBD";
  EXPECT_EQ(SanitizeUtf8("ok\x01" "x"), "ok" + replacement + "x");
  EXPECT_EQ(SanitizeUtf8("\xff"), replacement);
  EXPECT_EQ(SanitizeUtf8("\xC0\xAF"), replacement + replacement) << "overlong '/'";
  EXPECT_EQ(SanitizeUtf8("\xED\xA0\x80"), replacement + replacement + replacement) << "a UTF-16 surrogate";
  EXPECT_EQ(SanitizeUtf8("\xEF\xBF\xBE"), replacement + replacement + replacement) << "U+FFFE is not XML";
  EXPECT_EQ(SanitizeUtf8("caf\xC3\xA9 \xE2\x86\x92 \xF0\x9F\x90\x9B"), "caf\xC3\xA9 \xE2\x86\x92 \xF0\x9F\x90\x9B");
  EXPECT_EQ(SanitizeUtf8("\xE2\x86"), replacement + replacement) << "truncated sequence";
  EXPECT_EQ(SanitizeUtf8("tab\tnewline\n"), "tab\tnewline\n");
}

TEST(ReportText, CsvFieldQuotesOnlyWhenNeeded) {
  EXPECT_EQ(CsvField("load"), "load");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
}

TEST(ReportText, ValuesCarryTheUnitTheirNameImplies) {
  EXPECT_EQ(FormatResourceValue("goroutines", 1203), "1203");
  EXPECT_EQ(FormatResourceValue("heap_inuse_bytes", 3 * 1024 * 1024), "3.0 MiB");
  EXPECT_EQ(FormatResourceValue("error_rate", 0.0125), "1.25%");
  EXPECT_EQ(FormatResourceValue("p99 < 50ms", 12.345), "12.35");
  EXPECT_EQ(FormatNumber(-3), "-3");
}

TEST(ReportText, AssertionTitleNamesThePhaseOfAThreshold) {
  AssertionResult a;
  a.name = "p99 < 50ms";
  EXPECT_EQ(AssertionTitle(a), "p99 < 50ms");
  a.phase = "load";
  EXPECT_EQ(AssertionTitle(a), "p99 < 50ms [load]");
}

TEST(ReportText, AThresholdsValuesCarryItsUnitAndItHasNoBaseline) {
  AssertionResult a;
  a.name = "p99 < 50ms";
  a.kind = AssertionKind::kThreshold;
  a.unit = "ms";
  EXPECT_EQ(FormatAssertionValue(a, 63.21), "63.21ms");
  EXPECT_EQ(FormatAssertionValue(a, 0, /*is_baseline=*/true), "");
  a.unit = "%";
  EXPECT_EQ(FormatAssertionValue(a, 0.5), "0.5%");
  a.unit = " req/s";
  EXPECT_EQ(FormatAssertionValue(a, 98.5), "98.5 req/s");
  AssertionResult leak;
  leak.name = "heap_inuse_bytes";
  EXPECT_EQ(FormatAssertionValue(leak, 3 * 1024 * 1024, /*is_baseline=*/true), "3.0 MiB") << "leaks keep their baseline";
}

TEST(ReportText, LeakDescriptionHasGoleaksShape) {
  const auto leak = testing::FullResult().leaks.front();
  EXPECT_EQ(DescribeGoroutineLeak(leak),
            "300 goroutines in state chan send, with main.blockedSend.func1 on top of the stack:\n"
            "labels: route=/leak/blocked-send, tenant=7\n"
            "runtime.gopark /usr/lib/go/src/runtime/proc.go:435\n"
            "runtime.chansend /usr/lib/go/src/runtime/chan.go:259\n"
            "main.blockedSend.func1 /src/leaky/class01_blocked_send.go:43\n"
            "created by main.blockedSend\n"
            "\t/src/leaky/class01_blocked_send.go:40\n");
  EXPECT_NE(DescribeGoroutineLeak(leak, 1).find("runtime.gopark /usr/lib/go/src/runtime/proc.go:435\n...\ncreated by"),
            std::string::npos);
}

TEST(ReportText, VerdictLabelIsUpperCase) {
  EXPECT_EQ(VerdictLabel(Verdict::kInterrupted), "INTERRUPTED");
  EXPECT_EQ(VerdictLabel(Verdict::kPass), "PASS");
}

}  // namespace report_text_test
}  // namespace leakgate::reports
