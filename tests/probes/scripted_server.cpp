#include "scripted_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace leakgate::testing {

namespace {

constexpr int kPollMillis = 50;

// Waits up to kPollMillis for `events` on `fd`; true when ready.
bool Ready(int fd, short events) {
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, kPollMillis) > 0 && (p.revents & (events | POLLHUP | POLLERR)) != 0;
}

}  // namespace

ScriptedServer::ScriptedServer(Script script, const std::string& ipv4) : script_(std::move(script)), address_(ipv4) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::inet_pton(AF_INET, ipv4.c_str(), &addr.sin_addr) != 1) {
    ::close(listen_fd_);
    throw std::runtime_error("not an IPv4 address: " + ipv4);
  }
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("bind/listen on " + ipv4 + ":0 failed");
  }
  port_ = ntohs(addr.sin_port);
  accept_thread_ = std::thread([this] { AcceptLoop(); });
}

ScriptedServer::~ScriptedServer() {
  stop_ = true;
  accept_thread_.join();
  std::lock_guard lock(mu_);
  for (auto& t : connection_threads_) t.join();
  ::close(listen_fd_);
}

std::string ScriptedServer::Url(std::string_view path) const {
  return "http://" + address_ + ":" + std::to_string(port_) + std::string(path);
}

void ScriptedServer::AcceptLoop() {
  while (!stop_) {
    if (!Ready(listen_fd_, POLLIN)) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ++connections_;
    std::lock_guard lock(mu_);
    connection_threads_.emplace_back([this, fd] {
      script_(fd, stop_);
      ::close(fd);
    });
  }
}

std::string ScriptedServer::ReadRequestHead(int fd, const std::atomic<bool>& stop) {
  std::string head;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  char buf[4096];
  while (!stop && std::chrono::steady_clock::now() < give_up && head.find("\r\n\r\n") == std::string::npos &&
         head.size() < 65536) {
    if (!Ready(fd, POLLIN)) continue;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    head.append(buf, static_cast<size_t>(n));
  }
  return head;
}

bool ScriptedServer::SendAll(int fd, std::string_view data, const std::atomic<bool>& stop) {
  const auto give_up = std::chrono::steady_clock::now() + kMaxScriptTime;
  while (!data.empty()) {
    if (stop || std::chrono::steady_clock::now() > give_up) return false;
    if (!Ready(fd, POLLOUT)) continue;
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool ScriptedServer::SleepFor(std::chrono::milliseconds d, const std::atomic<bool>& stop) {
  const auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
    if (stop) return false;
    std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(std::chrono::milliseconds(10),
                                                                    until - std::chrono::steady_clock::now()));
  }
  return !stop;
}

}  // namespace leakgate::testing
