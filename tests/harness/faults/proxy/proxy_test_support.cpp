#include "proxy_test_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

namespace leakgate::faults::proxy::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

int PollFor(int fd, short events, milliseconds timeout) {
  pollfd p{fd, events, 0};
  for (;;) {
    const int r = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (r < 0 && errno == EINTR) continue;
    return r;
  }
}

int Remaining(Clock::time_point deadline) {
  return static_cast<int>(std::max<int64_t>(0, std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count()));
}

}  // namespace

// ---- RawClient ----

RawClient RawClient::Connect(int port, int* error, milliseconds timeout) {
  RawClient c;
  c.fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  int rc = ::connect(c.fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  *error = 0;
  if (rc != 0 && errno == EINPROGRESS) {
    if (PollFor(c.fd_, POLLOUT, timeout) <= 0) {
      *error = ETIMEDOUT;
    } else {
      socklen_t len = sizeof *error;
      ::getsockopt(c.fd_, SOL_SOCKET, SO_ERROR, error, &len);
    }
  } else if (rc != 0) {
    *error = errno;
  }
  if (*error != 0) {
    ::close(c.fd_);
    c.fd_ = -1;
    return c;
  }
  const int one = 1;
  ::setsockopt(c.fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return c;
}

RawClient::RawClient(RawClient&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
RawClient& RawClient::operator=(RawClient&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}
RawClient::~RawClient() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawClient::SendAll(std::string_view data, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!data.empty()) {
    const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (PollFor(fd_, POLLOUT, milliseconds(Remaining(deadline))) <= 0) return false;
      continue;
    }
    return false;
  }
  return true;
}

void RawClient::ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }

RawClient::Read RawClient::ReadSome(milliseconds timeout, size_t cap) {
  Read r;
  if (PollFor(fd_, POLLIN, timeout) <= 0) {
    r.timed_out = true;
    return r;
  }
  r.bytes.resize(cap);
  const ssize_t n = ::recv(fd_, r.bytes.data(), cap, 0);
  if (n > 0) {
    r.bytes.resize(static_cast<size_t>(n));
  } else {
    r.bytes.clear();
    if (n == 0) r.eof = true;
    else r.error = errno;
  }
  return r;
}

RawClient::Read RawClient::ReadUpTo(size_t n, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  Read total;
  while (total.bytes.size() < n) {
    Read r = ReadSome(milliseconds(Remaining(deadline)), std::min<size_t>(64 * 1024, n - total.bytes.size()));
    total.bytes += r.bytes;
    if (r.eof || r.error || r.timed_out) {
      total.eof = r.eof;
      total.error = r.error;
      total.timed_out = r.timed_out;
      break;
    }
  }
  return total;
}

RawClient ConnectOrFail(int port) {
  int err = 0;
  RawClient c = RawClient::Connect(port, &err);
  EXPECT_EQ(err, 0) << "connect to 127.0.0.1:" << port << ": " << std::strerror(err);
  return c;
}

// ---- HTTP exchange ----

std::string Get(const std::string& path, const std::string& method, const std::string& body) {
  std::string r = fmt::format("{} {} HTTP/1.1\r\nHost: dep\r\n", method, path);
  if (!body.empty() || method == "POST") r += fmt::format("Content-Length: {}\r\n", body.size());
  return r + "\r\n" + body;
}

HttpClient::HttpClient(int port) {
  int err = 0;
  raw_ = RawClient::Connect(port, &err);
}

HttpReply HttpClient::Exchange(const std::string& request, bool head_request, milliseconds timeout) {
  const auto sent_at = Clock::now();
  if (!raw_.SendAll(request, timeout)) {
    HttpReply reply;
    reply.ended.error = EPIPE;
    return reply;
  }
  HttpReply reply = Next(head_request, timeout);
  reply.sent_at = sent_at;
  return reply;
}

HttpReply HttpClient::Next(bool head_request, milliseconds timeout) {
  HttpReply reply;
  reply.sent_at = Clock::now();
  const auto deadline = reply.sent_at + timeout;
  std::optional<bhttp::response_parser<bhttp::string_body>> parser;
  auto fresh = [&] {
    parser.emplace();
    parser->body_limit(64 << 20);
    if (head_request) parser->skip(true);
  };
  fresh();
  RawClient::Read last;
  for (;;) {
    beast::error_code ec;
    while (!pending_.empty()) {
      const size_t used = parser->put(asio::buffer(pending_), ec);
      pending_.erase(0, used);
      if (parser->is_header_done() && reply.head_at == Clock::time_point{}) reply.head_at = Clock::now();
      if (parser->is_done()) {
        const unsigned status = parser->get().result_int();
        if (status / 100 != 1 || status == 101) break;
        fresh();  // an interim response: the final one follows
        reply.head_at = {};
        continue;
      }
      if (ec == bhttp::error::need_more) {
        ec = {};
        break;
      }
      if (ec || used == 0) break;
    }
    if (!ec && last.eof && !parser->is_done()) {
      if (!parser->got_some()) {  // closed before a response began (put_eof would "finish" it)
        reply.ended = last;
        return reply;
      }
      parser->put_eof(ec);
    }
    if (ec && ec != bhttp::error::need_more) {
      reply.ended = last;
      return reply;
    }
    if (parser->is_done()) break;
    if (last.eof || last.error || last.timed_out) {
      reply.ended = last;
      return reply;
    }
    last = raw_.ReadSome(milliseconds(Remaining(deadline)));
    pending_ += last.bytes;
  }
  reply.done_at = Clock::now();
  reply.ok = true;
  const auto& msg = parser->get();
  reply.status = msg.result_int();
  reply.body = msg.body();
  reply.keep_alive = msg.keep_alive();
  for (const auto& field : msg) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    reply.headers[name] = std::string(field.value());
  }
  return reply;
}

// ---- TcpServer ----

TcpServer::TcpServer(Mode mode, size_t payload) : mode_(mode), payload_(payload) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 256) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error(std::string("TcpServer: ") + std::strerror(errno));
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] {
    while (!stop_) {
      if (PollFor(listen_fd_, POLLIN, milliseconds(20)) <= 0) continue;
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++accepted_;
      std::lock_guard lock(mu_);
      sessions_.emplace_back([this, fd] { Serve(fd); });
    }
  });
}

TcpServer::~TcpServer() {
  stop_ = true;
  acceptor_.join();
  std::vector<std::thread> sessions;
  {
    std::lock_guard lock(mu_);
    sessions.swap(sessions_);
  }
  for (auto& t : sessions) t.join();
  ::close(listen_fd_);
}

void TcpServer::Serve(int fd) {
  Ended ended;
  std::string buf(64 * 1024, '\0');
  if (mode_ == Mode::kSendThenClose) {
    const std::string payload(payload_, 'p');
    size_t off = 0;
    while (off < payload.size() && !stop_) {
      const ssize_t n = ::send(fd, payload.data() + off, payload.size() - off, MSG_NOSIGNAL);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    ::shutdown(fd, SHUT_WR);
  }
  while (!stop_) {
    if (PollFor(fd, POLLIN, milliseconds(20)) <= 0) continue;
    const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n == 0) break;
    if (n < 0) {
      ended.reset = errno == ECONNRESET;
      break;
    }
    ended.bytes += n;
    if (mode_ == Mode::kEcho && ::send(fd, buf.data(), static_cast<size_t>(n), MSG_NOSIGNAL) != n) break;
  }
  ::close(fd);
  std::lock_guard lock(mu_);
  ended_.push_back(ended);
}

std::vector<TcpServer::Ended> TcpServer::ended() const {
  std::lock_guard lock(mu_);
  return ended_;
}

std::vector<TcpServer::Ended> TcpServer::WaitEnded(size_t n, milliseconds timeout) const {
  Eventually([&] { return ended().size() >= n; }, timeout);
  return ended();
}

// ---- HttpUpstream ----

class HttpUpstream::Impl {
 public:
  explicit Impl(HttpUpstream& owner) : owner_(owner), acceptor_(io_, {asio::ip::address_v4::loopback(), 0}) {
    asio::co_spawn(io_, Accept(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Impl() {
    io_.stop();
    thread_.join();
  }
  int port() const { return acceptor_.local_endpoint().port(); }

 private:
  static size_t Param(const std::string& target, const std::string& name) {
    const auto at = target.find(name + "=");
    return at == std::string::npos ? 0 : std::stoul(target.substr(at + name.size() + 1));
  }

  std::string Respond(const bhttp::request<bhttp::string_body>& req, bool keep_alive) {
    const std::string target(req.target());
    const std::string path = target.substr(0, target.find('?'));
    const bool head = req.method() == bhttp::verb::head;
    const size_t n = Param(target, "n");
    const std::string conn = keep_alive ? "" : "Connection: close\r\n";
    if (path == "/close") {
      return "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + (head ? "" : std::string(n, 'c'));
    }
    if (path == "/chunked") {
      std::string out = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Trailer\r\n" + conn + "\r\n";
      if (head) return out;
      for (size_t off = 0; off < n; off += 1000) {
        const size_t len = std::min<size_t>(1000, n - off);
        out += fmt::format("{:x};ext=1\r\n{}\r\n", len, std::string(len, 'k'));
      }
      return out + "0\r\nX-Trailer: done\r\n\r\n";
    }
    std::string body = path == "/cl" ? std::string(n, 'x') : path == "/echo" ? req.body() : "ok";
    std::string out = path == "/continue" ? "HTTP/1.1 100 Continue\r\n\r\n" : "";
    out += fmt::format("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nX-Path: {}\r\n{}\r\n", body.size(), path, conn);
    if (!head) out += body;
    return out;
  }

  asio::awaitable<void> Accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      asio::co_spawn(io_, Session(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> Session(asio::ip::tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
      bhttp::request_parser<bhttp::string_body> parser;
      stream.expires_after(std::chrono::seconds(30));
      auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
      if (ec) break;
      const auto& req = parser.get();
      ++owner_.requests_;
      {
        std::lock_guard lock(owner_.mu_);
        owner_.targets_.push_back(std::string(req.method_string()) + " " + std::string(req.target()));
      }
      const bool close = !req.keep_alive() || req.target().starts_with("/close");
      const std::string response = Respond(req, !close);
      std::tie(ec, n) = co_await asio::async_write(stream, asio::buffer(response), asio::as_tuple(asio::use_awaitable));
      if (ec || close) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  }

  HttpUpstream& owner_;
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
};

HttpUpstream::HttpUpstream() : impl_(std::make_unique<Impl>(*this)) { port_ = impl_->port(); }
HttpUpstream::~HttpUpstream() = default;

std::vector<std::string> HttpUpstream::targets() const {
  std::lock_guard lock(mu_);
  return targets_;
}

// ---- builders and checks ----

scenario::Dependency Upstream(const std::string& name, int port, bool http) {
  scenario::Dependency d;
  d.name = name;
  d.upstream_host = "127.0.0.1";
  d.upstream_port = port;
  d.http = http;
  return d;
}

scenario::DependencyFault Fault(scenario::DependencyFault::Kind kind, const std::string& dependency) {
  scenario::DependencyFault f;
  f.kind = kind;
  f.dependency = dependency;
  return f;
}

std::unique_ptr<ChaosProxy> StartProxy(const std::vector<scenario::Dependency>& dependencies, ProxyOptions options) {
  auto proxy = ChaosProxy::Start(dependencies, options);
  EXPECT_TRUE(proxy.ok()) << proxy.status().message();
  return proxy.ok() ? std::move(*proxy) : nullptr;
}

bool Eventually(const std::function<bool()>& condition, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!condition()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return true;
}

DependencyStats DependencyRow(const ChaosProxy& proxy, const std::string& phase, const std::string& dependency) {
  for (const PhaseStats& p : proxy.Stats()) {
    if (p.phase != phase) continue;
    for (const DependencyStats& d : p.dependencies) {
      if (d.dependency == dependency) return d;
    }
  }
  return {};
}

FaultStats FaultRow(const ChaosProxy& proxy, const std::string& phase, const std::string& dependency, int index) {
  for (const FaultStats& f : DependencyRow(proxy, phase, dependency).faults) {
    if (f.index == index) return f;
  }
  return {};
}

double Median(std::vector<double> samples) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

}  // namespace leakgate::faults::proxy::testing
