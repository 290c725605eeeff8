#include "reports/json_report.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace leakgate::reports {

using nlohmann::json;

namespace {

json LatencyJson(const LatencySummary& l) {
  json curve = json::array();
  for (const auto& [percentile, ms] : l.curve) curve.push_back({percentile, ms});
  json out = {{"count", l.count},     {"p50", l.p50_ms}, {"p90", l.p90_ms},   {"p95", l.p95_ms}, {"p99", l.p99_ms},
              {"p999", l.p999_ms},   {"p9999", l.p9999_ms}, {"max", l.max_ms}, {"mean", l.mean_ms},
              {"curve", std::move(curve)}};
  if (l.histogram) {
    json buckets = json::array();
    for (const auto& [index, count] : l.histogram->buckets) buckets.push_back({index, count});
    out["histogram"] = {{"min_ns", l.histogram->min_ns},
                        {"max_ns", l.histogram->max_ns},
                        {"sum_ns", l.histogram->sum_ns},
                        {"buckets", std::move(buckets)}};
  }
  return out;
}

std::string ErrnoMessage(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

}  // namespace

json PhaseToJson(const PhaseResult& p) {
  json timeline = json::array();
  for (const auto& t : p.timeline) {
    timeline.push_back({{"second", t.second}, {"completed", t.completed}, {"ok", t.ok}, {"errors", t.errors}, {"p99_ms", t.p99_ms}});
  }
  json by_traffic = json::object();
  for (const auto& t : p.by_traffic) {
    by_traffic[t.name] = {{"protocol", t.protocol}, {"requests", t.requests}, {"ok", t.ok},
                          {"errors", t.errors},     {"cancelled", t.cancelled}, {"latency_ms", LatencyJson(t.latency)}};
  }
  json out = {{"name", p.name},
              {"warmup", p.warmup},
              {"cycle", p.cycle},
              {"duration_s", p.duration_s},
              {"target_rate", p.target_rate},
              {"achieved_rate", p.achieved_rate},
              {"workers", p.workers},
              {"scheduled", p.scheduled},
              {"requests", p.requests},
              {"ok", p.ok},
              {"errors", p.errors},
              {"errors_by_kind", p.errors_by_kind},
              {"cancelled", p.cancelled},
              {"dropped", p.dropped},
              {"aborted", p.aborted},
              {"late", p.late},
              {"connections_opened", p.connections_opened},
              {"faulted", p.faulted},
              {"latency_ms", LatencyJson(p.latency)},
              {"latency_uncorrected_ms", LatencyJson(p.latency_uncorrected)},
              {"by_traffic", std::move(by_traffic)},
              {"timeline", std::move(timeline)}};
  if (!p.grpc_status.empty()) {
    out["grpc"] = {{"status", p.grpc_status},
                   {"messages_sent", p.grpc_messages_sent},
                   {"messages_received", p.grpc_messages_received}};
  }
  if (p.tls_handshakes + p.tls_handshake_failures > 0) {
    out["tls"] = {{"handshakes", p.tls_handshakes},
                  {"resumed", p.tls_resumed},
                  {"handshake_failures", p.tls_handshake_failures},
                  {"handshake_ms", LatencyJson(p.tls_handshake_time)}};
  }
  if (!p.dependencies.empty()) {
    json deps = json::object();
    for (const auto& d : p.dependencies) {
      deps[d.name] = {{"connections", d.connections},
                      {"bytes_upstream", d.bytes_upstream},
                      {"bytes_downstream", d.bytes_downstream},
                      {"requests", d.requests},
                      {"faults", d.faults}};
    }
    out["dependencies"] = std::move(deps);
  }
  return out;
}

namespace {

json AssertionJson(const AssertionResult& a) {
  json entry = {{"name", a.name},
                {"passed", a.passed},
                {"kind", a.kind == AssertionKind::kLeak ? "leak" : "threshold"},
                {"baseline", a.baseline},
                {"final", a.final},
                {"limit", a.limit},
                {"noise", a.noise},
                {"detail", a.detail}};
  if (!a.phase.empty()) entry["phase"] = a.phase;
  if (!a.unit.empty()) entry["unit"] = a.unit;
  if (a.slope_per_cycle) {
    entry["slope_per_cycle"] = *a.slope_per_cycle;
    entry["slope_standard_error"] = a.slope_standard_error.value_or(0);
    entry["growth_significant"] = a.growth_significant;
  }
  return entry;
}

json LeaksJson(const std::vector<GoroutineLeak>& list) {
  json out = json::array();
  for (const auto& l : list) {
    json labels = json::object();
    for (const auto& [k, v] : l.labels) labels[k] = v;
    out.push_back({{"count", l.count},
                   {"evidence", LeakEvidenceName(l.evidence)},
                   {"function", l.function},
                   {"created_by", l.created_by},
                   {"created_by_location", l.created_by_location},
                   {"state", l.state},
                   {"labels", std::move(labels)},
                   {"stack", l.stack}});
  }
  return out;
}

json FdLeaksJson(const std::vector<FdLeak>& list) {
  json out = json::array();
  for (const auto& f : list) out.push_back({{"count", f.count}, {"target", f.target}});
  return out;
}

}  // namespace

json ToJson(const RunResult& r) {
  json phases = json::array();
  for (const auto& p : r.phases) phases.push_back(PhaseToJson(p));
  json assertions = json::array();
  for (const auto& a : r.assertions) assertions.push_back(AssertionJson(a));
  json heap_growth = json::array();
  for (const auto& h : r.heap_growth) {
    heap_growth.push_back({{"function", h.function},
                           {"location", h.location},
                           {"bytes", h.bytes},
                           {"objects", h.objects},
                           {"stack", h.stack}});
  }
  json cycles = json::array();
  for (const auto& c : r.cycles) {
    cycles.push_back({{"cycle", c.cycle},
                      {"settled", c.settled},
                      {"plateaued", c.plateaued},
                      {"settle_s", c.settle_s},
                      {"values", c.values}});
  }
  json timeline = json::array();
  for (const auto& t : r.timeline) timeline.push_back({{"t_s", t.t_s}, {"phase", t.phase}, {"values", t.values}});
  json gctrace = json::array();
  for (const auto& g : r.gctrace) {
    gctrace.push_back({{"gc", g.gc},
                       {"t_s", g.t_s},
                       {"cpu_percent", g.cpu_percent},
                       {"heap_before_mb", g.heap_before_mb},
                       {"heap_after_mb", g.heap_after_mb},
                       {"heap_live_mb", g.heap_live_mb},
                       {"goal_mb", g.goal_mb},
                       {"pause_ms", g.pause_ms},
                       {"forced", g.forced}});
  }

  json out = {{"schema_version", kResultSchemaVersion},
          {"scenario", {{"name", r.scenario_name}, {"file", r.scenario_file}}},
          {"started_at", r.started_at},
          {"duration_s", r.duration_s},
          {"verdict", VerdictName(r.verdict)},
          {"exit_code", r.exit_code},
          {"message", r.message},
          {"target",
           {{"url", r.target.url},
            {"command", r.target.command},
            {"pid", r.target.pid},
            {"exit_status", r.target.exit_status},
            {"panic", r.target.panic},
            {"log", r.target.log_path}}},
          {"phases", phases},
          {"baseline", r.baseline},
          {"final", r.final},
          {"settled", r.settled},
          {"settle_s", r.settle_s},
          {"assertions", assertions},
          {"leaks", LeaksJson(r.leaks)},
          {"leak_profile", {{"available", r.leak_profile_available}, {"proven_leaks", LeaksJson(r.proven_leaks)}}},
          {"heap_growth", heap_growth},
          {"cycles", cycles},
          {"fd_leaks", FdLeaksJson(r.fd_leaks)},
          {"fds_closed_by_gc", FdLeaksJson(r.fds_closed_by_gc)},
          {"gctrace", gctrace},
          {"timeline", timeline},
          {"artifacts", r.artifacts},
          {"warnings", r.warnings}};
  if (r.shard) out["shard"] = {{"index", r.shard->index}, {"count", r.shard->count}};
  if (r.merged_shards > 0) out["merged_shards"] = r.merged_shards;
  return out;
}

void WriteFileAtomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(ErrnoMessage("cannot create", tmp));
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const auto msg = ErrnoMessage("cannot write", tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      throw std::runtime_error(msg);
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const auto msg = ErrnoMessage("cannot flush", tmp);
    ::unlink(tmp.c_str());
    throw std::runtime_error(msg);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const auto msg = ErrnoMessage("cannot rename onto", path);
    ::unlink(tmp.c_str());
    throw std::runtime_error(msg);
  }
}

std::string RenderJson(const RunResult& result) {
  return ToJson(result).dump(2, ' ', /*ensure_ascii=*/false, json::error_handler_t::replace) + "\n";
}

void WriteJsonReport(const std::string& path, const RunResult& result) { WriteFileAtomically(path, RenderJson(result)); }

}  // namespace leakgate::reports
