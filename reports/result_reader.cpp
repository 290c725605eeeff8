#include "reports/result_reader.h"

#include <fmt/format.h>

#include <stdexcept>

namespace leakgate::reports {

using nlohmann::json;

namespace {

// A member that has the wrong type; caught at the top and turned into kInvalidArgument.
struct BadMember : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads members of one JSON object, naming the path in errors.
class Reader {
 public:
  Reader(const json& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j_.is_object()) throw BadMember(fmt::format("{}: not an object", path_.empty() ? "result" : path_));
  }
  template <typename T>
  void Get(const char* key, T& out) const {
    const auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) return;
    try {
      out = it->get<T>();
    } catch (const json::exception&) {
      throw BadMember(fmt::format("{}: wrong type", Path(key)));
    }
  }
  std::optional<Reader> Object(const char* key) const {
    const auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) return std::nullopt;
    return Reader(*it, Path(key));
  }
  const json* Array(const char* key) const {
    const auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) return nullptr;
    if (!it->is_array()) throw BadMember(fmt::format("{}: not an array", Path(key)));
    return &*it;
  }
  const json& raw() const { return j_; }
  std::string Path(std::string_view key) const { return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key); }

 private:
  const json& j_;
  std::string path_;
};

LatencySummary LatencyFrom(const Reader& r) {
  LatencySummary l;
  r.Get("count", l.count);
  r.Get("p50", l.p50_ms);
  r.Get("p90", l.p90_ms);
  r.Get("p95", l.p95_ms);
  r.Get("p99", l.p99_ms);
  r.Get("p999", l.p999_ms);
  r.Get("p9999", l.p9999_ms);
  r.Get("max", l.max_ms);
  r.Get("mean", l.mean_ms);
  r.Get("curve", l.curve);
  if (const auto h = r.Object("histogram")) {
    HistogramData d;
    h->Get("min_ns", d.min_ns);
    h->Get("max_ns", d.max_ns);
    h->Get("sum_ns", d.sum_ns);
    h->Get("buckets", d.buckets);
    l.histogram = std::move(d);
  }
  return l;
}

LatencySummary LatencyAt(const Reader& r, const char* key) {
  const auto o = r.Object(key);
  return o ? LatencyFrom(*o) : LatencySummary{};
}

PhaseResult PhaseFrom(const Reader& r) {
  PhaseResult p;
  r.Get("name", p.name);
  r.Get("warmup", p.warmup);
  r.Get("cycle", p.cycle);
  r.Get("duration_s", p.duration_s);
  r.Get("target_rate", p.target_rate);
  r.Get("achieved_rate", p.achieved_rate);
  r.Get("workers", p.workers);
  r.Get("scheduled", p.scheduled);
  r.Get("requests", p.requests);
  r.Get("ok", p.ok);
  r.Get("errors", p.errors);
  r.Get("errors_by_kind", p.errors_by_kind);
  r.Get("cancelled", p.cancelled);
  r.Get("dropped", p.dropped);
  r.Get("aborted", p.aborted);
  r.Get("late", p.late);
  r.Get("connections_opened", p.connections_opened);
  r.Get("faulted", p.faulted);
  p.latency = LatencyAt(r, "latency_ms");
  p.latency_uncorrected = LatencyAt(r, "latency_uncorrected_ms");
  if (const auto grpc = r.Object("grpc")) {
    grpc->Get("status", p.grpc_status);
    grpc->Get("messages_sent", p.grpc_messages_sent);
    grpc->Get("messages_received", p.grpc_messages_received);
  }
  if (const auto by = r.Object("by_traffic")) {
    for (const auto& [name, entry] : by->raw().items()) {
      const Reader e(entry, by->Path(name));
      TrafficResult t;
      t.name = name;
      e.Get("protocol", t.protocol);
      e.Get("requests", t.requests);
      e.Get("ok", t.ok);
      e.Get("errors", t.errors);
      e.Get("cancelled", t.cancelled);
      t.latency = LatencyAt(e, "latency_ms");
      p.by_traffic.push_back(std::move(t));
    }
  }
  if (const auto* timeline = r.Array("timeline")) {
    for (size_t i = 0; i < timeline->size(); ++i) {
      const Reader s((*timeline)[i], r.Path(fmt::format("timeline[{}]", i)));
      PhaseSecond second;
      s.Get("second", second.second);
      s.Get("completed", second.completed);
      s.Get("ok", second.ok);
      s.Get("errors", second.errors);
      s.Get("p99_ms", second.p99_ms);
      p.timeline.push_back(second);
    }
  }
  return p;
}

std::optional<Verdict> VerdictNamed(const std::string& name) {
  for (auto v : {Verdict::kPass, Verdict::kFail, Verdict::kError, Verdict::kInterrupted}) {
    if (VerdictName(v) == name) return v;
  }
  return std::nullopt;
}

RunResult ResultFrom(const Reader& r) {
  RunResult out;
  int version = 0;
  r.Get("schema_version", version);
  if (version < 1 || version > kResultSchemaVersion) {
    throw BadMember(fmt::format("schema_version {} is not one this leakgate reads (1..{})", version, kResultSchemaVersion));
  }
  if (const auto sc = r.Object("scenario")) {
    sc->Get("name", out.scenario_name);
    sc->Get("file", out.scenario_file);
  }
  r.Get("started_at", out.started_at);
  r.Get("duration_s", out.duration_s);
  std::string verdict;
  r.Get("verdict", verdict);
  const auto v = VerdictNamed(verdict);
  if (!v) throw BadMember(fmt::format("verdict: \"{}\" is no verdict", verdict));
  out.verdict = *v;
  r.Get("exit_code", out.exit_code);
  r.Get("message", out.message);
  if (const auto t = r.Object("target")) t->Get("url", out.target.url);
  r.Get("warnings", out.warnings);
  if (const auto s = r.Object("shard")) {
    ShardInfo info;
    s->Get("index", info.index);
    s->Get("count", info.count);
    out.shard = info;
  }
  r.Get("merged_shards", out.merged_shards);
  if (const auto* phases = r.Array("phases")) {
    for (size_t i = 0; i < phases->size(); ++i) {
      out.phases.push_back(PhaseFrom(Reader((*phases)[i], fmt::format("phases[{}]", i))));
    }
  }
  return out;
}

}  // namespace

StatusOr<PhaseResult> PhaseFromJson(const json& j) {
  try {
    return PhaseFrom(Reader(j, "phase"));
  } catch (const BadMember& e) {
    return Status::InvalidArgument(e.what());
  }
}

StatusOr<RunResult> LoadResultFromJson(std::string_view text) {
  const auto j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("not JSON");
  try {
    return ResultFrom(Reader(j, ""));
  } catch (const BadMember& e) {
    return Status::InvalidArgument(e.what());
  }
}

}  // namespace leakgate::reports
