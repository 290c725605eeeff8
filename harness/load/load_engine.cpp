#include "harness/load/load_engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <thread>

#include "harness/load/grpc/grpc_protocol.h"
#include "harness/load/http/http_protocol.h"
#include "harness/load/phase_plan.h"
#include "harness/load/worker.h"
#include "harness/net/http_url.h"
#include "harness/stats/timeline.h"

namespace leakgate::load {

namespace {

constexpr auto kStopPollInterval = std::chrono::milliseconds(20);

// "host:port" of a base URL "http(s)://host:port[/...]" (where gRPC calls go; TLS for
// https:// is the GrpcTransport's).
// grpc++ resolves the name itself: only parsed here.
std::string HostPortOf(const std::string& url) {
  auto parsed = net::ParseHttpUrl(url);
  if (!parsed.ok()) throw std::invalid_argument(parsed.status().message());
  return parsed->authority;
}

// Waits until `end`, waking early on stop (an idle phase; a replay shorter than its phase).
void SleepUntil(Clock::time_point end, const std::atomic<bool>& stop) {
  while (Clock::now() < end && !stop.load()) {
    std::this_thread::sleep_for(std::min<Clock::duration>(kStopPollInterval, end - Clock::now()));
  }
}

bool RecordedPace(const scenario::Traffic& t) { return t.grpc && !t.grpc->replay.empty() && t.grpc->recorded_pace; }

// Arrival offsets of an entry replayed at its recorded pace, from its first record.
ArrivalSchedule RecordedSchedule(const scenario::Traffic& t, scenario::Duration phase_duration) {
  std::vector<ArrivalSchedule::Duration> offsets;
  double speed = 1;
  if (t.replay) {
    for (const auto& r : t.replay->requests) offsets.push_back(r.offset);
    speed = t.replay->speed;
  } else {
    for (const auto& r : t.grpc->replay) offsets.push_back(r.offset - t.grpc->replay.front().offset);
    speed = t.grpc->speed;
  }
  return ArrivalSchedule::Recorded(std::move(offsets), speed, phase_duration);
}

// The entries, weights and arrival streams of `phase` (see phase_plan.h).
void PlanTraffic(const scenario::Phase& phase, const std::vector<scenario::Traffic>& traffic, PhasePlan& plan) {
  plan.weights.assign(traffic.size(), 0.0);
  if (!phase.replay.empty()) {
    const auto it = std::find_if(traffic.begin(), traffic.end(), [&](const auto& t) { return t.name == phase.replay; });
    if (it == traffic.end() || !it->replay) {
      throw std::invalid_argument(fmt::format("phase {}: replay traffic \"{}\" not found", phase.name, phase.replay));
    }
    plan.streams.push_back({RecordedSchedule(*it, phase.duration), static_cast<size_t>(it - traffic.begin())});
    return;
  }
  for (size_t t = 0; t < traffic.size(); ++t) {
    if (RecordedPace(traffic[t])) {
      plan.streams.push_back({RecordedSchedule(traffic[t], phase.duration), t});
    } else {
      plan.weights[t] = traffic[t].weight;
      plan.any_weighted = plan.any_weighted || traffic[t].weight > 0;
    }
  }
  if (!plan.any_weighted) return;
  if (phase.concurrency > 0) {
    plan.closed_model = true;
  } else if (phase.rate > 0 || phase.rate_to > 0) {
    plan.streams.insert(plan.streams.begin(),
                        {phase.rate_to >= 0 ? ArrivalSchedule::Ramp(phase.rate, phase.rate_to, phase.duration)
                                            : ArrivalSchedule::Constant(phase.rate, phase.duration),
                         std::nullopt});
  }
}

// One per core, but never more workers than arrivals per 10 ms (below that a worker would
// mostly sleep), users, or what a protocol can spread over.
int WorkerCount(const scenario::Phase& phase, const PhasePlan& plan, const std::vector<const Protocol*>& protocol_of) {
  int workers = phase.workers > 0 ? phase.workers : static_cast<int>(std::thread::hardware_concurrency());
  workers = std::max(1, workers);
  if (plan.closed_model) {
    workers = std::min(workers, phase.concurrency);
  } else if (phase.workers <= 0) {
    double peak = 0;
    for (const auto& s : plan.streams) peak += s.entry ? s.schedule.MeanRate() : std::max(phase.rate, phase.rate_to);
    workers = std::min(workers, std::max(1, static_cast<int>(peak / 100)));
  }
  for (size_t t = 0; t < protocol_of.size(); ++t) {
    const bool used = plan.weights[t] > 0 ||
                      std::any_of(plan.streams.begin(), plan.streams.end(), [&](const auto& s) { return s.entry == t; });
    if (used) workers = std::min(workers, protocol_of[t]->MaxWorkers(phase));
  }
  return std::max(1, workers);
}

}  // namespace

LoadEngine::LoadEngine(const scenario::Scenario& s) : traffic_(s.traffic) {
  const bool any_http = std::any_of(traffic_.begin(), traffic_.end(), [](const auto& t) { return !t.grpc; });
  const bool any_grpc = std::any_of(traffic_.begin(), traffic_.end(), [](const auto& t) { return t.grpc.has_value(); });
  const Protocol* http = nullptr;
  const Protocol* grpc = nullptr;
  if (any_http) {
    protocols_.push_back(std::make_unique<http::HttpProtocol>(traffic_, s.target.url, s.target.tls));
    http = protocols_.back().get();
  }
  if (any_grpc) {
    protocols_.push_back(grpc_load::GrpcProtocol::Prepare(s, HostPortOf(s.target.url)));
    grpc = protocols_.back().get();
  }
  for (const auto& t : traffic_) protocol_of_.push_back(t.grpc ? grpc : http);
}

LoadEngine::LoadEngine(std::vector<scenario::Traffic> traffic, const std::string& target_url,
                       const std::optional<net::TlsSettings>& tls)
    : traffic_(std::move(traffic)) {
  if (std::any_of(traffic_.begin(), traffic_.end(), [](const auto& t) { return t.grpc.has_value(); })) {
    throw std::invalid_argument("LoadEngine(traffic, url) takes HTTP traffic only");
  }
  if (!traffic_.empty()) protocols_.push_back(std::make_unique<http::HttpProtocol>(traffic_, target_url, tls));
  protocol_of_.assign(traffic_.size(), protocols_.empty() ? nullptr : protocols_.front().get());
}

LoadEngine::~LoadEngine() = default;

bool LoadEngine::NeedsRunningTarget(const scenario::Scenario& s) {
  const bool any_grpc = std::any_of(s.traffic.begin(), s.traffic.end(), [](const auto& t) { return t.grpc.has_value(); });
  return any_grpc && s.grpc && s.grpc->protos.empty();
}

PhaseLoadResult LoadEngine::RunPhase(const scenario::Phase& phase, const std::atomic<bool>& stop,
                                     const stats::SecondCallback& on_second) const {
  PhaseLoadResult result;
  result.by_entry.resize(traffic_.size());
  result.entry_used.assign(traffic_.size(), false);
  const auto begin = Clock::now();
  const faults::FaultPlan fault_plan(phase, traffic_);
  PhasePlan plan{phase, protocol_of_, fault_plan, {}, false, {}, false, stop, nullptr, {}, {}, 1};
  if (phase.has_traffic() && !traffic_.empty()) PlanTraffic(phase, traffic_, plan);
  if (plan.streams.empty() && !plan.closed_model) {
    SleepUntil(begin + phase.duration, stop);
    result.elapsed = Clock::now() - begin;
    return result;
  }
  for (size_t t = 0; t < traffic_.size(); ++t) result.entry_used[t] = plan.weights[t] > 0;
  for (const auto& s : plan.streams) {
    if (s.entry) result.entry_used[*s.entry] = true;
  }

  plan.worker_count = WorkerCount(phase, plan, protocol_of_);
  stats::TimelineCollector timeline(plan.worker_count, on_second);
  plan.timeline = &timeline;
  plan.start = begin + std::chrono::milliseconds(5);  // every worker's clock origin
  plan.end = plan.start + phase.duration;
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < plan.worker_count; ++i) workers.push_back(std::make_unique<Worker>(plan, i, traffic_.size()));
  {
    std::vector<std::jthread> threads;
    for (auto& w : workers) threads.emplace_back([&w] { w->Run(); });
  }
  SleepUntil(plan.end, stop);  // a replay may end before the phase does
  for (auto& w : workers) {
    result.stats.Merge(w->stats());
    for (size_t t = 0; t < traffic_.size(); ++t) result.by_entry[t].Merge(w->by_entry()[t]);
  }
  result.timeline = timeline.Finish();
  result.elapsed = Clock::now() - begin;
  result.workers = plan.worker_count;
  return result;
}

}  // namespace leakgate::load
