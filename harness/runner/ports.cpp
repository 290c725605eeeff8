#include "harness/runner/ports.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>

namespace leakgate::runner {

int AllocateLoopbackPort() {
  // Ports already handed out by this process: the kernel may offer a released port again.
  static std::mutex mu;
  static std::set<int> handed_out;
  for (int attempt = 0; attempt < 64; ++attempt) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      const std::string err = std::strerror(errno);
      ::close(fd);
      throw std::runtime_error("cannot bind a loopback port: " + err);
    }
    ::close(fd);
    const int port = ntohs(addr.sin_port);
    std::lock_guard lock(mu);
    if (handed_out.insert(port).second) return port;
  }
  throw std::runtime_error("no free loopback port found");
}

}  // namespace leakgate::runner
