#include "harness/runner/shard_merge.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "harness/runner/phase_report.h"
#include "harness/stats/histogram.h"

namespace leakgate::runner {

using reports::LatencySummary;
using reports::PhaseResult;
using reports::RunResult;

namespace {

StatusOr<stats::LatencyHistogram> HistogramOf(const LatencySummary& l, const std::string& what) {
  if (!l.histogram) {
    if (l.count == 0) return stats::LatencyHistogram{};
    return Status::InvalidArgument(fmt::format("{}: {} latencies but no histogram (not a shard result)", what, l.count));
  }
  const auto& d = *l.histogram;
  auto h = stats::LatencyHistogram::FromBuckets(d.buckets, d.min_ns, d.max_ns, d.sum_ns);
  if (!h) return Status::InvalidArgument(fmt::format("{}: its histogram is not one leakgate writes", what));
  if (h->count() != l.count) {
    return Status::InvalidArgument(fmt::format("{}: count {} but {} in its histogram", what, l.count, h->count()));
  }
  return std::move(*h);
}

// Merges the summaries `pick(shard)` of every shard.
template <typename Pick>
StatusOr<LatencySummary> MergeLatency(const std::vector<const PhaseResult*>& shards, const std::vector<std::string>& labels,
                                      const std::string& member, Pick pick) {
  stats::LatencyHistogram merged;
  for (size_t i = 0; i < shards.size(); ++i) {
    const LatencySummary* l = pick(*shards[i]);
    if (l == nullptr) continue;
    auto h = HistogramOf(*l, fmt::format("{}: phase {}: {}", labels[i], shards[i]->name, member));
    if (!h.ok()) return h.status();
    merged.Merge(*h);
  }
  return Summarize(merged);
}

template <typename Map>
void AddCounts(Map& into, const Map& from) {
  for (const auto& [k, v] : from) into[k] += v;
}

void AddTimeline(std::vector<reports::PhaseSecond>& into, const std::vector<reports::PhaseSecond>& from) {
  for (const auto& s : from) {
    auto it = std::find_if(into.begin(), into.end(), [&](const auto& t) { return t.second == s.second; });
    if (it == into.end()) {
      into.push_back(s);
      continue;
    }
    it->completed += s.completed;
    it->ok += s.ok;
    it->errors += s.errors;
    it->p99_ms = std::max(it->p99_ms, s.p99_ms);
  }
}

}  // namespace

StatusOr<PhaseResult> MergePhaseResults(const std::vector<const PhaseResult*>& shards,
                                        const std::vector<std::string>& labels) {
  if (shards.empty()) return Status::InvalidArgument("no shard results to merge");
  PhaseResult m;
  const PhaseResult& first = *shards.front();
  m.name = first.name;
  m.warmup = first.warmup;
  m.cycle = first.cycle;
  std::vector<std::string> traffic_order;
  for (size_t i = 0; i < shards.size(); ++i) {
    const PhaseResult& p = *shards[i];
    if (p.name != first.name || p.cycle != first.cycle) {
      return Status::InvalidArgument(fmt::format("{}: phase {} (cycle {}) where {} has {} (cycle {})", labels[i], p.name,
                                                 p.cycle, labels[0], first.name, first.cycle));
    }
    m.duration_s = std::max(m.duration_s, p.duration_s);
    m.target_rate += p.target_rate;
    m.achieved_rate += p.achieved_rate;
    m.workers += p.workers;
    m.scheduled += p.scheduled;
    m.requests += p.requests;
    m.ok += p.ok;
    m.errors += p.errors;
    m.cancelled += p.cancelled;
    m.dropped += p.dropped;
    m.aborted += p.aborted;
    m.connections_opened += p.connections_opened;
    m.late += p.late;
    AddCounts(m.faulted, p.faulted);
    AddCounts(m.errors_by_kind, p.errors_by_kind);
    AddCounts(m.grpc_status, p.grpc_status);
    m.grpc_messages_sent += p.grpc_messages_sent;
    m.grpc_messages_received += p.grpc_messages_received;
    AddTimeline(m.timeline, p.timeline);
    for (const auto& t : p.by_traffic) {
      if (std::find(traffic_order.begin(), traffic_order.end(), t.name) == traffic_order.end()) {
        traffic_order.push_back(t.name);
      }
    }
  }
  std::sort(m.timeline.begin(), m.timeline.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  auto corrected = MergeLatency(shards, labels, "latency_ms", [](const PhaseResult& p) { return &p.latency; });
  if (!corrected.ok()) return corrected.status();
  m.latency = std::move(*corrected);
  auto uncorrected = MergeLatency(shards, labels, "latency_uncorrected_ms",
                                  [](const PhaseResult& p) { return &p.latency_uncorrected; });
  if (!uncorrected.ok()) return uncorrected.status();
  m.latency_uncorrected = std::move(*uncorrected);
  for (const auto& name : traffic_order) {
    reports::TrafficResult t;
    t.name = name;
    const auto find = [&name](const PhaseResult& p) -> const reports::TrafficResult* {
      const auto it = std::find_if(p.by_traffic.begin(), p.by_traffic.end(), [&](const auto& e) { return e.name == name; });
      return it == p.by_traffic.end() ? nullptr : &*it;
    };
    for (const auto* p : shards) {
      if (const auto* e = find(*p)) {
        t.protocol = e->protocol;
        t.requests += e->requests;
        t.ok += e->ok;
        t.errors += e->errors;
        t.cancelled += e->cancelled;
      }
    }
    auto latency = MergeLatency(shards, labels, fmt::format("by_traffic.{}", name), [&](const PhaseResult& p) {
      const auto* e = find(p);
      return e == nullptr ? nullptr : &e->latency;
    });
    if (!latency.ok()) return latency.status();
    t.latency = std::move(*latency);
    m.by_traffic.push_back(std::move(t));
  }
  return m;
}

StatusOr<RunResult> MergeShardResults(const std::vector<RunResult>& shards) {
  if (shards.empty()) return Status::InvalidArgument("no shard results to merge");
  std::map<int, const RunResult*> by_index;
  const int count = shards.front().shard ? shards.front().shard->count : 0;
  for (const auto& r : shards) {
    if (!r.shard) return Status::InvalidArgument(fmt::format("result of scenario {} is not a shard result", r.scenario_name));
    if (r.shard->count != count) {
      return Status::InvalidArgument(fmt::format("shard {} says {} shards, another says {}", r.shard->index, r.shard->count, count));
    }
    if (r.scenario_name != shards.front().scenario_name) {
      return Status::InvalidArgument(fmt::format("shard {} ran scenario {}, not {}", r.shard->index, r.scenario_name,
                                                 shards.front().scenario_name));
    }
    if (!by_index.emplace(r.shard->index, &r).second) {
      return Status::InvalidArgument(fmt::format("shard {} of {} given twice", r.shard->index, count));
    }
  }
  for (int i = 0; i < count; ++i) {
    if (!by_index.contains(i)) return Status::InvalidArgument(fmt::format("shard {} of {} is missing", i, count));
  }
  RunResult m;
  const RunResult& first = *by_index.begin()->second;
  m.scenario_name = first.scenario_name;
  m.scenario_file = first.scenario_file;
  m.started_at = first.started_at;
  m.target.url = first.target.url;
  m.merged_shards = count;
  m.verdict = reports::Verdict::kPass;
  m.exit_code = reports::kExitPass;
  std::vector<std::string> labels;
  for (const auto& [index, r] : by_index) {
    const auto label = fmt::format("shard {} of {}", index, count);
    labels.push_back(label);
    m.started_at = std::min(m.started_at, r->started_at);
    m.duration_s = std::max(m.duration_s, r->duration_s);
    for (const auto& w : r->warnings) m.warnings.push_back(fmt::format("shard {}: {}", index, w));
    if (r->phases.size() != first.phases.size()) {
      return Status::InvalidArgument(
          fmt::format("{} ran {} phases, shard {} ran {}", label, r->phases.size(), first.shard->index, first.phases.size()));
    }
    if (m.verdict == reports::Verdict::kPass && r->verdict != reports::Verdict::kPass) {
      m.verdict = reports::Verdict::kError;
      m.exit_code = r->exit_code;
      m.message = fmt::format("{}: {}", label, r->message);
    }
  }
  for (size_t k = 0; k < first.phases.size(); ++k) {
    std::vector<const PhaseResult*> phase;
    for (const auto& [index, r] : by_index) phase.push_back(&r->phases[k]);
    auto merged = MergePhaseResults(phase, labels);
    if (!merged.ok()) return merged.status();
    m.phases.push_back(std::move(*merged));
  }
  if (m.verdict == reports::Verdict::kPass) {
    int64_t requests = 0;
    for (const auto& p : m.phases) requests += p.requests;
    m.message = fmt::format("{} shards merged: {} requests; load only (a coordinated run judges leaks)", count, requests);
  }
  return m;
}

}  // namespace leakgate::runner
