// The chaos proxy speaking TLS to a dependency's upstream (dependencies[].tls): the
// target's side is plain text, the upstream's is TLS, against the real Go example
// target's TLS listener (go_tls_target.h) with certificates made for the run. What the
// Go server saw comes from its own "tls" expvar counters (handshakes, client
// certificates, failed handshakes), so each claim is checked on the server's side too:
// bytes relayed both ways over TLS, the HTTP faults acting on the decrypted requests,
// mutual TLS with and without the proxy's certificate, and verification failures named
// in the fault log.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "go_tls_target.h"
#include "harness/faults/proxy/chaos_proxy.h"
#include "probes/http_fetch.h"

namespace leakgate::testing {
namespace proxy_tls_upstream_test {

using namespace std::chrono_literals;
using faults::proxy::ChaosProxy;

int PortOf(const std::string& url) { return std::stoi(url.substr(url.rfind(':') + 1)); }

scenario::Dependency TlsUpstream(const GoTlsTarget& target, const net::TlsSettings& tls, bool http = false) {
  scenario::Dependency d;
  d.name = "api";
  d.upstream_host = "127.0.0.1";
  d.upstream_name = "localhost";  // as a scenario would name it: the certificate carries it
  d.upstream_port = PortOf(target.https_url);
  d.tls = tls;
  d.http = http;
  return d;
}

std::unique_ptr<ChaosProxy> Start(const scenario::Dependency& d) {
  auto proxy = ChaosProxy::Start({d}, {});
  EXPECT_TRUE(proxy.ok()) << proxy.status().message();
  if (!proxy.ok()) return nullptr;
  return std::move(*proxy);
}

StatusOr<probes::HttpResponse> GetThrough(const ChaosProxy& proxy, const std::string& path) {
  return probes::HttpGet("http://" + proxy.Address("api") + path, {.timeout = 5s});
}

// Whether the fault log holds an event whose text contains `part`.
bool Logged(const ChaosProxy& proxy, const std::string& part) {
  for (const auto& e : proxy.FaultLog()) {
    if (e.what.find(part) != std::string::npos) return true;
  }
  return false;
}

TEST(ProxyTlsUpstream, PlainTextFromTheTargetIsTlsToTheUpstream) {
  GoTlsTarget target(/*mutual=*/false);
  const int64_t before = target.Counter("tls", "handshakes");
  auto proxy = Start(TlsUpstream(target, TrustCa(target.certs.ca)));
  ASSERT_TRUE(proxy);
  for (int i = 0; i < 3; ++i) {
    const auto r = GetThrough(*proxy, "/hello");
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->status, 200u);
    EXPECT_FALSE(r->body.empty());
  }
  EXPECT_EQ(target.CounterEventually("tls", "handshakes", before + 3), before + 3)
      << "one TLS handshake per proxied connection, done by the proxy";
  EXPECT_EQ(target.Counter("tls", "handshake_errors"), 0);
}

TEST(ProxyTlsUpstream, HttpFaultsActOnTheRequestsTlsCarries) {
  GoTlsTarget target(/*mutual=*/false);
  auto proxy = Start(TlsUpstream(target, TrustCa(target.certs.ca), /*http=*/true));
  ASSERT_TRUE(proxy);
  scenario::DependencyFault error;
  error.kind = scenario::DependencyFault::kHttpError;
  error.dependency = "api";
  error.status = 503;
  error.path = "/v1/*";
  ASSERT_TRUE(proxy->SetPhase("faulted", {error}).ok());
  const auto answered = GetThrough(*proxy, "/v1/x");
  ASSERT_TRUE(answered.ok()) << answered.status().message();
  EXPECT_EQ(answered->status, 503u) << "the proxy read the request in plain text and answered it";
  const auto relayed = GetThrough(*proxy, "/hello");
  ASSERT_TRUE(relayed.ok()) << relayed.status().message();
  EXPECT_EQ(relayed->status, 200u) << "a request the fault does not match reaches the TLS upstream";
}

TEST(ProxyTlsUpstream, MutualTlsNeedsTheProxysCertificate) {
  GoTlsTarget target(/*mutual=*/true);
  {
    auto without = Start(TlsUpstream(target, TrustCa(target.certs.ca)));
    ASSERT_TRUE(without);
    const auto r = GetThrough(*without, "/hello");
    EXPECT_FALSE(r.ok() && r->status == 200) << "the server requires a client certificate";
    EXPECT_GE(target.CounterEventually("tls", "handshake_errors", 1), 1) << "the server refused the handshake";
  }
  net::TlsSettings mutual = TrustCa(target.certs.ca);
  mutual.cert = target.certs.client_cert;
  mutual.key = target.certs.client_key;
  const int64_t certs_before = target.Counter("tls", "client_certs");
  auto with = Start(TlsUpstream(target, mutual));
  ASSERT_TRUE(with);
  const auto r = GetThrough(*with, "/hello");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(target.CounterEventually("tls", "client_certs", certs_before + 1), certs_before + 1);
}

TEST(ProxyTlsUpstream, AnUntrustedOrMisnamedUpstreamIsRefusedAndLogged) {
  GoTlsTarget target(/*mutual=*/false);
  auto untrusted = Start(TlsUpstream(target, TrustCa(target.certs.other_ca)));
  ASSERT_TRUE(untrusted);
  const auto r = GetThrough(*untrusted, "/hello");
  EXPECT_FALSE(r.ok()) << "the target's side is closed when the upstream's certificate is not trusted";
  EXPECT_TRUE(Logged(*untrusted, "TLS handshake failed")) << "the fault log says why";

  auto misnamed = Start(TlsUpstream(target, TrustCa(target.certs.ca, "wrong.example")));
  ASSERT_TRUE(misnamed);
  EXPECT_FALSE(GetThrough(*misnamed, "/hello").ok());
  EXPECT_TRUE(Logged(*misnamed, "TLS handshake failed"));
}

TEST(ProxyTlsUpstream, AStubWithTlsIsRefused) {
  scenario::Dependency d;
  d.name = "api";
  d.http_stub = scenario::HttpStub{};
  d.tls = net::TlsSettings{};
  const auto proxy = ChaosProxy::Start({d}, {});
  ASSERT_FALSE(proxy.ok());
  EXPECT_NE(proxy.status().message().find("tls is for an upstream"), std::string::npos) << proxy.status().message();
}

}  // namespace proxy_tls_upstream_test
}  // namespace leakgate::testing
