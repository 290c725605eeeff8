// Scenario loader, an HTTP entry's path given as an absolute URL ("http://HOST:PORT/p?q",
// e.g. another port of the same service): base_url takes the origin, path (and its
// template) the rest; https:// and other schemes are errors at the value. Addresses are
// not checked for loopback here (a later safety layer does that). Also SplitHttpUrl
// (protocol_syntax.h) on its own.
#include <gtest/gtest.h>

#include <string>

#include "harness/scenario/protocol_syntax.h"
#include "harness/scenario/scenario_loader.h"
#include "tests/harness/scenario/expect_scenario_error.h"

namespace leakgate::scenario {
namespace traffic_url_test {

Scenario Parse(const std::string& yaml) {
  LoadOptions options;
  options.allocate_port = [next = 40000]() mutable { return next++; };
  return ParseScenario(yaml, "u.yaml", options);
}

// A scenario whose one traffic entry has `path` (line 4, the value at column 21).
std::string WithPath(const std::string& path) {
  return "name: u\ntarget: {command: [svc], ready: \"\"}\ntraffic:\n  - {name: a, path: \"" + path +
         "\"}\nphases:\n  - {name: l, duration: 1s, rate: 1}\n";
}

void ExpectError(const std::string& path, const std::string& part) {
  ExpectScenarioErrorAt([&] { Parse(WithPath(path)); }, 4, 21, "traffic[0].path: " + part);
}

TEST(TrafficUrl, AnotherPortOfTheServiceBecomesBaseUrlAndPath) {
  const auto s = Parse(WithPath("http://127.0.0.1:${port.admin}/debug/vars?x={{seq}}"));
  const auto& t = s.traffic.at(0);
  EXPECT_EQ(s.target.url, "http://127.0.0.1:40000") << "${port} for the default target.url";
  EXPECT_EQ(s.ports.at("admin"), 40001);
  EXPECT_EQ(t.base_url, "http://127.0.0.1:40001");
  EXPECT_EQ(t.path, "/debug/vars?x={{seq}}");
  ASSERT_EQ(t.path_template.size(), 2u) << "the template is the path's, not the URL's";
  EXPECT_EQ(t.path_template[0].text, "/debug/vars?x=");
  EXPECT_EQ(t.path_template[1].kind, TemplatePart::kSeq);
}

TEST(TrafficUrl, PathDefaultsAndForms) {
  EXPECT_EQ(Parse(WithPath("http://localhost:8080")).traffic[0].path, "/");
  EXPECT_EQ(Parse(WithPath("http://localhost:8080")).traffic[0].base_url, "http://localhost:8080");
  EXPECT_EQ(Parse(WithPath("http://h:1?q=1")).traffic[0].path, "/?q=1");
  EXPECT_EQ(Parse(WithPath("HTTP://h/x")).traffic[0].base_url, "http://h") << "the scheme in any case; no port: 80";
  const auto v6 = Parse(WithPath("http://[::1]:9090/m")).traffic[0];
  EXPECT_EQ(v6.base_url, "http://[::1]:9090");
  EXPECT_EQ(v6.path, "/m");
  EXPECT_EQ(Parse(WithPath("http://example.com:80/x")).traffic[0].base_url, "http://example.com:80")
      << "not checked for loopback here";
  const auto relative = Parse(WithPath("/hello")).traffic[0];
  EXPECT_EQ(relative.base_url, "") << "a path is relative to target.url";
  EXPECT_EQ(relative.path, "/hello");
}

TEST(TrafficUrl, OtherSchemesAndBadUrlsAreErrorsAtTheValue) {
  ExpectError("https://127.0.0.1:8443/x", "https:// URLs are not supported yet");
  ExpectError("ftp://h/x", "unsupported URL scheme 'ftp'");
  ExpectError("http://user@h:1/x", "expected an http://HOST:PORT/path URL");
  ExpectError("http://h:0/x", "expected an http://HOST:PORT/path URL");
  ExpectError("http://h:65536/x", "expected an http://HOST:PORT/path URL");
  ExpectError("http://h:/x", "expected an http://HOST:PORT/path URL");
  ExpectError("http:///x", "expected an http://HOST:PORT/path URL");
  ExpectError("http://h:1#frag", "expected an http://HOST:PORT/path URL");
  ExpectError("http://h{{seq}}:1/x", "expected an http://HOST:PORT/path URL");
  ExpectError("http://h:1/a b", "must not contain spaces or control characters");
  ExpectError("leak/blocked-send", "must start with '/', got \"leak/blocked-send\"");
}

TEST(SplitHttpUrl, OriginAndPath) {
  const auto p = SplitHttpUrl("http://127.0.0.1:8080/a/b?c=d");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->origin, "http://127.0.0.1:8080");
  EXPECT_EQ(p->path, "/a/b?c=d");
  EXPECT_FALSE(SplitHttpUrl("https://h/"));
  EXPECT_FALSE(SplitHttpUrl("http://[::1/"));
  EXPECT_FALSE(SplitHttpUrl("http://[::1]x/"));
  EXPECT_FALSE(SplitHttpUrl("http://h h/"));
  EXPECT_EQ(UrlScheme("Git+SSH://x"), "git+ssh");
  EXPECT_FALSE(UrlScheme("/a://b"));
  EXPECT_FALSE(UrlScheme("://b"));
}

}  // namespace traffic_url_test
}  // namespace leakgate::scenario
