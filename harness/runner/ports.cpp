#include "harness/runner/ports.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <utility>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>

namespace leakgate::runner {

namespace {

// The kernel's ephemeral port range (client sockets' local ports), from
// /proc/sys/net/ipv4/ip_local_port_range; Linux's default when unreadable.
std::pair<int, int> EphemeralRange() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 32768, high = 60999;
  if (!(in >> low >> high) || low <= 0 || high < low) return {32768, 60999};
  return {low, high};
}

// True when 127.0.0.1:port can be bound right now. Without SO_REUSEADDR, so that a port
// with connections still in TIME_WAIT counts as busy.
bool CanBind(int port, int* bound_port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  socklen_t len = sizeof addr;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  if (ok) *bound_port = ntohs(addr.sin_port);
  return ok;
}

}  // namespace

int AllocateLoopbackPort() {
  // Ports already handed out by this process: a released port may be offered again.
  static std::mutex mu;
  static std::set<int> handed_out;
  static std::mt19937 rng(std::random_device{}());
  // Prefer ports below the ephemeral range: a port the kernel may also give a client
  // socket as its local port (a load generator opening thousands of connections) can be
  // taken between this check and the target's listen(). Fall back to the kernel's choice
  // when there is no room below the range.
  const auto [ephemeral_low, ephemeral_high] = EphemeralRange();
  constexpr int kLowest = 10000;
  for (int attempt = 0; attempt < 256; ++attempt) {
    int port = 0;
    if (ephemeral_low - 1 > kLowest && attempt < 192) {
      std::lock_guard lock(mu);
      port = std::uniform_int_distribution<int>(kLowest, ephemeral_low - 1)(rng);
    }
    int bound = 0;
    if (!CanBind(port, &bound)) continue;
    std::lock_guard lock(mu);
    if (handed_out.insert(bound).second) return bound;
  }
  throw std::runtime_error("no free loopback port found");
}

}  // namespace leakgate::runner
