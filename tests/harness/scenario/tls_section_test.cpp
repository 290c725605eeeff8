// Scenario loader, the tls: blocks (tls_section.h): target.tls, probe.tls and a probe
// source's own {url, tls}; files must exist (made here in a temp dir), cert and key go
// together, unknown keys are errors at the key. The runner's order of precedence
// (source, probe, target) is checked through runner::ProbeSourceTls.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "harness/runner/readiness.h"
#include "harness/scenario/scenario_loader.h"
#include "tests/harness/scenario/expect_scenario_error.h"
#include "tests/support/subprocess.h"

namespace leakgate::scenario {
namespace tls_section_test {

class TlsSection : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("leakgate-tls-section");
    for (const char* f : {"ca.pem", "c.pem", "c.key", "admin.pem"}) std::ofstream(dir_ + "/" + f) << "x\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Scenario Parse(const std::string& yaml) {
    LoadOptions options;
    options.allocate_port = [next = 40000]() mutable { return next++; };
    options.var_overrides["d"] = dir_;
    return ParseScenario(yaml, "t.yaml", options);
  }

  std::string dir_;
};

TEST_F(TlsSection, TargetAndProbeBlocksAreReadAndApplyInOrder) {
  const auto s = Parse(R"(name: t
vars: {d: ""}
target:
  url: https://127.0.0.1:8443
  tls: {ca: "${d}/ca.pem", cert: "${d}/c.pem", key: "${d}/c.key", server_name: svc.test}
probe:
  pprof: {url: "https://127.0.0.1:6061/debug/pprof", tls: {ca: "${d}/admin.pem"}}
  expvar: /debug/vars
phases: [{name: l, duration: 1s}]
)");
  EXPECT_EQ(s.target.url, "https://127.0.0.1:8443");
  ASSERT_TRUE(s.target.tls);
  EXPECT_EQ(s.target.tls->ca, dir_ + "/ca.pem");
  EXPECT_EQ(s.target.tls->cert, dir_ + "/c.pem");
  EXPECT_EQ(s.target.tls->key, dir_ + "/c.key");
  EXPECT_EQ(s.target.tls->server_name, "svc.test");
  EXPECT_FALSE(s.target.tls->insecure_skip_verify);
  EXPECT_FALSE(s.target.tls->resume_sessions) << "a full handshake per connection unless asked";
  EXPECT_EQ(s.probe.pprof, "https://127.0.0.1:6061/debug/pprof");
  ASSERT_TRUE(s.probe.pprof_tls);
  EXPECT_EQ(s.probe.pprof_tls->ca, dir_ + "/admin.pem");
  EXPECT_FALSE(s.probe.tls);

  EXPECT_EQ(runner::ProbeSourceTls(s.target, s.probe, s.probe.pprof_tls)->ca, dir_ + "/admin.pem") << "its own block";
  EXPECT_EQ(runner::ProbeSourceTls(s.target, s.probe, s.probe.expvar_tls), s.target.tls) << "else the target's";
  EXPECT_EQ(runner::ReadinessTls(s.target, s.probe)->ca, dir_ + "/admin.pem") << "readiness polls the pprof source";
}

TEST_F(TlsSection, ProbeTlsIsTheDefaultOfEverySource) {
  const auto s = Parse(R"(name: t
vars: {d: ""}
target: {url: "http://127.0.0.1:8080"}
probe:
  pprof: https://127.0.0.1:6061/debug/pprof
  tls: {insecure_skip_verify: true}
phases: [{name: l, duration: 1s}]
)");
  EXPECT_FALSE(s.target.tls);
  ASSERT_TRUE(s.probe.tls);
  EXPECT_TRUE(s.probe.tls->insecure_skip_verify);
  EXPECT_TRUE(runner::ProbeSourceTls(s.target, s.probe, s.probe.pprof_tls)->insecure_skip_verify);
}

TEST_F(TlsSection, ResumeSessionsIsABoolean) {
  const auto s = Parse("name: t\ntarget: {url: \"https://127.0.0.1:8443\", tls: {resume_sessions: true}}\n"
                       "phases: [{name: l, duration: 1s}]\n");
  ASSERT_TRUE(s.target.tls);
  EXPECT_TRUE(s.target.tls->resume_sessions);
}

TEST_F(TlsSection, ErrorsAreAtTheValue) {
  ExpectScenarioErrorAt([&] { Parse("name: t\ntarget: {url: \"https://h:1\", tls: {ca: /nonexistent/ca.pem}}\nphases: [{name: l, duration: 1s}]\n"); },
                        2, 40, "target.tls.ca: no such file \"/nonexistent/ca.pem\"");
  ExpectScenarioErrorAt([&] { Parse("name: t\nvars: {d: \"\"}\ntarget: {url: \"https://h:1\", tls: {cert: \"${d}/c.pem\"}}\nphases: [{name: l, duration: 1s}]\n"); },
                        3, 35, "target.tls: cert and key go together");
  ExpectScenarioErrorAt([&] { Parse("name: t\ntarget: {url: \"https://h:1\", tls: {verify: false}}\nphases: [{name: l, duration: 1s}]\n"); },
                        2, 36, "target.tls: unknown key 'verify'");
  ExpectScenarioErrorAt([&] { Parse("name: t\ntarget: {url: \"https://h:1\", tls: {resume_sessions: often}}\nphases: [{name: l, duration: 1s}]\n"); },
                        2, 53, "target.tls.resume_sessions");
  ExpectScenarioErrorAt([&] { Parse("name: t\ntarget: {url: \"http://h:1\"}\nprobe: {pprof: {tls: {}}}\nphases: [{name: l, duration: 1s}]\n"); },
                        3, 16, "probe.pprof: missing");
}

}  // namespace tls_section_test
}  // namespace leakgate::scenario
