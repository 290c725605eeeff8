// Listener: a dependency's loopback listening socket and its accept loop (internal to
// harness/faults/proxy).
//
// Accepts on worker 0 and hands each connection to the next worker, round robin. `down`
// (probability 1) pauses it the way HAProxy pauses a listener on Linux: shutdown() on the
// listening socket stops it listening while the port stays bound (connects get
// ECONNREFUSED, as from a dead dependency), listen() resumes it on the same port. That is
// why the port is always bound explicitly: a port 0 is first resolved to a free port.
//
// Thread-safety: Open() on the starting thread before the workers run; the rest on
// worker 0's thread.
#pragma once

#include <cstddef>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "harness/base/status.h"
#include "harness/faults/proxy/byte_queue.h"
#include "harness/faults/proxy/fault_set.h"

namespace leakgate::faults::proxy {

struct DependencyRuntime;
class Worker;

class Listener {
 public:
  Listener(Worker& accepting, const DependencyRuntime& dependency);
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Binds 127.0.0.1:port (0: a free port) and listens. Unavailable when it cannot.
  Status Open(int port);
  int port() const { return port_; }
  void Start();  // spawns the accept loop on worker 0

  // `down` with probability 1 on (refuse connects) or off (accept again); logs changes
  // under `set`'s phase with `fault`.
  void SetDown(bool down, const FaultSet& set, const ActiveFault* fault);
  void Close();

 private:
  static boost::asio::awaitable<void> AcceptLoop(Listener* self);

  Worker& worker_;
  const DependencyRuntime& dependency_;
  boost::asio::ip::tcp::acceptor acceptor_;
  Signal wake_;  // the accept loop waits here while down
  int port_ = 0;
  bool down_ = false;
  bool closed_ = false;
  size_t next_worker_ = 0;
};

}  // namespace leakgate::faults::proxy
