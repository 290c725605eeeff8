// Which URL makes a target ready: target.ready when given, else the probe endpoint.
#include "harness/runner/readiness.h"

#include <gtest/gtest.h>

namespace leakgate::runner {
namespace readiness_test {

scenario::Target UrlTarget() {
  scenario::Target t;
  t.url = "http://127.0.0.1:8080";
  return t;
}

TEST(ReadinessUrl, ReadyGivenIsUsedAsIs) {
  auto t = UrlTarget();
  t.ready = "/healthz";
  EXPECT_EQ(ReadinessUrl(t, {}), "http://127.0.0.1:8080/healthz");
  t.ready = "";
  EXPECT_EQ(ReadinessUrl(t, {}), "http://127.0.0.1:8080") << "\"\": the base URL itself";
  t.ready = "http://127.0.0.1:9090/ready";
  EXPECT_EQ(ReadinessUrl(t, {}), "http://127.0.0.1:9090/ready");
}

// Regression: a URL target without `ready:` (caddy, prometheus: no /healthz) used to wait
// for /healthz and end in "target not ready".
TEST(ReadinessUrl, WithoutReadyTheProbeEndpointDecides) {
  const auto t = UrlTarget();
  scenario::Probe probe;  // pprof at /debug/pprof by default
  EXPECT_EQ(ReadinessUrl(t, probe), "http://127.0.0.1:8080/debug/pprof/goroutine?debug=1");
  probe.pprof = "http://127.0.0.1:6060/debug/pprof/";
  EXPECT_EQ(ReadinessUrl(t, probe), "http://127.0.0.1:6060/debug/pprof/goroutine?debug=1");
  probe.pprof = "";
  probe.expvar = "/debug/vars";
  probe.metrics = "/metrics";
  EXPECT_EQ(ReadinessUrl(t, probe), "http://127.0.0.1:8080/debug/vars") << "pprof off: expvar";
  probe.expvar = "";
  EXPECT_EQ(ReadinessUrl(t, probe), "http://127.0.0.1:8080/metrics") << "then /metrics";
  probe.metrics = "";
  EXPECT_EQ(ReadinessUrl(t, probe), "http://127.0.0.1:8080") << "nothing probed: the base URL";
}

TEST(ReadinessUrl, StartedTargetsFollowTheSameRule) {
  auto t = UrlTarget();
  t.command = {"caddy", "run"};
  EXPECT_EQ(ReadinessUrl(t, {}), "http://127.0.0.1:8080/debug/pprof/goroutine?debug=1");
}

}  // namespace readiness_test
}  // namespace leakgate::runner
