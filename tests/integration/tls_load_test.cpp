// HTTPS load and probes against the real Go example target's TLS listener
// (examples/go-targets/leaky/tls_listener.go), with throwaway certificates made by the
// openssl command line for this run (go_tls_target.h). Each suite starts one target and
// reads what the server saw from its "tls" expvar counters (completed and
// failed handshakes, client certificates) over the plain listener, so every client-side
// claim — handshakes counted, mutual TLS refused, verification failing — is checked
// against the server's own account.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "go_tls_target.h"
#include "harness/load/load_engine.h"
#include "probes/http_fetch.h"

namespace leakgate::load {
namespace tls_load_test {

using namespace std::chrono_literals;
using testing::GoTlsTarget;

scenario::Phase Phase(double rate, scenario::Duration duration) {
  scenario::Phase p;
  p.name = "tls";
  p.rate = rate;
  p.duration = duration;
  p.timeout = 3s;
  return p;
}

std::vector<scenario::Traffic> Hello() {
  scenario::Traffic t;
  t.name = "hello";
  t.path = "/hello";
  return {t};
}

int64_t ErrorsOf(const PhaseLoadResult& r, stats::ErrorKind kind) { return r.stats.errors_by_kind[static_cast<size_t>(kind)]; }

class TlsLoadTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { target_ = std::make_unique<GoTlsTarget>(/*mutual=*/false); }
  static void TearDownTestSuite() { target_.reset(); }
  static net::TlsSettings Trusting() { return testing::TrustCa(target_->certs.ca); }

  PhaseLoadResult Run(const scenario::Phase& phase, const net::TlsSettings& tls) {
    const LoadEngine engine(Hello(), target_->https_url, tls);
    return engine.RunPhase(phase, stop_);
  }

  static std::unique_ptr<GoTlsTarget> target_;
  std::atomic<bool> stop_{false};
};
std::unique_ptr<GoTlsTarget> TlsLoadTest::target_;

TEST_F(TlsLoadTest, HttpsLoadOverKeepAliveHandshakesOncePerConnection) {
  const int64_t before = target_->Counter("tls", "handshakes");
  scenario::Phase phase = Phase(0, 1s);
  phase.concurrency = 8;  // closed model: 8 users, each one request at a time, so at most 8 connections
  const auto r = Run(phase, Trusting());
  EXPECT_GT(r.stats.sent, 50);
  EXPECT_EQ(r.stats.ok, r.stats.sent) << "errors: " << r.stats.errors();
  EXPECT_GE(r.stats.connections_opened, 1);
  EXPECT_LE(r.stats.connections_opened, 8) << "keep-alive connections are reused";
  EXPECT_EQ(r.stats.tls_handshakes, r.stats.connections_opened) << "one handshake per connection";
  EXPECT_EQ(r.stats.tls_handshake_failures, 0);
  EXPECT_EQ(r.stats.tls_handshake_time.count(), r.stats.tls_handshakes);
  EXPECT_GT(r.stats.tls_handshake_time.QuantileNanos(0.5), 0);
  EXPECT_EQ(target_->CounterEventually("tls", "handshakes", before + r.stats.tls_handshakes), before + r.stats.tls_handshakes)
      << "the server completed exactly the handshakes leakgate counted";
}

TEST_F(TlsLoadTest, PerRequestConnectionsHandshakeForEveryRequest) {
  const int64_t before = target_->Counter("tls", "handshakes");
  auto phase = Phase(200, 1s);
  phase.connections.per_request = true;
  const auto r = Run(phase, Trusting());
  EXPECT_EQ(r.stats.ok, 200) << "errors: " << r.stats.errors();
  EXPECT_EQ(r.stats.connections_opened, 200);
  EXPECT_EQ(r.stats.tls_handshakes, 200);
  EXPECT_EQ(r.stats.tls_resumed, 0) << "no session resumption unless asked";
  EXPECT_EQ(target_->CounterEventually("tls", "handshakes", before + 200), before + 200);
}

// resume_sessions: each new connection offers the newest ticket the server granted, and
// the Go server resumes it (crypto/tls's ConnectionState.DidResume, counted per handshake).
TEST_F(TlsLoadTest, ResumedSessionsSkipTheFullHandshakeAndTheServerSaysSo) {
  const int64_t before = target_->Counter("tls", "handshakes");
  const int64_t resumed_before = target_->Counter("tls", "resumed");
  auto phase = Phase(100, 1s);
  phase.connections.per_request = true;
  auto tls = Trusting();
  tls.resume_sessions = true;
  const auto r = Run(phase, tls);
  EXPECT_EQ(r.stats.ok, 100) << "errors: " << r.stats.errors();
  EXPECT_EQ(r.stats.tls_handshakes, 100);
  EXPECT_GE(r.stats.tls_resumed, 90) << "all but the connections opened before the first ticket arrived";
  EXPECT_LT(r.stats.tls_resumed, 100) << "the first connection has no session to offer";
  EXPECT_EQ(target_->CounterEventually("tls", "handshakes", before + 100), before + 100);
  EXPECT_EQ(target_->CounterEventually("tls", "resumed", resumed_before + r.stats.tls_resumed),
            resumed_before + r.stats.tls_resumed)
      << "the server resumed exactly the sessions leakgate counted as resumed";
}

TEST_F(TlsLoadTest, AnUntrustedServerCertificateFailsEveryRequestAsATlsError) {
  const int64_t failed_before = target_->Counter("tls", "handshake_errors");
  const auto r = Run(Phase(50, 500ms), testing::TrustCa(target_->certs.other_ca));
  EXPECT_EQ(r.stats.sent, 25);
  EXPECT_EQ(r.stats.ok, 0);
  EXPECT_EQ(ErrorsOf(r, stats::ErrorKind::kTls), 25);
  EXPECT_EQ(r.stats.tls_handshakes, 0);
  EXPECT_EQ(r.stats.tls_handshake_failures, 25);
  EXPECT_GE(target_->CounterEventually("tls", "handshake_errors", failed_before + 25), failed_before + 25)
      << "the server saw the client abort each handshake";
}

TEST_F(TlsLoadTest, AWrongServerNameFailsVerification) {
  const auto r = Run(Phase(20, 500ms), testing::TrustCa(target_->certs.ca, "not-this-host.test"));
  EXPECT_EQ(r.stats.ok, 0);
  EXPECT_EQ(ErrorsOf(r, stats::ErrorKind::kTls), r.stats.sent);
}

TEST_F(TlsLoadTest, InsecureSkipVerifyAcceptsAnyCertificate) {
  net::TlsSettings insecure;
  insecure.insecure_skip_verify = true;
  const auto r = Run(Phase(20, 500ms), insecure);
  EXPECT_EQ(r.stats.ok, 10);
}

TEST_F(TlsLoadTest, ProbesReadTheTlsAdminPortAndSayWhyVerificationFailed) {
  const auto ok = probes::HttpGetOk(target_->https_url + "/debug/pprof/goroutine?debug=1",
                                    {.timeout = 5s, .tls = Trusting()});
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_NE(ok->find("goroutine profile: total"), std::string::npos);

  const auto bad = probes::HttpGet(target_->https_url + "/healthz", {.timeout = 5s, .tls = testing::TrustCa(target_->certs.other_ca)});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(bad.status().message().find("TLS handshake: certificate verify failed: unable to get local issuer certificate"),
            std::string::npos)
      << bad.status().message();

  const auto no_ca = probes::HttpGet(target_->https_url + "/healthz", {.timeout = 5s, .tls = testing::TrustCa("/nonexistent/ca.pem")});
  ASSERT_FALSE(no_ca.ok());
  EXPECT_NE(no_ca.status().message().find("\"/nonexistent/ca.pem\": no such file"), std::string::npos) << no_ca.status().message();
}

class MutualTlsTest : public TlsLoadTest {
 protected:
  static void SetUpTestSuite() { target_ = std::make_unique<GoTlsTarget>(/*mutual=*/true); }
};

TEST_F(MutualTlsTest, WithTheClientCertificateEveryRequestSucceeds) {
  const int64_t certs_before = target_->Counter("tls", "client_certs");
  auto tls = Trusting();
  tls.cert = target_->certs.client_cert;
  tls.key = target_->certs.client_key;
  const auto r = Run(Phase(100, 500ms), tls);
  EXPECT_EQ(r.stats.ok, 50) << "errors: " << r.stats.errors();
  EXPECT_EQ(target_->CounterEventually("tls", "client_certs", certs_before + r.stats.tls_handshakes),
            certs_before + r.stats.tls_handshakes)
      << "every connection presented the client certificate";
}

TEST_F(MutualTlsTest, WithoutAClientCertificateTheServerRefusesEveryConnection) {
  const int64_t failed_before = target_->Counter("tls", "handshake_errors");
  const auto r = Run(Phase(40, 500ms), Trusting());
  EXPECT_EQ(r.stats.sent, 20);
  EXPECT_EQ(r.stats.ok, 0);
  EXPECT_EQ(ErrorsOf(r, stats::ErrorKind::kTls), 20) << "refused by the server's alert, not a plain read error";
  EXPECT_GE(target_->CounterEventually("tls", "handshake_errors", failed_before + 20), failed_before + 20);
}

}  // namespace tls_load_test
}  // namespace leakgate::load
