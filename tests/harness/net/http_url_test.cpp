// ParseHttpUrl: what every accepted URL gives (host for the resolver, port, Host header,
// request target) and the message for every malformed one.
#include "harness/net/http_url.h"

#include <gtest/gtest.h>

#include <string>

namespace leakgate::net {
namespace http_url_test {

struct Good {
  const char* url;
  const char* scheme;
  const char* host;
  unsigned port;
  const char* authority;
  const char* target;
};

class ParseHttpUrlGood : public ::testing::TestWithParam<Good> {};

TEST_P(ParseHttpUrlGood, GivesHostPortAuthorityAndTarget) {
  const Good& c = GetParam();
  const auto u = ParseHttpUrl(c.url);
  ASSERT_TRUE(u.ok()) << c.url << ": " << u.status().message();
  EXPECT_EQ(u->url, c.url);
  EXPECT_EQ(u->scheme, c.scheme);
  EXPECT_EQ(u->host, c.host);
  EXPECT_EQ(u->port, c.port);
  EXPECT_EQ(u->authority, c.authority);
  EXPECT_EQ(u->target, c.target);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseHttpUrlGood,
    ::testing::Values(
        Good{"http://127.0.0.1:8080/x", "http", "127.0.0.1", 8080, "127.0.0.1:8080", "/x"},
        Good{"http://127.0.0.1", "http", "127.0.0.1", 80, "127.0.0.1", "/"},
        Good{"https://localhost/", "https", "localhost", 443, "localhost", "/"},
        Good{"HTTP://LocalHost:9/a/b?c=d&e", "http", "LocalHost", 9, "LocalHost:9", "/a/b?c=d&e"},
        Good{"http://[::1]:8080/debug/pprof", "http", "::1", 8080, "[::1]:8080", "/debug/pprof"},
        Good{"http://[::ffff:127.0.0.1]/", "http", "::ffff:127.0.0.1", 80, "[::ffff:127.0.0.1]", "/"},
        Good{"http://h.test:1?q", "http", "h.test", 1, "h.test:1", "/?q"},
        Good{"http://h.test/x#fragment", "http", "h.test", 80, "h.test", "/x"},
        Good{"http://%6c%6fcalhost:1/", "http", "localhost", 1, "%6c%6fcalhost:1", "/"},
        Good{"http://127.0.0.%31:1/", "http", "127.0.0.1", 1, "127.0.0.%31:1", "/"},
        Good{"http://0x7f.1:65535/", "http", "0x7f.1", 65535, "0x7f.1:65535", "/"},
        Good{"http://localhost.:1/", "http", "localhost.", 1, "localhost.:1", "/"},
        Good{"http://h.test/a%20b?x=%2F", "http", "h.test", 80, "h.test", "/a%20b?x=%2F"},
        // Read whole although Boost.URL 1.81 alone stops after the IPv4-looking prefix.
        Good{"http://127.0.0.1.evil.com/x", "http", "127.0.0.1.evil.com", 80, "127.0.0.1.evil.com", "/x"},
        Good{"http://127.0.0.1.:8080/", "http", "127.0.0.1.", 8080, "127.0.0.1.:8080", "/"},
        Good{"http://1.2.3.4x:1?q", "http", "1.2.3.4x", 1, "1.2.3.4x:1", "/?q"}));

struct Bad {
  const char* url;
  const char* fragment;  // of the message
};

class ParseHttpUrlBad : public ::testing::TestWithParam<Bad> {};

TEST_P(ParseHttpUrlBad, IsInvalidArgumentQuotingTheUrl) {
  const Bad& c = GetParam();
  const auto u = ParseHttpUrl(c.url);
  ASSERT_FALSE(u.ok()) << c.url << " parsed";
  EXPECT_EQ(u.status().code(), StatusCode::kInvalidArgument);
  const std::string& m = u.status().message();
  EXPECT_NE(m.find(std::string("URL \"") + std::string(c.url).substr(0, 64)), std::string::npos) << m;
  EXPECT_NE(m.find(c.fragment), std::string::npos) << c.url << " → " << m;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseHttpUrlBad,
    ::testing::Values(
        Bad{"127.0.0.1:8080/x", "no scheme (expected http://host:port/...)"},
        Bad{"localhost:8080", "no scheme (expected http://host:port/...)"},
        Bad{"/just/a/path", "no scheme"},
        Bad{"http:/127.0.0.1/", "expected \"//\" after \"http:\""},
        Bad{"ftp://127.0.0.1/", "unsupported scheme \"ftp\""},
        Bad{"http://127.0.0.1@evil.com/", "userinfo"},
        Bad{"http://user:pass@127.0.0.1/", "userinfo"},
        Bad{"http://@127.0.0.1/", "userinfo"},
        Bad{"http:///x", "empty host"},
        Bad{"http://:8080/", "empty host"},
        Bad{"http://127.0.0.1:99999/", "port \"99999\" out of range 1..65535"},
        Bad{"http://127.0.0.1:0/", "port \"0\" out of range"},
        Bad{"http://127.0.0.1:/", "empty port"},
        Bad{"http://127.0.0.1:80a/", "cannot read a host and port from \"127.0.0.1:80a\""},
        Bad{"http://[::1/", "malformed"},
        Bad{"http://::1/", "an IPv6 address goes in brackets"},
        Bad{"http://[v7.x]/", "IPvFuture"},
        Bad{"http://127.0.0.1 /", "space or control character at offset 16"},
        Bad{"http://evil.com%00.localhost/", "characters no host name"},
        Bad{"http://evil.com%2f@127.0.0.1/", "userinfo"},
        Bad{"http://a%40b/", "characters no host name"}));

TEST(ParseHttpUrl, EmptyAndOverlongAreRefused) {
  EXPECT_EQ(ParseHttpUrl("").status().code(), StatusCode::kInvalidArgument);
  const auto u = ParseHttpUrl("http://127.0.0.1/" + std::string(kMaxUrlBytes, 'a'));
  ASSERT_FALSE(u.ok());
  EXPECT_NE(u.status().message().find("longer than 8192 bytes"), std::string::npos) << u.status().message();
}

}  // namespace http_url_test
}  // namespace leakgate::net
