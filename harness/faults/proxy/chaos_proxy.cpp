#include "harness/faults/proxy/chaos_proxy.h"

#include <random>
#include <set>

#include <fmt/format.h>

#include <boost/asio/ip/address.hpp>

#include "harness/faults/proxy/fault_names.h"
#include "harness/faults/proxy/grpc_stub.h"
#include "harness/faults/proxy/http_stub.h"
#include "harness/faults/proxy/listener.h"
#include "harness/faults/proxy/proxy_core.h"
#include "harness/faults/proxy/worker.h"
#include "harness/net/tls_context.h"

namespace leakgate::faults::proxy {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

Status Validate(const std::vector<scenario::Dependency>& dependencies, const ProxyOptions& options) {
  if (options.threads < 1) return Status::InvalidArgument("chaos proxy: threads must be >= 1");
  if (options.buffer_bytes == 0 || options.read_bytes == 0) return Status::InvalidArgument("chaos proxy: buffer sizes must be > 0");
  std::set<std::string> names;
  for (const scenario::Dependency& d : dependencies) {
    const std::string where = fmt::format("dependency \"{}\"", d.name);
    if (d.name.empty()) return Status::InvalidArgument("dependency: a name is required");
    if (!names.insert(d.name).second) return Status::InvalidArgument(where + ": declared twice");
    const int kinds = (d.upstream_host.empty() ? 0 : 1) + (d.http_stub ? 1 : 0) + (d.grpc_stub ? 1 : 0);
    if (kinds != 1) return Status::InvalidArgument(where + ": needs exactly one of upstream, stub, stub.grpc");
    if (!d.upstream_host.empty() && (d.upstream_port < 1 || d.upstream_port > 65535)) {
      return Status::InvalidArgument(fmt::format("{}: upstream port {} is not in 1..65535", where, d.upstream_port));
    }
    if (d.grpc_stub && d.http) return Status::InvalidArgument(where + ": a gRPC stub cannot be relayed as HTTP/1.1");
    if (d.tls && d.upstream_host.empty()) return Status::InvalidArgument(where + ": tls is for an upstream, not a stub");
    if (d.listen_port < 0 || d.listen_port > 65535) {
      return Status::InvalidArgument(fmt::format("{}: listen port {} is not in 0..65535", where, d.listen_port));
    }
  }
  return Status::Ok();
}

// The upstream's address. Names are not resolved here (a lookup cannot be given a
// deadline): the loader, which decides which hosts are allowed, passes addresses.
StatusOr<tcp::endpoint> UpstreamEndpoint(const scenario::Dependency& d) {
  const auto port = static_cast<unsigned short>(d.upstream_port);
  if (d.upstream_host == "localhost") return tcp::endpoint(asio::ip::address_v4::loopback(), port);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(d.upstream_host, ec);
  if (ec) {
    return Status::InvalidArgument(fmt::format("dependency \"{}\": upstream host \"{}\" is not an IP address or localhost",
                                               d.name, d.upstream_host));
  }
  return tcp::endpoint(address, port);
}

uint64_t Seed(const ProxyOptions& options) {
  if (options.seed != 0) return options.seed;
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

}  // namespace

ProxyCore::ProxyCore(const ProxyOptions& opts, std::vector<std::string> dependency_names)
    : options(opts), log(opts.max_log_events), counters(std::move(dependency_names)) {}

ProxyCore::~ProxyCore() {
  // After ChaosProxy::Stop() (or a Start() that failed before the workers ran): what holds
  // I/O objects of worker 0 goes before the workers' io_contexts, worker 0's first (its
  // accept loop may hold sockets made for the other workers).
  for (auto& g : grpc_stubs) g->Shutdown(options.stop_timeout);
  for (auto& w : workers) {
    w->ForceStop();
    w->Join();
  }
  listeners.clear();
  http_stubs.clear();
  for (auto& w : workers) w.reset();
  grpc_stubs.clear();
}

void ProxyCore::Log(const FaultSet& set, int dependency, const ActiveFault* fault, uint64_t connection, std::string what) {
  FaultEvent e;
  e.at = Clock::now() - started;
  e.phase = set.phase;
  if (dependency >= 0) e.dependency = dependencies[static_cast<size_t>(dependency)].spec.name;
  if (fault) {
    e.fault = std::string(FaultKindName(fault->spec.kind));
    e.fault_index = fault->index;
  }
  e.connection = connection;
  e.what = std::move(what);
  log.Add(std::move(e));
}

ChaosProxy::ChaosProxy(std::unique_ptr<ProxyCore> core) : core_(std::move(core)) {}

ChaosProxy::~ChaosProxy() { Stop(); }

StatusOr<std::unique_ptr<ChaosProxy>> ChaosProxy::Start(const std::vector<scenario::Dependency>& dependencies,
                                                        const ProxyOptions& options) {
  if (Status s = Validate(dependencies, options); !s.ok()) return s;
  std::vector<std::string> names;
  for (const auto& d : dependencies) names.push_back(d.name);
  auto core = std::make_unique<ProxyCore>(options, names);
  auto initial = BuildFaultSet("", 0, {}, dependencies, core->counters);
  if (!initial.ok()) return initial.status();
  const uint64_t seed = Seed(options);
  for (int i = 0; i < options.threads; ++i) {
    core->workers.push_back(std::make_unique<Worker>(*core, i, seed + static_cast<uint64_t>(i), *initial));
  }
  Worker& first = *core->workers[0];

  core->dependencies.reserve(dependencies.size());  // listeners keep references into it
  for (size_t d = 0; d < dependencies.size(); ++d) {
    DependencyRuntime rt;
    rt.index = static_cast<int>(d);
    rt.spec = dependencies[d];
    if (rt.spec.http_stub) {
      auto stub = std::make_unique<HttpStubServer>(first, *rt.spec.http_stub, options.idle_timeout);
      if (Status s = stub->Open(); !s.ok()) return s.WithContext(fmt::format("dependency \"{}\": ", rt.spec.name));
      rt.upstream = stub->endpoint();
      core->http_stubs.push_back(std::move(stub));
    } else if (rt.spec.grpc_stub) {
      auto stub = GrpcStubServer::Start(*rt.spec.grpc_stub);
      if (!stub.ok()) return stub.status().WithContext(fmt::format("dependency \"{}\": ", rt.spec.name));
      rt.upstream = tcp::endpoint(asio::ip::address_v4::loopback(), static_cast<unsigned short>((*stub)->port()));
      core->grpc_stubs.push_back(std::move(*stub));
    } else {
      auto endpoint = UpstreamEndpoint(rt.spec);
      if (!endpoint.ok()) return endpoint.status();
      rt.upstream = *endpoint;
      if (rt.spec.tls) {
        auto context = net::MakeClientTlsContext(*rt.spec.tls, fmt::format("dependencies.{}.tls", rt.spec.name),
                                                 rt.spec.tls_alpn);
        if (!context.ok()) return context.status();
        rt.tls_context = *std::move(context);
      }
    }
    core->dependencies.push_back(std::move(rt));
  }
  for (DependencyRuntime& rt : core->dependencies) {
    auto listener = std::make_unique<Listener>(first, rt);
    if (Status s = listener->Open(rt.spec.listen_port); !s.ok()) return s;
    rt.port = listener->port();
    core->listeners.push_back(std::move(listener));
  }
  // The loops are queued before the threads run, so nothing races the setup above.
  for (auto& l : core->listeners) l->Start();
  for (auto& s : core->http_stubs) s->Start();
  for (auto& w : core->workers) w->Run();
  return std::unique_ptr<ChaosProxy>(new ChaosProxy(std::move(core)));
}

std::string ChaosProxy::Address(const std::string& name) const {
  const int port = Port(name);
  return port == 0 ? "" : fmt::format("127.0.0.1:{}", port);
}

int ChaosProxy::Port(const std::string& name) const {
  for (const DependencyRuntime& d : core_->dependencies) {
    if (d.spec.name == name) return d.port;
  }
  return 0;
}

Status ChaosProxy::SetPhase(const std::string& phase, const std::vector<scenario::DependencyFault>& faults) {
  std::lock_guard lock(mu_);
  if (stopped_) return Status::Cancelled("chaos proxy: SetPhase(\"" + phase + "\") after Stop()");
  std::vector<scenario::Dependency> specs;
  for (const DependencyRuntime& d : core_->dependencies) specs.push_back(d.spec);
  auto set = BuildFaultSet(phase, generation_, faults, specs, core_->counters);
  if (!set.ok()) return set.status();
  ++generation_;
  FaultEvent e;
  e.at = Clock::now() - core_->started;
  e.phase = phase;
  e.fault = "phase";
  e.what = fmt::format("phase \"{}\" current with {} dependency fault(s)", phase, faults.size());
  core_->log.Add(std::move(e));
  for (auto& w : core_->workers) {
    if (!w->Apply(*set, core_->options.stop_timeout)) {
      return Status::DeadlineExceeded(fmt::format("chaos proxy: worker {} did not take phase \"{}\" within the stop timeout",
                                                  w->index(), phase));
    }
  }
  return Status::Ok();
}

std::vector<PhaseStats> ChaosProxy::Stats() const { return core_->counters.Snapshot(); }

std::vector<FaultEvent> ChaosProxy::FaultLog() const { return core_->log.Events(); }

Status ChaosProxy::WriteFaultLog(const std::string& path) const { return core_->log.WriteJsonLines(path); }

void ChaosProxy::Stop() {
  std::lock_guard lock(mu_);
  if (stopped_) return;
  stopped_ = true;
  const auto deadline = Clock::now() + core_->options.stop_timeout;
  // gRPC first: its calls may wait on alarms; Shutdown cancels them after half the bound.
  for (auto& g : core_->grpc_stubs) g->Shutdown(core_->options.stop_timeout / 2);
  for (auto& w : core_->workers) w->BeginStop();
  for (auto& w : core_->workers) {
    if (!w->WaitStopped(deadline)) w->ForceStop();
  }
  for (auto& w : core_->workers) w->Join();
}

}  // namespace leakgate::faults::proxy
