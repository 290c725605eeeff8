// A test fixture that starts the real Go example target (examples/go-targets/leaky) on a
// free loopback port, and reads what it observed (its "observe" expvar counters, see
// examples/go-targets/leaky/observe.go) and its goroutine count.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "harness/load/load_engine.h"
#include "harness/runner/ports.h"
#include "harness/runner/target_process.h"
#include "leakgate_process.h"
#include "probes/http_fetch.h"
#include "probes/sampler.h"

namespace leakgate::testing {

class GoTargetTest : public ::testing::Test {
 protected:
  void StartTarget(const std::string& mode) {
    using namespace std::chrono_literals;
    const int port = runner::AllocateLoopbackPort();
    url_ = "http://127.0.0.1:" + std::to_string(port);
    log_dir_ = MakeTempDir("leakgate-load");
    target_.emplace(runner::TargetProcess::Start(
        {LEAKGATE_GO_TARGET, "-addr", "127.0.0.1:" + std::to_string(port), "-mode", mode}, {}, log_dir_ + "/target.log"));
    for (int i = 0; i < 200; ++i) {
      auto r = probes::HttpGet(url_ + "/healthz", {.timeout = 1s});
      if (r.ok() && r->status == 200) {
        return;
      }
      std::this_thread::sleep_for(25ms);
    }
    FAIL() << "target not ready: " << target_->LogTail(20);
  }

  double Goroutines() {
    probes::SamplerConfig config;
    config.pprof_url = url_ + "/debug/pprof";
    config.heap_profile = false;
    probes::Sampler sampler(config);
    return sampler.Sample(true).values.at(probes::kGoroutines);
  }

  // The target's observe.go counter `name` (0 when unreadable, with a test failure).
  int64_t Observed(const std::string& name) {
    using namespace std::chrono_literals;
    const auto r = probes::HttpGetOk(url_ + "/debug/vars", {.timeout = 5s});
    EXPECT_TRUE(r.ok()) << r.status().message();
    const auto j = nlohmann::json::parse(r.ok() ? *r : std::string(), nullptr, false);
    if (j.is_discarded() || !j.contains("observe") || !j["observe"].contains(name)) {
      ADD_FAILURE() << "no observe." << name << " in /debug/vars";
      return 0;
    }
    return j["observe"][name].get<int64_t>();
  }

  // Polls counter `name` until it reaches `at_least` or ~2 s pass; returns the last value.
  int64_t ObservedEventually(const std::string& name, int64_t at_least) {
    int64_t v = 0;
    for (int i = 0; i < 100; ++i) {
      v = Observed(name);
      if (v >= at_least) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return v;
  }

  void TearDown() override {
    target_.reset();
    std::filesystem::remove_all(log_dir_);
  }

  static scenario::Phase Phase(double rate, scenario::Duration duration) {
    scenario::Phase p;
    p.name = "t";
    p.rate = rate;
    p.duration = duration;
    return p;
  }
  static std::vector<scenario::Traffic> Traffic(const std::string& path, const std::string& method = "GET",
                                                const std::string& body = "") {
    scenario::Traffic t;
    t.name = "t";
    t.path = path;
    t.method = method;
    t.body = body;
    return {t};
  }

  // One phase of HTTP `traffic` at `url` through the load engine.
  load::PhaseLoadResult RunPhase(const scenario::Phase& phase, const std::vector<scenario::Traffic>& traffic,
                                 const std::string& url) {
    const load::LoadEngine engine(traffic, url);
    return engine.RunPhase(phase, stop_);
  }

  std::string url_, log_dir_;
  std::optional<runner::TargetProcess> target_;
  std::atomic<bool> stop_{false};
};

}  // namespace leakgate::testing
