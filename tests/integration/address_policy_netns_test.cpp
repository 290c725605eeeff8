// Proof that a refused run sends nothing and resolves nothing.
//
// Method: each test creates a network namespace of its own (NetworkNamespace) holding a
// non-loopback address, 10.77.0.1 on a veth interface, with a TCP listener on it
// (ScriptedServer, counting connections), and a DNS server on 127.0.0.1:53 inside
// (FakeDnsServer, recording every query; `ip netns exec` points resolv.conf at it). The
// real leakgate binary runs inside through `ip netns exec`. Inside, both the listener and the
// DNS server are reachable — the tests with --allow-host prove it by being connected to and
// asked — so a refused run that shows zero connections and zero queries really made none.
// Nothing routes out of the namespace: whatever leakgate did, no traffic could leave.
//
// Needs root and iproute2 (CI runs as root): when the namespace cannot be created, the
// tests FAIL saying so. The namespace is deleted after every test, passed or failed.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "../probes/scripted_server.h"
#include "fake_dns.h"
#include "leakgate_process.h"
#include "network_namespace.h"

namespace leakgate::testing {
namespace address_policy_netns_test {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kName = "some-name.test";

// Time for a stray connection or query to show in the counts after leakgate exited (the
// servers poll every 50 ms; the kernel queues what leakgate sent before it exited).
constexpr auto kStragglers = 300ms;

class AddressPolicyNetns : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string error = ns_.Create();
    ASSERT_EQ(error, "") << "cannot create the network namespace this test needs (run as root, with iproute2 "
                            "installed: tools/setup.sh): "
                         << error;
  }

  // The listener on 10.77.0.1 and the DNS server, inside the namespace.
  void StartServers(bool silent_dns) {
    std::string failure;
    const std::string error = ns_.RunInside([&] {
      try {
        dns_ = std::make_unique<FakeDnsServer>(std::map<std::string, std::string>{{kName, NetworkNamespace::kAddress}},
                                               silent_dns);
        listener_ = std::make_unique<ScriptedServer>(
            [this](int fd, const std::atomic<bool>& stop) {
              const std::string head = ScriptedServer::ReadRequestHead(fd, stop);
              {
                std::lock_guard lock(mu_);
                last_request_head_ = head;
              }
              ScriptedServer::SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", stop);
            },
            NetworkNamespace::kAddress);
      } catch (const std::exception& e) {
        failure = e.what();
      }
    });
    ASSERT_EQ(error, "");
    ASSERT_EQ(failure, "");
    ASSERT_EQ(dns_->error(), "");
  }

  std::string UrlOf(const std::string& host) const { return fmt::format("http://{}:{}/", host, listener_->port()); }

  ProcessOutcome Load(std::vector<std::string> args) {
    for (const char* a : {"--rate", "20", "--duration", "1s", "--timeout", "1s"}) args.emplace_back(a);
    args.insert(args.begin(), "load");
    return RunLeakgateUnder(ns_.ExecPrefix(), args, 60s);
  }

  // Polls until the listener saw a connection or ~5 s pass.
  int ConnectionsEventually() const {
    for (int i = 0; i < 100 && listener_->connections() == 0; ++i) std::this_thread::sleep_for(50ms);
    return listener_->connections();
  }

  std::string DescribeQueries() const {
    std::string out;
    for (const auto& q : dns_->Queries()) out += fmt::format(" {}/{}/{}", q.transport, q.name, q.type);
    return out.empty() ? " none" : out;
  }

  std::string LastRequestHead() const {
    std::lock_guard lock(mu_);
    return last_request_head_;
  }

  NetworkNamespace ns_;  // first: destroyed last, after the sockets inside it
  mutable std::mutex mu_;
  std::string last_request_head_;  // guarded by mu_
  std::unique_ptr<FakeDnsServer> dns_;
  std::unique_ptr<ScriptedServer> listener_;
};

TEST_F(AddressPolicyNetns, RefusedAddressIsNeverConnectedToInAnySpelling) {
  StartServers(/*silent_dns=*/false);
  for (const char* host : {"10.77.0.1", "0x0a.77.0.1", "172818433", "10.77.1", "[::ffff:10.77.0.1]"}) {
    const auto r = Load({UrlOf(host)});
    EXPECT_EQ(r.exit_code, 2) << host << ": " << r.err;
    EXPECT_NE(r.err.find(fmt::format("host \"{}\"", std::string_view(host).starts_with("[") ? "::ffff:10.77.0.1" : host)),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("is not loopback"), std::string::npos) << r.err;
  }
  std::this_thread::sleep_for(kStragglers);
  EXPECT_EQ(listener_->connections(), 0);
  EXPECT_TRUE(dns_->Queries().empty()) << "DNS queries:" << DescribeQueries();
}

TEST_F(AddressPolicyNetns, RefusedNameIsNeverResolved) {
  StartServers(/*silent_dns=*/false);
  const auto r = Load({UrlOf(kName)});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(fmt::format("host \"{}\" is not loopback (not resolved)", kName)), std::string::npos) << r.err;
  std::this_thread::sleep_for(kStragglers);
  EXPECT_TRUE(dns_->Queries().empty()) << "DNS queries:" << DescribeQueries();
  EXPECT_EQ(listener_->connections(), 0);
}

TEST_F(AddressPolicyNetns, AllowedAddressIsConnectedToWithoutALookup) {
  StartServers(/*silent_dns=*/false);
  const auto r = Load({UrlOf(NetworkNamespace::kAddress), "--allow-host", NetworkNamespace::kAddress});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(ConnectionsEventually(), 0) << "the listener on 10.77.0.1 was not reached: " << r.out << r.err;
  EXPECT_TRUE(dns_->Queries().empty()) << "DNS queries:" << DescribeQueries();
}

TEST_F(AddressPolicyNetns, AllowedNameIsResolvedOnceAndItsAddressConnectedTo) {
  StartServers(/*silent_dns=*/false);
  const auto r = Load({UrlOf(kName), "--allow-host", "Some-Name.TEST"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(ConnectionsEventually(), 0) << r.out << r.err;
  int a_queries = 0;
  for (const auto& q : dns_->Queries()) {
    EXPECT_EQ(q.name, kName) << "DNS queries:" << DescribeQueries();
    if (q.type == 1) ++a_queries;
  }
  EXPECT_EQ(a_queries, 1) << "one lookup for the whole run; DNS queries:" << DescribeQueries();
  // Connected to the resolved address, still asking for the name.
  EXPECT_NE(LastRequestHead().find(fmt::format("\r\nHost: {}:{}\r\n", kName, listener_->port())), std::string::npos)
      << LastRequestHead();
}

TEST_F(AddressPolicyNetns, AllowedNameWhoseDnsNeverAnswersFailsAtTheDeadline) {
  StartServers(/*silent_dns=*/true);
  const auto start = Clock::now();
  const auto r = Load({UrlOf(kName), "--allow-host", kName});
  const auto elapsed = Clock::now() - start;
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find(fmt::format("resolving \"{}\" timed out", kName)), std::string::npos) << r.err;
  // --timeout 1s bounds the lookup; glibc alone waits 5 s before its first retry.
  EXPECT_LT(elapsed, 4s) << r.err;
  EXPECT_FALSE(dns_->Queries().empty()) << "the name was never asked for";
  std::this_thread::sleep_for(kStragglers);
  EXPECT_EQ(listener_->connections(), 0);
}

}  // namespace address_policy_netns_test
}  // namespace leakgate::testing
