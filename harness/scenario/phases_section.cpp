#include "harness/scenario/phases_section.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "harness/scenario/faults_section.h"
#include "harness/scenario/grpc_section.h"
#include "harness/scenario/limits.h"
#include "harness/scenario/messages.h"
#include "harness/scenario/thresholds_section.h"

namespace leakgate::scenario {
namespace {

// rate: N, or rate: {from: N, to: M} (linear ramp over the phase).
void ReadRate(const Reader& r, Phase& p) {
  if (r.IsMap()) {
    const auto m = r.Map({"from", "to"});
    const auto from = m.Require("from");
    const auto to = m.Require("to");
    p.rate = AtMost(from, NonNegativeNumber(from), limits::kRate);
    p.rate_to = AtMost(to, NonNegativeNumber(to), limits::kRate);
    if (p.rate == 0 && p.rate_to == 0) r.Fail("a ramp from 0 to 0 sends nothing (omit rate: for an idle phase)");
  } else {
    p.rate = AtMost(r, NonNegativeNumber(r), limits::kRate);
  }
}

ConnectionPolicy ReadConnections(const Reader& r) {
  const auto m = r.Map({"pool", "per_request", "max"});
  ConnectionPolicy c;
  if (const auto v = m.Get("pool")) c.pool = AtMost(*v, IntAtLeast(*v, 0), limits::kConnections);
  if (const auto v = m.Get("per_request")) c.per_request = v->Bool();
  if (const auto v = m.Get("max")) c.max = AtMost(*v, IntAtLeast(*v, 0), limits::kConnections);
  return c;
}

// protocol: http/1.1 | h2c | h2.
Phase::Wire ReadWire(const Reader& r) {
  const std::string text = r.String();
  if (text == "http/1.1") return Phase::Wire::kHttp1;
  if (text == "h2c") return Phase::Wire::kH2c;
  if (text == "h2") return Phase::Wire::kH2;
  r.Fail(fmt::format("expected http/1.1, h2c (HTTP/2 without TLS) or h2 (HTTP/2 over TLS), got {}", Quoted(text)));
}

// replay: NAME must be a traffic entry with replay:.
std::string ReadPhaseReplay(const Reader& r, const std::vector<Traffic>& traffic) {
  std::string name = NonEmptyString(r);
  const auto it = std::find_if(traffic.begin(), traffic.end(), [&](const Traffic& t) { return t.name == name; });
  if (it == traffic.end() || !it->replay) {
    std::vector<std::string> known;
    for (const auto& t : traffic) {
      if (t.replay) known.push_back(t.name);
    }
    std::string hint = DidYouMean(name, known);
    if (hint.empty()) hint = known.empty() ? " (no traffic entry has replay:)" : fmt::format(" (replay entries: {})", Join(known, ", "));
    r.Fail(fmt::format("{} is not a traffic entry with replay:{}", Quoted(name), hint));
  }
  return name;
}

// The arrival model: one of rate: (open), concurrency: (closed, with think_time:) or replay:.
void ReadArrivals(const MapReader& m, const std::vector<Traffic>& traffic, Phase& p) {
  const auto rate = m.Get("rate");
  const auto concurrency = m.Get("concurrency");
  const auto replay = m.Get("replay");
  if ((rate ? 1 : 0) + (concurrency ? 1 : 0) + (replay ? 1 : 0) > 1) {
    (concurrency ? *concurrency : *replay).Fail("give one of rate: (open model), concurrency: (closed model) or replay: (recorded pace)");
  }
  if (rate) {
    ReadRate(*rate, p);
    if (p.has_traffic() && traffic.empty()) {
      rate->Fail(p.rate_to >= 0 ? "a rate ramp, but traffic: defines no requests"
                                : fmt::format("{} requests/s, but traffic: defines no requests", p.rate));
    }
  }
  if (concurrency) {
    p.concurrency = AtMost(*concurrency, IntAtLeast(*concurrency, 1), limits::kConcurrency);
    if (traffic.empty()) concurrency->Fail(fmt::format("{} users, but traffic: defines no requests", p.concurrency));
  }
  if (const auto v = m.Get("think_time")) {
    if (!concurrency) v->Fail("only with concurrency: (the closed model)");
    p.think_time = AtMost(*v, v->Dur(), limits::kThinkTime);
  }
  if (replay) p.replay = ReadPhaseReplay(*replay, traffic);
}

}  // namespace

std::vector<Phase> ReadPhases(const Reader& r, const std::vector<Traffic>& traffic) {
  const auto items = r.Items();
  if (items.empty()) r.Fail("needs at least one phase");
  std::vector<Phase> out;
  UniqueNames names("phase");
  bool seen_measured = false;
  for (const auto& item : items) {
    const auto m = item.Map({"name", "duration", "rate", "concurrency", "think_time", "replay", "warmup", "max_in_flight",
                             "timeout", "workers", "connections", "faults", "grpc", "protocol",
                             "streams_per_connection", "thresholds"});
    Phase p;
    p.mark = item.source_mark();
    const auto name = m.Require("name");
    p.name = NonEmptyString(name);
    names.Add(name, p.name);
    const auto duration = m.Require("duration");
    p.duration = AtMost(duration, PositiveDuration(duration), limits::kPhaseDuration);
    ReadArrivals(m, traffic, p);
    const auto warmup = m.Get("warmup");
    p.warmup = warmup ? warmup->Bool() : (p.name == "warmup" || p.name == "warm-up");
    if (p.warmup && seen_measured) {
      (warmup ? *warmup : name).Fail("warm-up phases run before the baseline is taken and must come before every other phase");
    }
    seen_measured = seen_measured || !p.warmup;
    if (const auto v = m.Get("max_in_flight")) p.max_in_flight = AtMost(*v, IntAtLeast(*v, 1), limits::kMaxInFlight);
    if (const auto v = m.Get("timeout")) p.timeout = AtMost(*v, PositiveDuration(*v), limits::kRequestTimeout);
    if (const auto v = m.Get("workers")) p.workers = AtMost(*v, IntAtLeast(*v, 0), limits::kWorkers);
    if (const auto v = m.Get("connections")) p.connections = ReadConnections(*v);
    if (const auto v = m.Get("protocol")) p.protocol = ReadWire(*v);
    if (const auto v = m.Get("streams_per_connection")) {
      p.streams_per_connection = AtMost(*v, IntAtLeast(*v, 1), limits::kStreamsPerConnection);
    }
    if (const auto v = m.Get("grpc")) ReadGrpcPhase(*v, p.grpc);
    if (const auto faults = m.Get("faults")) ReadFaults(*faults, traffic, p);
    if (const auto v = m.Get("thresholds")) p.thresholds = ReadThresholds(*v, p);
    out.push_back(std::move(p));
  }
  if (!seen_measured) r.Fail("every phase is a warm-up; at least one phase must run after the baseline");
  return out;
}

}  // namespace leakgate::scenario
