// URLs given on the command line: split, and refused unless loopback (nothing is resolved).
#include "harness/cli/cli_common.h"

#include <gtest/gtest.h>

namespace leakgate::cli {
namespace cli_common_test {

TEST(ParseLoopbackUrl, SplitsLoopbackUrls) {
  auto u = ParseLoopbackUrl("http://127.0.0.1:8080/api/", "URL");
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_EQ(u->base, "http://127.0.0.1:8080");
  EXPECT_EQ(u->path, "/api");
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8080);
  u = ParseLoopbackUrl("http://[::1]:9", "URL");
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->base, "http://[::1]:9");
  u = ParseLoopbackUrl("http://localhost", "URL");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->port, 80);
  EXPECT_TRUE(ParseLoopbackUrl("http://127.255.0.3:1", "URL").ok()) << "all of 127.0.0.0/8";
}

TEST(ParseLoopbackUrl, RefusesOtherHostsNamingTheFlag) {
  for (const char* url : {"http://10.0.0.1:80", "http://example.com/", "http://[2001:db8::1]:80", "http://128.0.0.1"}) {
    const auto u = ParseLoopbackUrl(url, "--pprof");
    ASSERT_FALSE(u.ok()) << url;
    EXPECT_EQ(u.status().code(), StatusCode::kPermissionDenied) << url;
    EXPECT_EQ(u.status().message().rfind("--pprof: ", 0), 0u) << u.status().message();
    EXPECT_NE(u.status().message().find("loopback"), std::string::npos) << u.status().message();
  }
}

TEST(ParseLoopbackUrl, RejectsWhatIsNotAnHttpUrl) {
  for (const char* url : {"127.0.0.1:8080", "https://127.0.0.1", "http://", "ftp://127.0.0.1/"}) {
    const auto u = ParseLoopbackUrl(url, "URL");
    ASSERT_FALSE(u.ok()) << url;
    EXPECT_EQ(u.status().code(), StatusCode::kInvalidArgument) << url << ": " << u.status().message();
  }
}

TEST(ParseVars, NameValuePairsAndTheirErrors) {
  EXPECT_EQ(ParseVars({"a=1", "b=x=y", "c="}), (std::map<std::string, std::string>{{"a", "1"}, {"b", "x=y"}, {"c", ""}}));
  EXPECT_THROW(ParseVars({"novalue"}), CLI::ValidationError);
  EXPECT_THROW(ParseVars({"=1"}), CLI::ValidationError);
}

TEST(WholeNumberAtLeast, AcceptsWholeNumbersFromTheBoundAndSaysWhatItWants) {
  const auto check = WholeNumberAtLeast(0);
  for (std::string ok : {"0", "5", "100000"}) EXPECT_EQ(check(ok), "") << ok;
  std::string negative = "-1";
  EXPECT_EQ(check(negative), "must be a whole number >= 0, got \"-1\"");
  std::string fraction = "1.5";
  EXPECT_EQ(check(fraction), "must be a whole number >= 0, got \"1.5\"");
  std::string word = "ten";
  EXPECT_EQ(WholeNumberAtLeast(1)(word), "must be a whole number >= 1, got \"ten\"");
}

TEST(UnknownCommandMessage, NamesTheWordAndTheCommands) {
  CLI::App app;
  app.add_subcommand("run");
  app.add_subcommand("validate");
  auto message = [&](std::vector<const char*> argv) {
    return UnknownCommandMessage(app, static_cast<int>(argv.size()), argv.data());
  };
  EXPECT_EQ(message({"leakgate", "rnu"}), "unknown command \"rnu\" (did you mean 'run'?); commands: run, validate");
  EXPECT_EQ(message({"leakgate", "frobnicate"}), "unknown command \"frobnicate\"; commands: run, validate");
  EXPECT_EQ(message({"leakgate", "run"}), "");
  EXPECT_EQ(message({"leakgate", "--help"}), "") << "flags are CLI11's";
  EXPECT_EQ(message({"leakgate"}), "");
}

}  // namespace cli_common_test
}  // namespace leakgate::cli
