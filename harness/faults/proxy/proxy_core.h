// ProxyCore: what the pieces of one ChaosProxy share (internal to harness/faults/proxy).
//
// Built by ChaosProxy::Start() on the calling thread before any worker runs; after that
// `options`, `dependencies` and `started` are read-only, `log` and `counters` are
// thread-safe, `listeners` and `http_stubs` are touched only on worker 0's thread, and
// `workers` is changed only by ChaosProxy (Start, Stop).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "harness/faults/proxy/byte_queue.h"
#include "harness/faults/proxy/chaos_proxy.h"
#include "harness/faults/proxy/fault_log.h"
#include "harness/faults/proxy/fault_set.h"
#include "harness/faults/proxy/proxy_stats.h"
#include "harness/scenario/scenario.h"

namespace leakgate::faults::proxy {

class GrpcStubServer;
class HttpStubServer;
class Listener;
class Worker;

struct DependencyRuntime {
  int index = 0;
  scenario::Dependency spec;
  boost::asio::ip::tcp::endpoint upstream;  // the real upstream, or the stub server's address
  // Set when the upstream speaks TLS (spec.tls): the proxy's client context for it.
  std::shared_ptr<boost::asio::ssl::context> tls_context;
  int port = 0;                             // the proxy's listening port
};

class ProxyCore {
 public:
  ProxyCore(const ProxyOptions& opts, std::vector<std::string> dependency_names);
  ~ProxyCore();
  ProxyCore(const ProxyCore&) = delete;
  ProxyCore& operator=(const ProxyCore&) = delete;

  // Adds an event stamped now, under `set`'s phase; `fault` may be null (proxy event).
  void Log(const FaultSet& set, int dependency, const ActiveFault* fault, uint64_t connection, std::string what);

  const ProxyOptions options;
  const Clock::time_point started = Clock::now();
  std::vector<DependencyRuntime> dependencies;
  FaultLog log;
  CounterRegistry counters;
  std::atomic<uint64_t> next_connection_id{1};

  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::unique_ptr<Listener>> listeners;          // per dependency, on worker 0
  std::vector<std::unique_ptr<HttpStubServer>> http_stubs;   // on worker 0
  std::vector<std::unique_ptr<GrpcStubServer>> grpc_stubs;   // grpc++'s own threads
};

}  // namespace leakgate::faults::proxy
