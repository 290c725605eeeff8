// Sharded runs end to end: `leakgate coordinate` and three `leakgate run --shard I/3`
// processes against the real Go example target (the coordinator starts and probes it, the
// shards make the load). As root with `ip netns`, every process gets a network namespace of
// its own: the coordinator and the target in a hub namespace with a bridge (10.79.0.1), each
// shard in one joined to the bridge by a veth pair (10.79.0.1x), so shard traffic really
// crosses interfaces and the address policy must allow 10.79.0.1 (--allow-host); otherwise
// everything runs on loopback. Compared with one
// `leakgate run` of the same scenario at the same total rate: the same leak verdict, and
// the same latency figures of an endpoint whose latency the target fixes (/slow?ms=40), so
// that what is compared is leakgate's measurement, not the machine's mood. The merge itself
// is checked exactly: the coordinator's merged percentiles are recomputed here from the
// histograms in the shards' own result.json files. Killing a shard mid-phase must end the
// run within 10 s with exit 3 naming that shard, and the other shards must be told to stop.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "go_target_fixture.h"
#include "harness/runner/ports.h"
#include "harness/stats/histogram.h"
#include "leakgate_process.h"
#include "network_namespace.h"

namespace leakgate::testing {
namespace sharded_run_test {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr int kShards = 3;

const std::string kScenario = std::string(R"(name: sharded
vars: {mode: leaky, listen: 127.0.0.1, tport: "1", load: 2s}
target:
  command: [")") + LEAKGATE_GO_TARGET + R"(", -addr, "${listen}:${tport}", -mode, "${mode}"]
  url: "http://127.0.0.1:${tport}"
  ready: /healthz
probe: {interval: 200ms}
traffic:
  - {name: blocked, path: /leak/blocked-send, weight: 1}
  - {name: slow, path: "/slow?ms=40", weight: 1}
phases:
  - {name: warmup, duration: 1s, rate: 60}
  - name: load
    duration: ${load}
    rate: 240
    faults:
      - cancel: {after: 20ms, probability: 0.5, traffic: [blocked]}
assert:
  settle: 3s
  goroutines: {tolerance: 5}
)";

json ReadJson(const std::string& path) {
  const auto text = ReadFile(path);
  return text.empty() ? json() : json::parse(text, nullptr, false);
}

const json& PhaseNamed(const json& result, const std::string& name) {
  for (const auto& p : result["phases"]) {
    if (p["name"] == name) return p;
  }
  static const json kNone;
  ADD_FAILURE() << "no phase " << name << " in " << result.dump().substr(0, 500);
  return kNone;
}

std::vector<std::string> LeakgateArgv(std::vector<std::string> args, const std::vector<std::string>& prefix = {}) {
  args.insert(args.begin(), LEAKGATE_BIN);
  args.insert(args.begin(), prefix.begin(), prefix.end());
  return args;
}

// Where the processes of a sharded run live: one namespace per process joined by veth
// pairs to a bridge in the coordinator's (root and iproute2), else plain loopback.
class Topology {
 public:
  static constexpr const char* kHub = "10.79.0.1";
  // Tries the namespaces; `why_not` says why they could not be had ("" when they are).
  Topology() {
    if (::geteuid() != 0) {
      why_not_ = "not root";
      return;
    }
    why_not_ = Build();
    if (!why_not_.empty()) {
      shards_.clear();
      hub_.reset();
    }
  }
  bool namespaces() const { return hub_ != nullptr; }
  const std::string& why_not() const { return why_not_; }
  std::vector<std::string> CoordinatorPrefix() const { return hub_ ? hub_->ExecPrefix() : std::vector<std::string>{}; }
  std::vector<std::string> ShardPrefix(int i) const { return hub_ ? shards_[i]->ExecPrefix() : std::vector<std::string>{}; }
  // The coordinator's (and the target's) address as the shards reach it.
  std::string HubAddress() const { return hub_ ? kHub : "127.0.0.1"; }

 private:
  // "" when every namespace, the bridge and the veth pairs are up; else what failed.
  std::string Build() {
    hub_ = std::make_unique<NetworkNamespace>();
    if (auto e = hub_->Create(); !e.empty()) return e;
    for (const auto& step : std::vector<std::vector<std::string>>{{"link", "add", "lgbr", "type", "bridge"},
                                                                 {"addr", "add", std::string(kHub) + "/24", "dev", "lgbr"},
                                                                 {"link", "set", "lgbr", "up"}}) {
      if (auto e = hub_->Ip(step); !e.empty()) return e;
    }
    for (int i = 0; i < kShards; ++i) {
      shards_.push_back(std::make_unique<NetworkNamespace>());
      auto& ns = *shards_.back();
      if (auto e = ns.Create(); !e.empty()) return e;
      const std::string hub_if = "lgh" + std::to_string(i), shard_if = "lgs" + std::to_string(i);
      for (const auto& [where, step] : std::vector<std::pair<const NetworkNamespace*, std::vector<std::string>>>{
               {hub_.get(), {"link", "add", hub_if, "type", "veth", "peer", "name", shard_if, "netns", ns.name()}},
               {hub_.get(), {"link", "set", hub_if, "master", "lgbr", "up"}},
               {&ns, {"addr", "add", "10.79.0.1" + std::to_string(i) + "/24", "dev", shard_if}},
               {&ns, {"link", "set", shard_if, "up"}}}) {
        if (auto e = where->Ip(step); !e.empty()) return e;
      }
    }
    return "";
  }

  std::unique_ptr<NetworkNamespace> hub_;
  std::vector<std::unique_ptr<NetworkNamespace>> shards_;
  std::string why_not_;
};

class ShardedRun : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("leakgate-sharded");
    scenario_ = dir_ + "/sharded.yaml";
    std::ofstream(scenario_) << kScenario;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  struct Outcome {
    ProcessOutcome coordinator;
    std::vector<ProcessOutcome> shards;
    json merged;
    std::vector<json> shard_results;
    std::chrono::steady_clock::duration kill_to_verdict{};
  };

  // A coordinator and kShards shards; with `kill` ≥ 0 that shard gets SIGKILL 300 ms into
  // phase load, which then lasts 4 s: longer than the 3 s after which a silent shard is
  // lost, so the others are still loading when they are told to stop.
  Outcome RunSharded(const std::string& mode, int kill = -1) {
    const Topology net;
    if (!net.namespaces()) std::cerr << "sharded run on loopback: " << net.why_not() << "\n";
    const std::string out = dir_ + "/" + mode + (kill >= 0 ? "-kill" : "");
    const std::string hub = net.HubAddress();
    const std::string listen = hub + ":" + std::to_string(runner::AllocateLoopbackPort());
    const std::string tport = std::to_string(runner::AllocateLoopbackPort());
    const std::vector<std::string> vars{"--var", "mode=" + mode, "--var", "tport=" + tport,
                                        "--var", std::string("load=") + (kill >= 0 ? "4s" : "2s"),
                                        "--var", std::string("listen=") + (net.namespaces() ? "0.0.0.0" : "127.0.0.1")};
    auto coordinator_args = std::vector<std::string>{"coordinate", scenario_, "--shards", std::to_string(kShards), "--listen",
                                                     listen, "--out", out + "/coordinator",
                                                     "--allow-host", hub, "--quiet"};
    coordinator_args.insert(coordinator_args.end(), vars.begin(), vars.end());
    BackgroundProcess coordinator(LeakgateArgv(coordinator_args, net.CoordinatorPrefix()), LEAKGATE_SOURCE_DIR);
    std::vector<std::unique_ptr<BackgroundProcess>> shards;
    for (int i = 0; i < kShards; ++i) {
      auto args = std::vector<std::string>{"run", scenario_, "--shard", std::to_string(i) + "/" + std::to_string(kShards),
                                           "--coordinator", listen, "--target-url", "http://" + hub + ":" + tport,
                                           "--allow-host", hub, "--out", out + "/shard-" + std::to_string(i)};
      args.insert(args.end(), vars.begin(), vars.end());
      shards.push_back(std::make_unique<BackgroundProcess>(LeakgateArgv(args, net.ShardPrefix(i)), LEAKGATE_SOURCE_DIR));
    }
    Outcome o;
    std::chrono::steady_clock::time_point killed{};
    if (kill >= 0) {
      for (int i = 0; i < 3000 && shards[kill]->StderrSoFar().find("phase load:") == std::string::npos; ++i) {
        std::this_thread::sleep_for(10ms);
      }
      EXPECT_NE(shards[kill]->StderrSoFar().find("phase load:"), std::string::npos) << "shard never reached phase load";
      std::this_thread::sleep_for(300ms);
      shards[kill]->Signal(SIGKILL);
      killed = std::chrono::steady_clock::now();
    }
    o.coordinator = coordinator.Wait(60s);
    if (kill >= 0) o.kill_to_verdict = std::chrono::steady_clock::now() - killed;
    for (auto& s : shards) o.shards.push_back(s->Wait(15s));
    o.merged = ReadJson(out + "/coordinator/result.json");
    for (int i = 0; i < kShards; ++i) o.shard_results.push_back(ReadJson(out + "/shard-" + std::to_string(i) + "/result.json"));
    return o;
  }

  json RunSingle(const std::string& mode) {
    const std::string out = dir_ + "/single-" + mode;
    const auto r = RunLeakgate({"run", scenario_, "--out", out, "--quiet", "--var", "mode=" + mode, "--var",
                                "tport=" + std::to_string(runner::AllocateLoopbackPort())},
                               60s);
    auto result = ReadJson(out + "/result.json");
    EXPECT_TRUE(result.is_object()) << r.out << r.err;
    return result;
  }

  // The percentile `q` of phase `phase`'s latency over every shard's histogram.
  static double UnionQuantileMs(const std::vector<json>& shard_results, const std::string& phase, double q) {
    stats::LatencyHistogram all;
    for (const auto& r : shard_results) {
      const auto& h = PhaseNamed(r, phase)["latency_ms"]["histogram"];
      auto one = stats::LatencyHistogram::FromBuckets(h["buckets"].get<std::vector<std::pair<int, int64_t>>>(),
                                                      h["min_ns"], h["max_ns"], h["sum_ns"]);
      EXPECT_TRUE(one.has_value());
      if (one) all.Merge(*one);
    }
    return static_cast<double>(all.QuantileNanos(q)) / 1e6;
  }

  std::string dir_, scenario_;
};

TEST_F(ShardedRun, LeakyTargetFailsAsInOneInstanceAndTheMergeIsExact) {
  const auto single = RunSingle("leaky");
  const auto sharded = RunSharded("leaky");
  ASSERT_EQ(single["exit_code"], 1) << single["message"];
  ASSERT_EQ(sharded.coordinator.exit_code, 1) << sharded.coordinator.out << sharded.coordinator.err;
  const auto& m = sharded.merged;
  EXPECT_EQ(m["merged_shards"], kShards);
  ASSERT_FALSE(m["leaks"].empty());
  EXPECT_EQ(m["leaks"][0]["function"], single["leaks"][0]["function"]) << "the same culprit";
  for (int i = 0; i < kShards; ++i) {
    EXPECT_EQ(sharded.shards[i].exit_code, 0) << sharded.shards[i].err;
    EXPECT_EQ(sharded.shard_results[i]["shard"]["index"], i);
  }
  for (const char* phase : {"warmup", "load"}) {
    int64_t sum = 0;
    for (const auto& r : sharded.shard_results) sum += PhaseNamed(r, phase)["requests"].get<int64_t>();
    EXPECT_EQ(PhaseNamed(m, phase)["requests"].get<int64_t>(), sum) << phase;
  }
  const auto& load = PhaseNamed(m, "load");
  EXPECT_DOUBLE_EQ(load["latency_ms"]["p50"].get<double>(), UnionQuantileMs(sharded.shard_results, "load", 0.5));
  EXPECT_DOUBLE_EQ(load["latency_ms"]["p99"].get<double>(), UnionQuantileMs(sharded.shard_results, "load", 0.99));
  // Same total rate: the same number of requests give or take the arrival rounding, and the
  // target-fixed latency of /slow?ms=40 read alike (bucket error 0.8 %, timer slack 5 %).
  const auto& single_load = PhaseNamed(single, "load");
  EXPECT_NEAR(load["scheduled"].get<double>(), single_load["scheduled"].get<double>(), 3.0);
  const double sharded_p50 = load["by_traffic"]["slow"]["latency_ms"]["p50"];
  const double single_p50 = single_load["by_traffic"]["slow"]["latency_ms"]["p50"];
  EXPECT_GE(single_p50, 40.0);
  EXPECT_NEAR(sharded_p50, single_p50, 0.05 * single_p50) << "sharded " << sharded_p50 << " ms, single " << single_p50;
}

TEST_F(ShardedRun, FixedTargetPassesAsInOneInstance) {
  const auto single = RunSingle("fixed");
  const auto sharded = RunSharded("fixed");
  EXPECT_EQ(single["exit_code"], 0) << single["message"];
  EXPECT_EQ(sharded.coordinator.exit_code, 0) << sharded.coordinator.out << sharded.coordinator.err;
  EXPECT_EQ(sharded.merged["verdict"], "pass");
}

TEST_F(ShardedRun, AKilledShardIsNamedWithinTenSecondsAndTheOthersStop) {
  const auto o = RunSharded("fixed", /*kill=*/1);
  EXPECT_EQ(o.coordinator.exit_code, 3) << o.coordinator.out << o.coordinator.err;
  const std::string message = o.merged["message"];
  EXPECT_TRUE(message.starts_with("shard 1 of 3 lost during phase load")) << message;
  EXPECT_NE(o.coordinator.out.find("shard 1 of 3 lost during phase load"), std::string::npos) << o.coordinator.out;
  EXPECT_LT(o.kill_to_verdict, 10s);
  for (int i : {0, 2}) {
    EXPECT_EQ(o.shards[i].exit_code, 0) << o.shards[i].err;
    EXPECT_NE(o.shard_results[i]["message"].get<std::string>().find("stopped"), std::string::npos) << o.shard_results[i];
  }
}

// Offline shards (no coordinator): a common --start-at, then leakgate merge.
class OfflineShards : public GoTargetTest {};

TEST_F(OfflineShards, ShardResultsMergeIntoOneResultAndReports) {
  StartTarget("fixed");
  const std::string dir = MakeTempDir("leakgate-offline");
  const std::string scenario = dir + "/s.yaml";
  std::ofstream(scenario) << kScenario;
  const auto start = std::chrono::system_clock::now() + 1500ms;
  const auto at = "@" + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(start.time_since_epoch()).count() / 1000.0);
  std::vector<std::unique_ptr<BackgroundProcess>> shards;
  for (int i = 0; i < kShards; ++i) {
    shards.push_back(std::make_unique<BackgroundProcess>(
        LeakgateArgv({"run", scenario, "--shard", std::to_string(i) + "/3", "--start-at", at, "--target-url", url_, "--out",
                      dir + "/shard-" + std::to_string(i), "--quiet"}),
        LEAKGATE_SOURCE_DIR));
  }
  int64_t sum = 0;
  for (int i = 0; i < kShards; ++i) {
    const auto r = shards[i]->Wait(30s);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    const auto result = ReadJson(dir + "/shard-" + std::to_string(i) + "/result.json");
    ASSERT_TRUE(result.is_object());
    sum += PhaseNamed(result, "load")["requests"].get<int64_t>();
  }
  const auto merged = RunLeakgate({"merge", dir + "/shard-0", dir + "/shard-1", dir + "/shard-2", "--out", dir + "/merged"}, 30s);
  EXPECT_EQ(merged.exit_code, 0) << merged.out << merged.err;
  const auto m = ReadJson(dir + "/merged/result.json");
  ASSERT_TRUE(m.is_object());
  EXPECT_EQ(m["merged_shards"], 3);
  EXPECT_EQ(PhaseNamed(m, "load")["requests"].get<int64_t>(), sum);
  EXPECT_GT(sum, 400) << "2 s at 240 req/s";
  for (const char* file : {"report.html", "junit.xml", "summary.md", "samples.csv"}) {
    EXPECT_TRUE(std::filesystem::exists(dir + "/merged/" + file)) << file;
  }
  const auto refused = RunLeakgate({"merge", dir + "/shard-0", dir + "/shard-2"}, 30s);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("shard 1 of 3 is missing"), std::string::npos) << refused.err;
  std::filesystem::remove_all(dir);
}

}  // namespace sharded_run_test
}  // namespace leakgate::testing
