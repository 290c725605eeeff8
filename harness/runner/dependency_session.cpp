#include "harness/runner/dependency_session.h"

#include <fmt/format.h>

#include <chrono>
#include <utility>

#include "harness/net/address_policy.h"
#include "harness/net/http_url.h"
#include "reports/report_text.h"

namespace leakgate::runner {
namespace {

constexpr auto kResolveTimeout = std::chrono::seconds(5);

// The dependencies with every upstream host replaced by the address it resolves to,
// through the address policy (the loader checked it already; this is the one lookup).
StatusOr<std::vector<scenario::Dependency>> Resolved(const scenario::Scenario& s) {
  auto allow = net::AllowList::Parse(s.safety.allow_hosts, "safety.allow_hosts");
  if (!allow.ok()) return allow.status();
  std::vector<scenario::Dependency> out = s.dependencies;
  for (auto& d : out) {
    if (d.upstream_host.empty()) continue;
    const bool v6 = d.upstream_host.find(':') != std::string::npos;
    const std::string authority = v6 ? "[" + d.upstream_host + "]" : d.upstream_host;
    auto url = net::ParseHttpUrl(fmt::format("http://{}:{}/", authority, d.upstream_port));
    if (!url.ok()) return url.status();
    auto resolved = net::CheckAndResolve(*url, fmt::format("dependencies.{}.upstream", d.name), *allow,
                                         std::chrono::steady_clock::now() + kResolveTimeout);
    if (!resolved.ok()) return resolved.status();
    d.upstream_host = resolved->endpoints.front().address().to_string();
  }
  return out;
}

// Only the counters a fault moved (connections always, so a fault that found nothing to
// do still shows).
std::map<std::string, int64_t> Counters(const faults::proxy::FaultStats& f) {
  std::map<std::string, int64_t> out{{"connections", f.connections}};
  const std::pair<const char*, int64_t> all[] = {
      {"requests", f.requests},           {"bytes_delayed", f.bytes_delayed},
      {"bytes_held", f.bytes_held},       {"bytes_dropped", f.bytes_dropped},
      {"connections_refused", f.connections_refused}, {"connections_closed", f.connections_closed},
      {"connections_reset", f.connections_reset}};
  for (const auto& [name, value] : all) {
    if (value != 0) out[name] = value;
  }
  return out;
}

reports::DependencyPhaseResult ToResult(const faults::proxy::DependencyStats& d) {
  reports::DependencyPhaseResult r;
  r.name = d.dependency;
  r.connections = d.connections;
  r.bytes_upstream = d.bytes_upstream;
  r.bytes_downstream = d.bytes_downstream;
  r.requests = d.requests;
  for (const auto& f : d.faults) {
    // Two faults of one kind on one dependency in one phase: the second is "kind#2".
    std::string key = f.fault;
    for (int n = 2; r.faults.contains(key); ++n) key = fmt::format("{}#{}", f.fault, n);
    r.faults[key] = Counters(f);
  }
  return r;
}

}  // namespace

Status DependencySession::Start() {
  if (s_.dependencies.empty()) return Status::Ok();
  auto deps = Resolved(s_);
  if (!deps.ok()) return deps.status();
  auto proxy = faults::proxy::ChaosProxy::Start(*deps);
  if (!proxy.ok()) return Status::Unavailable(fmt::format("chaos proxy: {}", proxy.status().message()));
  proxy_ = std::move(*proxy);
  return Status::Ok();
}

Status DependencySession::BeginPhase(const scenario::Phase& phase, int cycle) {
  if (!proxy_) return Status::Ok();
  current_ = cycle <= 1 ? phase.name : fmt::format("{} (cycle {})", phase.name, cycle);
  return proxy_->SetPhase(current_, phase.dependency_faults);
}

StatusOr<std::vector<reports::DependencyPhaseResult>> DependencySession::EndPhase() {
  std::vector<reports::DependencyPhaseResult> out;
  if (!proxy_) return out;
  // Between phases and during settle no fault is on; traffic then counts under "".
  if (Status off = proxy_->SetPhase("", {}); !off.ok()) return off;
  for (const auto& phase : proxy_->Stats()) {
    if (phase.phase != current_) continue;
    for (const auto& d : phase.dependencies) out.push_back(ToResult(d));
  }
  return out;
}

std::vector<std::string> DependencySession::ConsoleLines(const std::string& phase,
                                                         const std::vector<reports::DependencyPhaseResult>& results) {
  std::vector<std::string> lines;
  for (const auto& d : results) lines.push_back(fmt::format("phase {}: {}", phase, reports::DescribeDependencyPhase(d)));
  return lines;
}

Status DependencySession::WriteFaultLog(const std::string& path) const {
  if (!proxy_) return Status::Ok();
  return proxy_->WriteFaultLog(path);
}

void DependencySession::Stop() {
  if (proxy_) proxy_->Stop();
}

}  // namespace leakgate::runner
