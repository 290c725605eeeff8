// The address policy, spelling by spelling: every way of writing a loopback address passes
// and gives the endpoint it means; every other host is refused naming the key and the host
// unless the allow list names it (by identity, not by spelling); hosts that are no host are
// invalid. Allowed names are checked with CheckHost only: resolving them would need DNS
// (tests/integration/address_policy_netns_test.cpp resolves them against a DNS server of
// its own, in a network namespace).
#include "harness/net/address_policy.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness/net/resolver.h"

namespace leakgate::net {
namespace address_policy_test {

using namespace std::chrono_literals;

enum class Expect {
  kLoopback,        // CheckAndResolve OK, every endpoint loopback
  kAllowedAddress,  // CheckAndResolve OK through the allow list
  kAllowedName,     // CheckHost OK through the allow list (not resolved here)
  kRefused,         // kPermissionDenied naming the key and the host
  kInvalid,         // kInvalidArgument (from ParseHttpUrl or the policy)
};

struct Case {
  const char* url;
  Expect expect;
  const char* endpoint = "";  // the first endpoint, as "address:port" ("[v6]:port")
  std::vector<std::string> allow = {};
};

std::string Endpoint(const boost::asio::ip::tcp::endpoint& ep) {
  const auto a = ep.address().to_string();
  return (ep.address().is_v6() ? "[" + a + "]" : a) + ":" + std::to_string(ep.port());
}

class AddressPolicy : public ::testing::TestWithParam<Case> {};

TEST_P(AddressPolicy, DecidesByIdentityNotSpelling) {
  const Case& c = GetParam();
  auto allow = AllowList::Parse(c.allow, "safety.allow_hosts");
  ASSERT_TRUE(allow.ok()) << allow.status().message();
  const auto url = ParseHttpUrl(c.url);
  if (c.expect == Expect::kInvalid && !url.ok()) {
    EXPECT_EQ(url.status().code(), StatusCode::kInvalidArgument);
    return;
  }
  ASSERT_TRUE(url.ok()) << c.url << ": " << url.status().message();
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  switch (c.expect) {
    case Expect::kLoopback:
    case Expect::kAllowedAddress: {
      const auto r = CheckAndResolve(*url, "target.url", *allow, deadline);
      ASSERT_TRUE(r.ok()) << c.url << ": " << r.status().message();
      ASSERT_FALSE(r->endpoints.empty());
      EXPECT_EQ(Endpoint(r->endpoints.front()), c.endpoint) << c.url;
      for (const auto& ep : r->endpoints) {
        EXPECT_EQ(IsLoopback(ep.address()), c.expect == Expect::kLoopback) << c.url << " → " << Endpoint(ep);
      }
      EXPECT_TRUE(CheckHost(*url, "target.url", *allow).ok()) << c.url;
      break;
    }
    case Expect::kAllowedName:
      EXPECT_TRUE(CheckHost(*url, "target.url", *allow).ok()) << c.url;
      EXPECT_FALSE(CheckHost(*url, "target.url", AllowList()).ok()) << c.url << " passes without the allow list";
      break;
    case Expect::kRefused: {
      const auto r = CheckAndResolve(*url, "target.url", *allow, deadline);
      ASSERT_FALSE(r.ok()) << c.url << " passed";
      EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << r.status().message();
      const std::string& m = r.status().message();
      EXPECT_TRUE(m.starts_with("target.url: host \"" + url->host + "\"")) << m;
      EXPECT_NE(m.find("allow_hosts"), std::string::npos) << m;
      EXPECT_EQ(CheckHost(*url, "target.url", *allow).code(), StatusCode::kPermissionDenied);
      break;
    }
    case Expect::kInvalid: {
      const auto r = CheckAndResolve(*url, "target.url", *allow, deadline);
      ASSERT_FALSE(r.ok()) << c.url << " passed";
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().message();
      EXPECT_TRUE(r.status().message().starts_with("target.url: ")) << r.status().message();
      break;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Loopback, AddressPolicy,
    ::testing::Values(Case{"http://127.0.0.1:8080/", Expect::kLoopback, "127.0.0.1:8080"},
                      Case{"http://127.255.255.254/", Expect::kLoopback, "127.255.255.254:80"},
                      Case{"http://127.1:1/", Expect::kLoopback, "127.0.0.1:1"},
                      Case{"http://127.0.1:1/", Expect::kLoopback, "127.0.0.1:1"},
                      Case{"http://2130706433:1/", Expect::kLoopback, "127.0.0.1:1"},
                      Case{"http://0177.0.0.1:1/", Expect::kLoopback, "127.0.0.1:1"},
                      Case{"http://017700000001:1/", Expect::kLoopback, "127.0.0.1:1"},
                      Case{"http://0x7f.1:1/", Expect::kLoopback, "127.0.0.1:1"},
                      Case{"http://0X7F.1:1/", Expect::kLoopback, "127.0.0.1:1"},
                      Case{"http://0x7F000001:1/", Expect::kLoopback, "127.0.0.1:1"},
                      Case{"http://0x7f.0.0.1:1/", Expect::kLoopback, "127.0.0.1:1"},
                      Case{"http://127.0.0.01:1/", Expect::kLoopback, "127.0.0.1:1"},
                      Case{"http://127.000.000.001:1/", Expect::kLoopback, "127.0.0.1:1"},
                      Case{"http://127.16777215:1/", Expect::kLoopback, "127.255.255.255:1"},
                      Case{"http://127.0.0.1.:1/", Expect::kLoopback, "127.0.0.1:1"},
                      Case{"http://[::1]:1/", Expect::kLoopback, "[::1]:1"},
                      Case{"http://[0:0:0:0:0:0:0:1]:1/", Expect::kLoopback, "[::1]:1"},
                      Case{"http://[0000::0001]:1/", Expect::kLoopback, "[::1]:1"},
                      Case{"http://[::ffff:127.0.0.1]:1/", Expect::kLoopback, "127.0.0.1:1"},
                      Case{"http://[::ffff:7f00:1]:1/", Expect::kLoopback, "127.0.0.1:1"},
                      Case{"http://[::FFFF:127.1.2.3]:1/", Expect::kLoopback, "127.1.2.3:1"},
                      Case{"http://localhost:1/", Expect::kLoopback, "127.0.0.1:1"},
                      Case{"http://LOCALHOST:1/", Expect::kLoopback, "127.0.0.1:1"},
                      Case{"http://LocalHost.:1/", Expect::kLoopback, "127.0.0.1:1"},
                      Case{"http://%6c%6f%63%61%6c%68%6f%73%74:1/", Expect::kLoopback, "127.0.0.1:1"},
                      Case{"http://127.0.0.%31:1/", Expect::kLoopback, "127.0.0.1:1"},
                      Case{"http://%31%32%37.0.0.1:1/", Expect::kLoopback, "127.0.0.1:1"}));

INSTANTIATE_TEST_SUITE_P(
    Refused, AddressPolicy,
    ::testing::Values(Case{"http://10.77.0.1:1/", Expect::kRefused},
                      Case{"http://0127.0.0.1/", Expect::kRefused},  // octal 0127 = 87
                      Case{"http://0.0.0.0/", Expect::kRefused},
                      Case{"http://0/", Expect::kRefused},
                      Case{"http://[::]/", Expect::kRefused},
                      Case{"http://[::127.0.0.1]/", Expect::kRefused},  // IPv4-compatible, routed as IPv6
                      Case{"http://[64:ff9b::7f00:1]/", Expect::kRefused},  // NAT64
                      Case{"http://[::ffff:10.0.0.1]/", Expect::kRefused},
                      Case{"http://[fe80::1]/", Expect::kRefused},
                      Case{"http://[2001:db8::1]/", Expect::kRefused},
                      Case{"http://example.com/", Expect::kRefused},
                      Case{"http://localhost.example.com/", Expect::kRefused},
                      Case{"http://127.0.0.1.example.com/", Expect::kRefused},  // Boost.URL 1.81 alone reads 127.0.0.1
                      Case{"http://127.0.0.1x/", Expect::kRefused},
                      Case{"http://foo.localhost/", Expect::kRefused},
                      Case{"http://evil.com#@127.0.0.1/", Expect::kRefused},
                      Case{"http://evil.com?@127.0.0.1/", Expect::kRefused},
                      Case{"http://%31%30.0.0.1/", Expect::kRefused},
                      Case{"http://192.168.0.1/", Expect::kRefused},
                      Case{"http://1.1/", Expect::kRefused},
                      Case{"http://169.254.169.254/", Expect::kRefused},
                      Case{"http://[::ffff:169.254.169.254]/", Expect::kRefused},
                      Case{"http://0xa9fea9fe/", Expect::kRefused},
                      Case{"http://128.0.0.1/", Expect::kRefused}));

INSTANTIATE_TEST_SUITE_P(
    Invalid, AddressPolicy,
    ::testing::Values(Case{"http://127.0.0.1@evil.com/", Expect::kInvalid},
                      Case{"http://127.0.0.1:80a/", Expect::kInvalid},
                      Case{"http://evil.com@127.0.0.1/", Expect::kInvalid},
                      Case{"http://127.0.0.1:80@evil.com/", Expect::kInvalid},
                      Case{"http://1.2.3.999/", Expect::kInvalid},
                      Case{"http://08.0.0.1/", Expect::kInvalid},
                      Case{"http://127.0.0.1.1.1/", Expect::kInvalid},
                      Case{"http://4294967296/", Expect::kInvalid},
                      Case{"http://0x/", Expect::kInvalid},
                      Case{"http://localhost../", Expect::kInvalid},
                      Case{"http://[127.0.0.1]/", Expect::kInvalid}));

INSTANTIATE_TEST_SUITE_P(
    Allowed, AddressPolicy,
    ::testing::Values(Case{"http://10.77.0.1:1/", Expect::kAllowedAddress, "10.77.0.1:1", {"10.77.0.1"}},
                      Case{"http://10.77.1:1/", Expect::kAllowedAddress, "10.77.0.1:1", {"10.77.0.1"}},
                      Case{"http://012.077.0.1/", Expect::kRefused, "", {"10.77.0.1"}},  // 10.63.0.1
                      Case{"http://10.77.0.1/", Expect::kAllowedAddress, "10.77.0.1:80", {"0x0a.77.0.1"}},
                      Case{"http://[2001:DB8:0::1]/", Expect::kAllowedAddress, "[2001:db8::1]:80", {"[2001:db8::1]"}},
                      Case{"http://[::ffff:10.0.0.1]/", Expect::kRefused, "", {"2001:db8::1"}},
                      Case{"http://[::ffff:10.0.0.1]/", Expect::kAllowedAddress, "10.0.0.1:80", {"10.0.0.1"}},
                      Case{"http://example.test./", Expect::kAllowedName, "", {"Example.TEST"}},
                      Case{"http://EXAMPLE.test/", Expect::kAllowedName, "", {"example.test"}},
                      Case{"http://%65xample.test/", Expect::kAllowedName, "", {"example.test"}},
                      Case{"http://sub.example.test/", Expect::kRefused, "", {"example.test"}},
                      Case{"http://example.test.evil.com/", Expect::kRefused, "", {"example.test"}},
                      Case{"http://10.0.0.1/", Expect::kRefused, "", {"example.test"}},
                      Case{"http://db.test/", Expect::kRefused, "", {"10.77.0.1"}}));

TEST(AddressPolicy, Ipv4NotationsMeanWhatInetAtonSays) {
  for (const char* host : {"127.1", "2130706433", "0177.0.0.1", "0x7f.1", "0127.0.0.1", "10.77.1", "0xa9fea9fe",
                           "127.16777215", "012.077.0.1", "1.1", "0"}) {
    in_addr expected{};
    ASSERT_NE(::inet_aton(host, &expected), 0) << host;
    const auto id = IdentifyHost(host);
    ASSERT_TRUE(id.ok()) << host << ": " << id.status().message();
    ASSERT_EQ(id->kind, HostIdentity::Kind::kAddress) << host;
    EXPECT_EQ(id->address.to_v4().to_uint(), ntohl(expected.s_addr)) << host;
  }
  // inet_aton itself stops at white space; the policy does not.
  EXPECT_FALSE(IdentifyHost("127.0.0.1 evil.com").ok());
}

TEST(AddressPolicy, RefusalNamesTheReadingOfAnOddSpelling) {
  const auto r = CheckAndResolve(*ParseHttpUrl("http://0127.0.0.1/"), "probe.metrics", AllowList(),
                                 std::chrono::steady_clock::now() + 1s);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().message().starts_with("probe.metrics: host \"0127.0.0.1\" (87.0.0.1) is not loopback"))
      << r.status().message();
}

TEST(AddressPolicy, LocalhostIsBothLoopbackAddressesWithoutALookup) {
  const auto r = CheckAndResolve(*ParseHttpUrl("http://localhost:9/"), "--url", AllowList(),
                                 std::chrono::steady_clock::now() + 1s);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->endpoints.size(), 2u);
  EXPECT_EQ(Endpoint(r->endpoints[0]), "127.0.0.1:9");
  EXPECT_EQ(Endpoint(r->endpoints[1]), "[::1]:9");
}

TEST(AllowList, BadEntriesNameTheKeyAndTheEntry) {
  for (const char* entry : {"a b", "1.2.3.999", "[127.0.0.1]", "", "host:80", "-.test..x"}) {
    const auto r = AllowList::Parse({"ok.test", entry}, "safety.allow_hosts");
    ASSERT_FALSE(r.ok()) << "\"" << entry << "\" accepted";
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(r.status().message().starts_with(std::string("safety.allow_hosts: \"") + entry + "\""))
        << r.status().message();
  }
  EXPECT_TRUE(AllowList().empty());
  EXPECT_FALSE(AllowList::Parse({"x.test"}, "k")->empty());
}

TEST(ResolveName, GivesTheAddressesOfANameFromTheHostsFile) {
  // /etc/hosts names localhost on every supported system: no DNS query is made.
  const auto r = ResolveName("localhost", std::chrono::steady_clock::now() + 5s);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_FALSE(r->empty());
  for (const auto& a : *r) EXPECT_TRUE(IsLoopback(a)) << a.to_string();
}

}  // namespace address_policy_test
}  // namespace leakgate::net
