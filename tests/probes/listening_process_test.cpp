// Finding the process that listens on a port, from the real /proc of this machine: the
// test listens itself and must be found.
#include "probes/listening_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace leakgate::probes {
namespace listening_process_test {

// A listening TCP socket on loopback, port chosen by the kernel.
class Listener {
 public:
  explicit Listener(int family) {
    fd_ = socket(family, SOCK_STREAM, 0);
    if (fd_ < 0) return;
    sockaddr_storage addr{};
    socklen_t len = 0;
    if (family == AF_INET) {
      auto* a = reinterpret_cast<sockaddr_in*>(&addr);
      a->sin_family = AF_INET;
      a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      len = sizeof *a;
    } else {
      auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
      a->sin6_family = AF_INET6;
      a->sin6_addr = in6addr_loopback;
      len = sizeof *a;
    }
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || listen(fd_, 1) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      close(fd_);
      fd_ = -1;
      return;
    }
    port_ = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in*>(&addr)->sin_port
                                    : reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  }
  ~Listener() {
    if (fd_ >= 0) close(fd_);
  }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  bool ok() const { return fd_ >= 0; }
  uint16_t port() const { return port_; }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

std::string Slurp(const char* path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ListeningProcess, FindsItsOwnIpv4Listener) {
  Listener l(AF_INET);
  ASSERT_TRUE(l.ok());
  // An accepted connection has the same local port, in state ESTABLISHED: not counted.
  const int client = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(client, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  to.sin_port = htons(l.port());
  ASSERT_EQ(connect(client, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
  const int accepted = accept(l.fd(), nullptr, nullptr);
  ASSERT_GE(accepted, 0);
  const auto table = Slurp("/proc/net/tcp");
  EXPECT_EQ(ParseListeningInodes(table, l.port()).size(), 1u) << "the listener only, not the accepted socket";
  EXPECT_TRUE(ParseListeningInodes(table, 0).empty());
  close(accepted);
  close(client);
  const auto pid = FindProcessListeningOn(l.port());
  ASSERT_TRUE(pid);
  EXPECT_EQ(*pid, getpid());
}

TEST(ListeningProcess, FindsItsOwnIpv6Listener) {
  Listener l(AF_INET6);
  ASSERT_TRUE(l.ok()) << "no IPv6 loopback here";
  EXPECT_EQ(ParseListeningInodes(Slurp("/proc/net/tcp6"), l.port()).size(), 1u);
  EXPECT_EQ(FindProcessListeningOn(l.port()), getpid());
}

TEST(ListeningProcess, NobodyListensOnAClosedPort) {
  uint16_t port = 0;
  {
    Listener l(AF_INET);
    ASSERT_TRUE(l.ok());
    port = l.port();
  }
  EXPECT_TRUE(ParseListeningInodes(Slurp("/proc/net/tcp"), port).empty());
  EXPECT_FALSE(FindProcessListeningOn(port));
}

}  // namespace listening_process_test
}  // namespace leakgate::probes
