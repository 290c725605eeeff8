#include "fake_dns.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

namespace leakgate::testing {

namespace {

constexpr std::size_t kHeaderBytes = 12;
constexpr unsigned kTypeA = 1;

int BoundSocket(int type, std::string& error) {
  const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(53);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      (type == SOCK_STREAM && ::listen(fd, 16) != 0)) {
    error = std::string("bind 127.0.0.1:53: ") + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return -1;
  }
  return fd;
}

void Put16(std::string& out, unsigned v) {
  out.push_back(static_cast<char>((v >> 8) & 0xff));
  out.push_back(static_cast<char>(v & 0xff));
}

}  // namespace

FakeDnsServer::FakeDnsServer(std::map<std::string, std::string> a_records, bool silent)
    : a_records_(std::move(a_records)), silent_(silent) {
  udp_fd_ = BoundSocket(SOCK_DGRAM, error_);
  if (udp_fd_ >= 0) tcp_fd_ = BoundSocket(SOCK_STREAM, error_);
  if (error_.empty()) thread_ = std::thread([this] { Serve(); });
}

FakeDnsServer::~FakeDnsServer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (udp_fd_ >= 0) ::close(udp_fd_);
  if (tcp_fd_ >= 0) ::close(tcp_fd_);
}

std::vector<FakeDnsServer::Query> FakeDnsServer::Queries() const {
  std::lock_guard lock(mu_);
  return queries_;
}

void FakeDnsServer::Serve() {
  unsigned char buf[4096];
  while (!stop_) {
    pollfd fds[2] = {{udp_fd_, POLLIN, 0}, {tcp_fd_, POLLIN, 0}};
    if (::poll(fds, 2, 50) <= 0) continue;
    if (fds[1].revents & POLLIN) {
      const int conn = ::accept4(tcp_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (conn >= 0) {
        std::lock_guard lock(mu_);
        queries_.push_back({"", 0, "tcp"});
        ::close(conn);
      }
    }
    if (fds[0].revents & POLLIN) {
      sockaddr_in peer{};
      socklen_t peer_len = sizeof peer;
      const ssize_t n = ::recvfrom(udp_fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&peer), &peer_len);
      if (n <= 0) continue;
      std::string reply;
      Answer(buf, static_cast<std::size_t>(n), reply);
      if (!silent_ && !reply.empty()) {
        ::sendto(udp_fd_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&peer), peer_len);
      }
    }
  }
}

// Records the query and builds the reply (empty for a datagram that is no query).
void FakeDnsServer::Answer(const unsigned char* q, std::size_t size, std::string& reply) {
  if (size < kHeaderBytes) return;
  std::string name;
  std::size_t at = kHeaderBytes;
  while (at < size && q[at] != 0) {
    const std::size_t len = q[at];
    if (len > 63 || at + 1 + len > size) return;
    if (!name.empty()) name.push_back('.');
    for (std::size_t i = 0; i < len; ++i) name.push_back(static_cast<char>(std::tolower(q[at + 1 + i])));
    at += 1 + len;
  }
  if (at + 5 > size) return;
  const unsigned type = (static_cast<unsigned>(q[at + 1]) << 8) | q[at + 2];
  const std::size_t question_end = at + 5;  // the name's 0, type, class
  {
    std::lock_guard lock(mu_);
    queries_.push_back({name, type, "udp"});
  }
  const auto record = a_records_.find(name);
  const bool known = record != a_records_.end();
  const bool answer = known && type == kTypeA;
  reply.assign(reinterpret_cast<const char*>(q), 2);  // id
  Put16(reply, known ? 0x8180 : 0x8183);              // response, recursion available; NXDOMAIN if unknown
  Put16(reply, 1);                                    // questions
  Put16(reply, answer ? 1 : 0);                       // answers
  Put16(reply, 0);
  Put16(reply, 0);
  reply.append(reinterpret_cast<const char*>(q + kHeaderBytes), question_end - kHeaderBytes);
  if (!answer) return;
  in_addr ipv4{};
  ::inet_pton(AF_INET, record->second.c_str(), &ipv4);
  Put16(reply, 0xc00c);  // the question's name
  Put16(reply, kTypeA);
  Put16(reply, 1);       // IN
  Put16(reply, 0);
  Put16(reply, 60);      // TTL
  Put16(reply, 4);
  reply.append(reinterpret_cast<const char*>(&ipv4), 4);
}

}  // namespace leakgate::testing
