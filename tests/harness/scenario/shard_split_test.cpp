// Sharding a scenario (harness/scenario/shard_split.h): the shares of every count sum to
// the whole, whatever N; a replay recording's records are dealt out k mod N; scenarios
// come from the real loader (ParseScenario) so that the split sees what a run sees.
#include "harness/scenario/shard_split.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <numeric>

#include "harness/scenario/scenario_loader.h"

namespace leakgate::scenario {
namespace shard_split_test {

using namespace std::chrono_literals;

Scenario Parse(const std::string& yaml) {
  LoadOptions options;
  options.allocate_port = [] { return 40000; };
  return ParseScenario(yaml, "test.yaml", options);
}

TEST(ShardSplit, SharesOfEveryCountSumToTheWhole) {
  for (int n = 1; n <= 7; ++n) {
    for (int64_t total : {0, 1, 2, 5, 7, 100, 1001}) {
      int64_t sum = 0;
      int64_t lo = total, hi = 0;
      for (int i = 0; i < n; ++i) {
        const auto share = ShareOf(total, {i, n});
        sum += share;
        lo = std::min(lo, share);
        hi = std::max(hi, share);
      }
      EXPECT_EQ(sum, total) << total << " over " << n;
      EXPECT_LE(hi - lo, 1) << "shares differ by at most one";
    }
  }
}

TEST(ShardSplit, EveryPhaseIsSplitAndRatesSumToTheWhole) {
  const auto s = Parse(R"(name: t
target: {url: "http://127.0.0.1:1"}
traffic: [{name: a}]
phases:
  - {name: warmup, duration: 1s, rate: 100}
  - {name: open, duration: 2s, rate: 301, max_in_flight: 10, connections: {pool: 5, max: 2}}
  - {name: ramp, duration: 2s, rate: {from: 10, to: 70}}
  - {name: closed, duration: 1s, concurrency: 7}
)");
  const int n = 3;
  double rate = 0, rate_to = 0;
  int users = 0, in_flight = 0;
  for (int i = 0; i < n; ++i) {
    const auto shard = ShardScenario(s, {i, n});
    ASSERT_EQ(shard.phases.size(), s.phases.size());
    rate += shard.phases[1].rate;
    rate_to += shard.phases[2].rate_to;
    users += shard.phases[3].concurrency;
    in_flight += shard.phases[1].max_in_flight;
    EXPECT_GE(shard.phases[1].connections.max, 1) << "a bound stays a bound";
    EXPECT_EQ(shard.phases[1].duration, 2s);
    EXPECT_EQ(shard.phases[0].warmup, true);
  }
  EXPECT_DOUBLE_EQ(rate, 301);
  EXPECT_DOUBLE_EQ(rate_to, 70);
  EXPECT_EQ(users, 7);
  EXPECT_EQ(in_flight, 10);
  EXPECT_EQ(ShardScenario(s, {0, 3}).phases[3].concurrency, 3);
  EXPECT_EQ(ShardScenario(s, {2, 3}).phases[3].concurrency, 2);
  EXPECT_EQ(ShardScenario(s, {0, 1}).phases[1].rate, 301) << "one shard is the whole";
}

TEST(ShardSplit, ReplayRecordsAreDealtOutByLine) {
  const auto path = std::filesystem::temp_directory_path() / ("leakgate-shard-" + std::to_string(::getpid()) + ".jsonl");
  {
    std::ofstream out(path);
    for (int k = 0; k < 10; ++k) out << "{\"path\": \"/r/" << k << "\", \"offset_ms\": " << k * 100 << "}\n";
  }
  const auto s = Parse("name: t\ntarget: {url: \"http://127.0.0.1:1\"}\ntraffic:\n  - {name: rec, replay: \"" +
                       path.string() + "\"}\nphases:\n  - {name: l, duration: 2s, replay: rec}\n");
  std::filesystem::remove(path);
  std::vector<std::string> seen;
  for (int i = 0; i < 3; ++i) {
    const auto shard = ShardScenario(s, {i, 3});  // kept alive: records refer into it
    const auto& records = shard.traffic.at(0).replay->requests;
    for (size_t j = 0; j < records.size(); ++j) {
      const int k = i + static_cast<int>(j) * 3;  // record k goes to shard k mod 3
      EXPECT_EQ(records[j].path, "/r/" + std::to_string(k));
      EXPECT_EQ(records[j].offset, std::chrono::milliseconds(k * 100)) << "the recorded pace is kept";
      seen.push_back(records[j].path);
    }
  }
  EXPECT_EQ(seen.size(), 10u) << "every record goes to exactly one shard";
}

TEST(ShardSplit, ParsesShardSpecsAndRefusesBadOnes) {
  const auto ok = ParseShardSpec("2/3");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->index, 2);
  EXPECT_EQ(ok->count, 3);
  EXPECT_EQ(ok->str(), "2/3");
  for (const char* bad : {"3/3", "-1/3", "1", "1/0", "a/b", "1/3x", "/3", "0/5000"}) {
    const auto r = ParseShardSpec(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("--shard"), std::string::npos) << r.status().message();
  }
}

TEST(ShardSplit, PhaseSequenceRunsWarmupsOnceAndLoadPhasesPerCycle) {
  auto s = Parse(R"(name: t
target: {url: "http://127.0.0.1:1"}
traffic: [{name: a}]
phases:
  - {name: warmup, duration: 1s, rate: 1}
  - {name: a, duration: 1s, rate: 1}
  - {name: b, duration: 1s, rate: 1}
assert: {cycles: 2, goroutines: {tolerance: 1}}
)");
  const auto steps = PhaseSequence(s);
  ASSERT_EQ(steps.size(), 5u);
  EXPECT_EQ(steps[0].phase, 0u);
  EXPECT_EQ(steps[0].cycle, 0);
  EXPECT_EQ(steps[1].phase, 1u);
  EXPECT_EQ(steps[2].phase, 2u);
  EXPECT_EQ(steps[3].phase, 1u);
  EXPECT_EQ(steps[3].cycle, 2);
  EXPECT_EQ(steps[4].cycle, 2);
}

}  // namespace shard_split_test
}  // namespace leakgate::scenario
