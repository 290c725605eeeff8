#include "harness/scenario/shard_split.h"

#include <fmt/format.h>

#include <charconv>

namespace leakgate::scenario {

namespace {

// A bound (0 = none): its share, at least 1 when it was set.
int BoundShare(int bound, const ShardSpec& shard) {
  if (bound <= 0) return bound;
  return static_cast<int>(std::max<int64_t>(1, ShareOf(bound, shard)));
}

template <typename Record>
std::vector<Record> EveryNth(const std::vector<Record>& records, const ShardSpec& shard) {
  std::vector<Record> out;
  for (size_t k = static_cast<size_t>(shard.index); k < records.size(); k += static_cast<size_t>(shard.count)) {
    out.push_back(records[k]);
  }
  return out;
}

std::optional<int> ParseInt(std::string_view text) {
  int v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

}  // namespace

std::string ShardSpec::str() const { return fmt::format("{}/{}", index, count); }

StatusOr<ShardSpec> ParseShardSpec(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(fmt::format("--shard \"{}\": {} (expected I/N with 0 <= I < N <= {})", text, why, kMaxShards));
  };
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return bad("no '/'");
  const auto index = ParseInt(text.substr(0, slash));
  const auto count = ParseInt(text.substr(slash + 1));
  if (!index || !count) return bad("not two integers");
  if (*count < 1 || *count > kMaxShards) return bad("N out of range");
  if (*index < 0 || *index >= *count) return bad("I out of range");
  return ShardSpec{*index, *count};
}

int64_t ShareOf(int64_t total, const ShardSpec& shard) {
  const int64_t n = shard.count;
  return total / n + (shard.index < total % n ? 1 : 0);
}

Scenario ShardScenario(const Scenario& s, const ShardSpec& shard) {
  Scenario out = s;
  if (shard.count == 1) return out;
  const double n = shard.count;
  for (auto& p : out.phases) {
    p.rate /= n;
    if (p.rate_to > 0) p.rate_to /= n;
    p.concurrency = static_cast<int>(ShareOf(p.concurrency, shard));
    p.max_in_flight = BoundShare(p.max_in_flight, shard);
    p.connections.pool = BoundShare(p.connections.pool, shard);
    p.connections.max = BoundShare(p.connections.max, shard);
    p.grpc.connections = BoundShare(p.grpc.connections, shard);
  }
  for (auto& t : out.traffic) {
    if (t.replay) t.replay->requests = EveryNth(t.replay->requests, shard);
    if (t.grpc && !t.grpc->replay.empty()) t.grpc->replay = EveryNth(t.grpc->replay, shard);
  }
  return out;
}

std::vector<PhaseStep> PhaseSequence(const Scenario& s) {
  std::vector<PhaseStep> steps;
  size_t first_load = 0;
  for (; first_load < s.phases.size() && s.phases[first_load].warmup; ++first_load) steps.push_back({first_load, 0});
  for (int cycle = 1; cycle <= s.assertions.cycles; ++cycle) {
    for (size_t i = first_load; i < s.phases.size(); ++i) steps.push_back({i, cycle});
  }
  return steps;
}

}  // namespace leakgate::scenario
