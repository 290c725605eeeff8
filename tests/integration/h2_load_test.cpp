// HTTP/2 load (harness/load/h2) against the real Go example target: h2c on its
// -h2c-addr listener (net/http's HTTP/2 server, prior knowledge) and h2 negotiated by
// ALPN on its TLS listener, with throwaway certificates made for the run (go_tls_target.h).
// One target per suite; what the server saw is read from its expvar counters (h2c.connections,
// observe.echo_bytes, observe.slow_cancelled, tls.h2_connections) over the plain listener.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "go_target_fixture.h"
#include "go_tls_target.h"
#include "harness/load/load_engine.h"

namespace leakgate::load {
namespace h2_load_test {

using namespace std::chrono_literals;

class H2LoadTest : public testing::GoTargetTest {
 protected:
  static void SetUpTestSuite() { server_ = std::make_unique<testing::GoTlsTarget>(/*mutual=*/false); }
  static void TearDownTestSuite() { server_.reset(); }

  static scenario::Phase Phase(scenario::Phase::Wire wire, double rate, scenario::Duration duration) {
    scenario::Phase p = GoTargetTest::Phase(rate, duration);
    p.protocol = wire;
    p.timeout = 3s;
    return p;
  }
  PhaseLoadResult Run(const scenario::Phase& phase, const std::vector<scenario::Traffic>& traffic, const std::string& url,
                      const std::optional<net::TlsSettings>& tls = std::nullopt) {
    const LoadEngine engine(traffic, url, tls);
    return engine.RunPhase(phase, stop_);
  }

  static std::unique_ptr<testing::GoTlsTarget> server_;
};
std::unique_ptr<testing::GoTlsTarget> H2LoadTest::server_;

TEST_F(H2LoadTest, H2cMultiplexesEveryRequestOverTheAllowedConnections) {
  const int64_t accepted = server_->Counter("h2c", "connections");
  auto phase = Phase(scenario::Phase::Wire::kH2c, 400, 1s);
  phase.connections.max = 2;
  phase.streams_per_connection = 50;
  const auto r = Run(phase, Traffic("/hello"), server_->h2c_url);
  EXPECT_EQ(r.stats.sent, 400);
  EXPECT_EQ(r.stats.ok, 400) << "errors: " << r.stats.errors();
  EXPECT_GE(r.stats.connections_opened, 1);
  EXPECT_LE(r.stats.connections_opened, 2) << "streams share the phase's connections";
  EXPECT_EQ(r.stats.corrected.count(), 400);
  EXPECT_EQ(server_->CounterEventually("h2c", "connections", accepted + r.stats.connections_opened),
            accepted + r.stats.connections_opened)
      << "the server accepted exactly the connections leakgate opened";
}

TEST_F(H2LoadTest, RequestBodiesTravelAsDataFrames) {
  const int64_t bytes = server_->Counter("observe", "echo_bytes");
  const auto r = Run(Phase(scenario::Phase::Wire::kH2c, 100, 500ms), Traffic("/echo", "POST", std::string(3000, 'x')),
                     server_->h2c_url);
  EXPECT_EQ(r.stats.ok, 50) << "errors: " << r.stats.errors();
  EXPECT_EQ(server_->CounterEventually("observe", "echo_bytes", bytes + 50 * 3000), bytes + 50 * 3000);
}

TEST_F(H2LoadTest, H2OverTlsIsNegotiatedByAlpn) {
  const int64_t h2_before = server_->Counter("tls", "h2_connections");
  auto phase = Phase(scenario::Phase::Wire::kH2, 200, 1s);
  phase.connections.max = 2;
  const auto r = Run(phase, Traffic("/hello"), server_->https_url, testing::TrustCa(server_->certs.ca));
  EXPECT_EQ(r.stats.ok, 200) << "errors: " << r.stats.errors();
  EXPECT_LE(r.stats.connections_opened, 2);
  EXPECT_EQ(r.stats.tls_handshakes, r.stats.connections_opened);
  EXPECT_EQ(server_->CounterEventually("tls", "h2_connections", h2_before + r.stats.tls_handshakes),
            h2_before + r.stats.tls_handshakes)
      << "every connection speaks HTTP/2 by the server's account";
}

TEST_F(H2LoadTest, ADeadlineResetsTheStreamAndTheHandlerSeesItsContextEnd) {
  const int64_t cancelled = server_->Counter("observe", "slow_cancelled");
  auto phase = Phase(scenario::Phase::Wire::kH2c, 40, 500ms);
  phase.timeout = 100ms;
  const auto r = Run(phase, Traffic("/slow?ms=3000"), server_->h2c_url);
  EXPECT_EQ(r.stats.sent, 20);
  EXPECT_EQ(r.stats.errors_by_kind[static_cast<size_t>(stats::ErrorKind::kTimeout)], 20);
  EXPECT_EQ(server_->CounterEventually("observe", "slow_cancelled", cancelled + 20), cancelled + 20)
      << "RST_STREAM ended every handler's request context";
}

}  // namespace h2_load_test
}  // namespace leakgate::load
