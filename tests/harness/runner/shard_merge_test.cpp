// Merging shard results (harness/runner/shard_merge.h) after the round trip a real run
// makes: each shard's result rendered as result.json (reports::RenderJson) and read back
// (reports::LoadResultFromJson). The merged percentiles must equal those of ONE histogram
// that recorded every shard's values — the buckets travel exactly, so not even the
// histogram's 0.8 % error separates them.
#include "harness/runner/shard_merge.h"

#include <gtest/gtest.h>

#include <random>

#include "harness/runner/phase_report.h"
#include "harness/stats/histogram.h"
#include "reports/json_report.h"
#include "reports/result_reader.h"

namespace leakgate::runner {
namespace shard_merge_test {

using reports::RunResult;

struct ShardData {
  RunResult result;
  std::vector<int64_t> values;
};

// Shard `index` of `count`: two phases whose latencies are drawn from a long-tailed
// distribution (a different seed per shard), through JSON and back.
RunResult ShardResult(int index, int count, stats::LatencyHistogram& all) {
  RunResult r;
  r.scenario_name = "s";
  r.verdict = reports::Verdict::kPass;
  r.exit_code = 0;
  r.shard = reports::ShardInfo{index, count};
  std::mt19937_64 rng(static_cast<uint64_t>(index) + 1);
  std::lognormal_distribution<double> latency(13.0, 1.0);  // ~0.4 ms median, long tail
  for (const char* name : {"warmup", "load"}) {
    stats::LatencyHistogram h;
    const int n = 2000 + index * 300;
    for (int i = 0; i < n; ++i) {
      const auto v = static_cast<int64_t>(latency(rng));
      h.RecordNanos(v);
      if (std::string(name) == "load") all.RecordNanos(v);
    }
    reports::PhaseResult p;
    p.name = name;
    p.warmup = std::string(name) == "warmup";
    p.cycle = p.warmup ? 0 : 1;
    p.requests = p.ok = n;
    p.target_rate = 100.0 / count;
    p.errors_by_kind["status_5xx"] = index;
    p.latency = Summarize(h, /*keep_histogram=*/true);
    p.latency_uncorrected = Summarize(h, true);
    p.by_traffic.push_back({"a", "http", n, n, 0, 0, Summarize(h, true)});
    p.timeline = {{0, n / 2, n / 2, 0, 1.5 + index}, {1, n - n / 2, n - n / 2, 0, 2.0}};
    r.phases.push_back(std::move(p));
  }
  auto back = reports::LoadResultFromJson(reports::RenderJson(r));
  EXPECT_TRUE(back.ok()) << back.status().message();
  return back.ok() ? std::move(*back) : r;
}

TEST(ShardMerge, MergedCountsAreSumsAndPercentilesThoseOfOneHistogram) {
  stats::LatencyHistogram all;
  std::vector<RunResult> shards;
  for (int i : {2, 0, 1}) shards.push_back(ShardResult(i, 3, all));  // any order
  auto merged = MergeShardResults(shards);
  ASSERT_TRUE(merged.ok()) << merged.status().message();
  EXPECT_EQ(merged->merged_shards, 3);
  EXPECT_FALSE(merged->shard.has_value());
  EXPECT_EQ(merged->exit_code, 0);
  ASSERT_EQ(merged->phases.size(), 2u);
  const auto& load = merged->phases[1];
  EXPECT_EQ(load.requests, 2000 + 2300 + 2600);
  EXPECT_EQ(load.requests, shards[0].phases[1].requests + shards[1].phases[1].requests + shards[2].phases[1].requests);
  EXPECT_EQ(load.errors_by_kind.at("status_5xx"), 0 + 1 + 2);
  EXPECT_DOUBLE_EQ(load.target_rate, 100.0);
  const auto expected = Summarize(all);
  EXPECT_EQ(load.latency.count, all.count());
  EXPECT_DOUBLE_EQ(load.latency.p50_ms, expected.p50_ms);
  EXPECT_DOUBLE_EQ(load.latency.p99_ms, expected.p99_ms);
  EXPECT_DOUBLE_EQ(load.latency.p999_ms, expected.p999_ms);
  EXPECT_DOUBLE_EQ(load.latency.max_ms, expected.max_ms);
  EXPECT_NEAR(load.latency.mean_ms, expected.mean_ms, 1e-9);
  ASSERT_EQ(load.by_traffic.size(), 1u);
  EXPECT_EQ(load.by_traffic[0].requests, load.requests);
  EXPECT_DOUBLE_EQ(load.by_traffic[0].latency.p99_ms, expected.p99_ms);
  ASSERT_EQ(load.timeline.size(), 2u);
  EXPECT_EQ(load.timeline[0].completed + load.timeline[1].completed, load.requests);
  EXPECT_DOUBLE_EQ(load.timeline[0].p99_ms, 3.5) << "a second's p99 is the highest of the shards'";
  EXPECT_FALSE(load.latency.histogram.has_value()) << "merged results do not carry histograms";
}

TEST(ShardMerge, RefusesResultsThatDoNotMakeOneRun) {
  stats::LatencyHistogram all;
  std::vector<RunResult> shards{ShardResult(0, 2, all), ShardResult(1, 2, all)};
  auto missing = MergeShardResults({shards[0]});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "shard 1 of 2 is missing");
  EXPECT_FALSE(MergeShardResults({shards[0], shards[0]}).ok());

  auto no_histogram = shards;
  no_histogram[1].phases[1].latency.histogram.reset();
  auto e = MergeShardResults(no_histogram);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("shard 1 of 2: phase load: latency_ms"), std::string::npos) << e.status().message();

  auto renamed = shards;
  renamed[1].phases[1].name = "other";
  EXPECT_FALSE(MergeShardResults(renamed).ok());

  auto forged = shards;
  forged[0].phases[1].latency.histogram->buckets.front().second += 1;  // counts no longer add up
  EXPECT_FALSE(MergeShardResults(forged).ok());

  auto not_shard = shards;
  not_shard[0].shard.reset();
  EXPECT_FALSE(MergeShardResults(not_shard).ok());
}

TEST(ShardMerge, AFailedShardMakesTheMergedResultAnErrorNamingIt) {
  stats::LatencyHistogram all;
  std::vector<RunResult> shards{ShardResult(0, 2, all), ShardResult(1, 2, all)};
  shards[1].verdict = reports::Verdict::kError;
  shards[1].exit_code = reports::kExitTargetFailed;
  shards[1].message = "coordinator lost";
  auto merged = MergeShardResults(shards);
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(merged->exit_code, reports::kExitTargetFailed);
  EXPECT_EQ(merged->message, "shard 1 of 2: coordinator lost");
}

}  // namespace shard_merge_test
}  // namespace leakgate::runner
