// Sampler::Sample against real servers: a failing source is a Status naming it and its URL,
// while everything the other sources read is kept (the runner records partial samples);
// each source's body cap and the policy apply.
#include "probes/sampler.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fmt/format.h>

#include "scripted_server.h"

namespace leakgate::probes {
namespace sampler_test {

using leakgate::testing::ScriptedServer;
using namespace std::chrono_literals;

// Answers every request with `status` and `body`.
ScriptedServer::Script Answer(int status, std::string body) {
  return [status, body = std::move(body)](int fd, const std::atomic<bool>& stop) {
    ScriptedServer::ReadRequestHead(fd, stop);
    ScriptedServer::SendAll(
        fd, fmt::format("HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}", status, body.size(), body),
        stop);
  };
}

TEST(Sampler, FailingSourceIsAStatusAndThePartialSampleIsKept) {
  ScriptedServer pprof(Answer(500, "boom"));
  ScriptedServer metrics(Answer(200, "go_goroutines 42\nprocess_open_fds 7\n"));
  SamplerConfig config;
  config.pprof_url = pprof.Url("/debug/pprof");
  config.metrics_url = metrics.Url("/metrics");
  config.pid = ::getpid();  // /proc readings of this test process
  config.timeout = 5s;
  Sampler sampler(config);
  const auto reading = sampler.Sample(/*force_gc=*/true);
  ASSERT_FALSE(reading.status.ok());
  EXPECT_EQ(reading.status.message(), "heap profile: GET " + pprof.Url("/debug/pprof/heap?gc=1&debug=1") + ": HTTP 500");
  EXPECT_GT(reading.values.at(kFds), 0);        // from /proc
  EXPECT_EQ(reading.values.at(kGoroutines), 42);  // pprof failed, /metrics filled in
}

TEST(Sampler, EachSourceHasItsOwnBodyCap) {
  ScriptedServer metrics(Answer(200, "go_goroutines 1\n" + std::string(4096, '#') + "\n"));
  SamplerConfig config;
  config.metrics_url = metrics.Url("/metrics");
  config.body_cap = 1024;
  Sampler sampler(config);
  const auto reading = sampler.Sample(false);
  ASSERT_FALSE(reading.status.ok());
  EXPECT_EQ(reading.status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(reading.status.message(), "metrics: GET " + metrics.Url("/metrics") + ": body larger than 1 KiB cap (Content-Length 4113)");
}

TEST(Sampler, ProbeUrlsOffLoopbackAreRefusedNamingTheKey) {
  SamplerConfig config;
  config.expvar_url = "http://10.77.0.1:1/debug/vars";
  Sampler sampler(config);
  const auto reading = sampler.Sample(false);
  ASSERT_FALSE(reading.status.ok());
  EXPECT_EQ(reading.status.code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(reading.status.message().starts_with("expvar: GET http://10.77.0.1:1/debug/vars: probe.expvar: host"))
      << reading.status.message();
}

}  // namespace sampler_test
}  // namespace leakgate::probes
