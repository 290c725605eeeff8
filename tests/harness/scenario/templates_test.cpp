// Request templates on their own (harness/scenario/templates.h): ParseTemplate is pure,
// returns the parts in order, and its errors carry no position (what() is the message; the
// loader places it at the YAML value, see traffic_loader_test.cpp).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness/scenario/scenario_error.h"
#include "harness/scenario/templates.h"

namespace leakgate::scenario {
namespace templates_test {

std::string ErrorOf(const std::string& text, const std::vector<std::string>& columns = {}) {
  try {
    ParseTemplate(text, columns);
  } catch (const ScenarioError& e) {
    EXPECT_TRUE(e.mark().file.empty()) << "a template error has no position of its own";
    EXPECT_EQ(e.what(), e.message());
    return e.what();
  }
  ADD_FAILURE() << "no error for " << text;
  return "";
}

TEST(ParseTemplate, PartsInOrderWithLiteralsMerged) {
  const auto parts = ParseTemplate("/u/{{seq}}/{{ randint  -5 5 }}?s={{randstr 8}}&{{{{x}}&id={{uuid}}{{csv.b}}", {"a", "b"});
  ASSERT_EQ(parts.size(), 9u);
  EXPECT_EQ(parts[0].kind, TemplatePart::kLiteral);
  EXPECT_EQ(parts[0].text, "/u/");
  EXPECT_EQ(parts[1].kind, TemplatePart::kSeq);
  EXPECT_EQ(parts[2].text, "/");
  EXPECT_EQ(parts[3].kind, TemplatePart::kRandInt);
  EXPECT_EQ(parts[3].low, -5);
  EXPECT_EQ(parts[3].high, 5);
  EXPECT_EQ(parts[4].text, "?s=");
  EXPECT_EQ(parts[5].kind, TemplatePart::kRandStr);
  EXPECT_EQ(parts[5].low, 8);
  EXPECT_EQ(parts[6].text, "&{{x}}&id=") << "\"{{{{\" is a literal \"{{\", merged with the text around it";
  EXPECT_EQ(parts[7].kind, TemplatePart::kUuid);
  EXPECT_EQ(parts[8].kind, TemplatePart::kCsv);
  EXPECT_EQ(parts[8].column, 1);
  EXPECT_TRUE(ParseTemplate("", {}).empty());
  EXPECT_EQ(ParseTemplate("}} plain {", {}).at(0).text, "}} plain {");
}

TEST(ParseTemplate, BoundsOfRandintAndRandstr) {
  EXPECT_EQ(ParseTemplate("{{randint 3 3}}", {}).at(0).high, 3);
  EXPECT_EQ(ParseTemplate("{{randstr 65536}}", {}).at(0).low, 65536);
  EXPECT_EQ(ErrorOf("{{randint 5 1}}"), "{{randint 5 1}}: expected {{randint A B}} with whole numbers A <= B");
  EXPECT_EQ(ErrorOf("{{randint 1}}"), "{{randint 1}}: expected {{randint A B}} with whole numbers A <= B");
  EXPECT_EQ(ErrorOf("{{randint 1 99999999999999999999}}").find("A <= B") != std::string::npos, true);
  EXPECT_EQ(ErrorOf("{{randstr 0}}"), "{{randstr 0}}: expected {{randstr N}} with 1 <= N <= 65536");
  EXPECT_EQ(ErrorOf("{{randstr 65537}}"), "{{randstr 65537}}: expected {{randstr N}} with 1 <= N <= 65536");
}

TEST(ParseTemplate, ErrorsSuggestAndList) {
  EXPECT_EQ(ErrorOf("/x/{{sq}}").rfind("unknown template variable \"{{sq}}\" (did you mean 'seq'?)", 0), 0u);
  EXPECT_EQ(ErrorOf("/x/{{seq"), "unterminated \"{{\" in \"/x/{{seq\" (write \"{{{{\" for a literal \"{{\")");
  EXPECT_EQ(ErrorOf("{{csv.id}}"), "{{csv.id}} needs csv: (a CSV file) in this traffic entry");
  EXPECT_EQ(ErrorOf("{{csv.nmae}}", {"id", "name"}), "{{csv.nmae}}: no column 'nmae' in the CSV file (did you mean 'name'?)");
  EXPECT_EQ(ErrorOf("{{csv.zzzzzz}}", {"id", "name"}), "{{csv.zzzzzz}}: no column 'zzzzzz' in the CSV file (columns: id, name)");
  EXPECT_EQ(ErrorOf("{{}}").rfind("unknown template variable \"{{}}\" (known:", 0), 0u);
}

TEST(ParseTemplate, ControlBytesInMessagesAreEscaped) {
  // Found by fuzz_template: the variable was put in the message raw, so a NUL cut what()
  // short and an ESC reached the terminal.
  EXPECT_EQ(ErrorOf(std::string("{{randstr 1\0\x1b}}", 15)), "{{randstr 1\\x00\\x1b}}: expected {{randstr N}} with 1 <= N <= 65536");
  EXPECT_EQ(ErrorOf("{{csv.\x01}}", {"a"}), "{{csv.\\x01}}: no column '\\x01' in the CSV file (did you mean 'a'?)");
  EXPECT_EQ(ErrorOf("{{csv.zzzz}}", {"a\tb"}), "{{csv.zzzz}}: no column 'zzzz' in the CSV file (columns: a\\tb)");
}

}  // namespace templates_test
}  // namespace leakgate::scenario
