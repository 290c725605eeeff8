// gRPC over TLS, with each client (the HTTP/2 data plane's net::MakeClientTlsContext, and
// grpc++ through harness/load/grpc/grpc_transport.h) against the real Go gRPC target
// serving TLS on its gRPC port (-tls-cert/-tls-key, -client-ca for mutual TLS), with
// throwaway certificates made for the run: calls succeed when the CA is trusted, one TLS
// handshake per channel as the server counted it (its expvar tls.handshakes), client
// certificates for mutual TLS, server reflection over TLS, and every call failing for an
// untrusted CA, a wrong server name or a missing client certificate.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "harness/load/load_engine.h"
#include "harness/runner/ports.h"
#include "harness/runner/target_process.h"
#include "harness/scenario/scenario_loader.h"
#include "probes/http_fetch.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_certs.h"

namespace leakgate::testing {
namespace grpc_tls_test {

using namespace std::chrono_literals;

constexpr const char* kHello =
    "  - {name: hello, grpc: {method: leakgate.example.v1.LeakService/Hello, request: {name: gopher}}}";
constexpr const char* kPhase = "{name: load, duration: 500ms, rate: 100}";

// The parameter: the scenario's grpc.client.
class GrpcTlsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void StartTarget(bool mutual) {
    port_ = runner::AllocateLoopbackPort();
    side_port_ = runner::AllocateLoopbackPort();
    std::vector<std::string> argv = {LEAKGATE_GO_GRPC_TARGET, "-addr", Addr(port_), "-pprof-addr", Addr(side_port_),
                                     "-mode", "fixed", "-tls-cert", certs_.server_cert, "-tls-key", certs_.server_key};
    if (mutual) argv.insert(argv.end(), {"-client-ca", certs_.ca});
    target_.emplace(runner::TargetProcess::Start(argv, {}, dir_ + "/target.log"));
    for (int i = 0; i < 200; ++i) {
      if (auto r = probes::HttpGet(SideUrl("/healthz"), {.timeout = 1s}); r.ok() && r->status == 200) return;
      std::this_thread::sleep_for(25ms);
    }
    FAIL() << "target not ready: " << target_->LogTail(20);
  }
  void TearDown() override {
    if (target_) target_->Stop(5s);
    std::filesystem::remove_all(dir_);
    std::filesystem::remove_all(certs_.dir);
  }

  static std::string Addr(int port) { return "127.0.0.1:" + std::to_string(port); }
  std::string SideUrl(const std::string& path) const { return "http://" + Addr(side_port_) + path; }

  // A scenario at https://127.0.0.1:PORT with `tls` (a YAML flow mapping).
  scenario::Scenario Load(const std::string& tls, const std::string& grpc = "") const {
    const std::string protos =
        fmt::format("{{protos: [leakgate/example/v1/leak.proto], import_paths: [\"{}/examples/go-targets/grpc/proto\"]}}",
                    LEAKGATE_SOURCE_DIR);
    std::string section = grpc.empty() ? protos : grpc;
    section.insert(section.size() - 1, ", client: " + GetParam());
    return scenario::ParseScenario(fmt::format("name: t\ntarget: {{url: \"https://{}\", tls: {}}}\ngrpc: {}\n"
                                               "traffic:\n{}\nphases:\n  - {}\n",
                                               Addr(port_), tls, section, kHello, kPhase),
                                   "inline.yaml", {});
  }
  std::string TrustingCa(const std::string& extra = "") const {
    return fmt::format("{{ca: \"{}\"{}}}", certs_.ca, extra);
  }

  load::PhaseLoadResult Run(const scenario::Scenario& s) {
    engine_ = std::make_unique<load::LoadEngine>(s);
    return engine_->RunPhase(s.phases.at(0), stop_);
  }

  // The server's tls.NAME counter.
  int64_t Tls(const std::string& name) const {
    const auto r = probes::HttpGetOk(SideUrl("/debug/vars"), {.timeout = 5s});
    if (!r.ok()) return -1;
    const auto j = nlohmann::json::parse(*r, nullptr, false);
    return j.is_discarded() || !j.contains("tls") ? -1 : j["tls"][name].get<int64_t>();
  }

  TestCerts certs_ = MakeTestCerts();
  std::string dir_ = MakeTempDir("leakgate-grpc-tls");
  int port_ = 0, side_port_ = 0;
  std::optional<runner::TargetProcess> target_;
  std::unique_ptr<load::LoadEngine> engine_;
  std::atomic<bool> stop_{false};
};

TEST_P(GrpcTlsTest, CallsOverTlsSucceedWithOneHandshakePerChannel) {
  StartTarget(/*mutual=*/false);
  const auto r = Run(Load(TrustingCa()));
  EXPECT_EQ(r.stats.sent, 50);
  EXPECT_EQ(r.stats.ok, 50) << "errors: " << r.stats.errors();
  EXPECT_EQ(r.stats.connections_opened, r.workers);
  EXPECT_EQ(Tls("handshakes"), r.stats.connections_opened) << "the server saw one TLS handshake per channel";
  EXPECT_EQ(Tls("client_certs"), 0);
}

TEST_P(GrpcTlsTest, ServerReflectionWorksOverTls) {
  StartTarget(/*mutual=*/false);
  const auto r = Run(Load(TrustingCa(), "{reflection: true}"));
  EXPECT_EQ(r.stats.ok, 50) << "errors: " << r.stats.errors();
}

TEST_P(GrpcTlsTest, MutualTlsSendsTheClientCertificate) {
  StartTarget(/*mutual=*/true);
  const auto r = Run(Load(TrustingCa(fmt::format(", cert: \"{}\", key: \"{}\"", certs_.client_cert, certs_.client_key))));
  EXPECT_EQ(r.stats.ok, 50) << "errors: " << r.stats.errors();
  EXPECT_GE(Tls("client_certs"), r.stats.connections_opened);
  const auto without = Run(Load(TrustingCa()));
  EXPECT_EQ(without.stats.ok, 0) << "the server requires a client certificate";
  EXPECT_EQ(without.stats.errors(), without.stats.sent);
}

TEST_P(GrpcTlsTest, UntrustedCertificateOrWrongServerNameFailsEveryCall) {
  StartTarget(/*mutual=*/false);
  const auto untrusted = Run(Load(fmt::format("{{ca: \"{}\"}}", certs_.other_ca)));
  EXPECT_EQ(untrusted.stats.ok, 0);
  EXPECT_EQ(untrusted.stats.errors(), untrusted.stats.sent);
  const auto wrong_name = Run(Load(TrustingCa(", server_name: wrong.example")));
  EXPECT_EQ(wrong_name.stats.ok, 0);
  const auto localhost = Run(Load(TrustingCa(", server_name: localhost")));
  EXPECT_EQ(localhost.stats.ok, 50) << "the certificate names localhost too; errors: " << localhost.stats.errors();
}

// grpc++ always verifies: refused before any connection. The HTTP/2 plane skips the check.
TEST_P(GrpcTlsTest, SkippingVerificationWorksOnTheH2PlaneAndIsRefusedByGrpcpp) {
  if (GetParam() == "h2") {
    StartTarget(false);
    const auto r = Run(Load("{insecure_skip_verify: true}"));
    EXPECT_EQ(r.stats.ok, 50) << "errors: " << r.stats.errors();
    EXPECT_EQ(Run(Load("{}")).stats.ok, 0) << "without skipping, the untrusted certificate fails every call";
    return;
  }
  port_ = runner::AllocateLoopbackPort();  // nothing listens: refused before any connection
  try {
    load::LoadEngine engine(Load("{insecure_skip_verify: true}"));
    ADD_FAILURE() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("target.tls.insecure_skip_verify: gRPC over TLS always verifies"),
              std::string::npos)
        << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Clients, GrpcTlsTest, ::testing::Values("h2", "grpcpp"),
                         [](const auto& client) { return client.param; });

}  // namespace grpc_tls_test
}  // namespace leakgate::testing
