#include "harness/stats/timeline.h"

namespace leakgate::stats {

TimelineSecond TimelineCollector::Summarize(int64_t second, const SecondAccumulator& acc) {
  TimelineSecond s;
  s.second = second;
  s.completed = acc.completed;
  s.ok = acc.ok;
  s.errors = acc.errors;
  s.p99_nanos = acc.latency.QuantileNanos(0.99);
  return s;
}

void TimelineCollector::Add(int64_t second, const SecondAccumulator& acc) {
  std::lock_guard lock(mu_);
  auto& slot = pending_[second];
  if (!slot) slot = std::make_unique<Pending>();
  slot->acc.completed += acc.completed;
  slot->acc.ok += acc.ok;
  slot->acc.errors += acc.errors;
  if (acc.latency.count() > 0) slot->acc.latency.Merge(acc.latency);
  ++slot->reports;
  CompleteIfDone(second);
}

void TimelineCollector::Retire(int64_t last_second) {
  std::lock_guard lock(mu_);
  retired_.push_back(last_second);
  std::vector<int64_t> seconds;
  for (const auto& [second, p] : pending_) seconds.push_back(second);
  for (const auto second : seconds) CompleteIfDone(second);
}

void TimelineCollector::CompleteIfDone(int64_t second) {
  const auto it = pending_.find(second);
  if (it == pending_.end()) return;
  int expected = contributors_;
  for (const auto last : retired_) expected -= last < second ? 1 : 0;
  if (it->second->reports < expected) return;
  const auto& summary = done_[second] = Summarize(second, it->second->acc);
  pending_.erase(it);
  if (on_second_) on_second_(summary);
}

std::vector<TimelineSecond> TimelineCollector::Finish() {
  std::lock_guard lock(mu_);
  for (const auto& [second, p] : pending_) done_[second] = Summarize(second, p->acc);
  pending_.clear();
  std::vector<TimelineSecond> out;
  if (done_.empty()) return out;
  const int64_t last = done_.rbegin()->first;
  for (int64_t s = 0; s <= last; ++s) {
    const auto it = done_.find(s);
    out.push_back(it != done_.end() ? it->second : TimelineSecond{s, 0, 0, 0, 0});
  }
  return out;
}

}  // namespace leakgate::stats
