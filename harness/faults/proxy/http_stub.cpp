#include "harness/faults/proxy/http_stub.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "harness/base/asio_tokens.h"
#include "harness/faults/proxy/http_message.h"
#include "harness/faults/proxy/worker.h"

namespace leakgate::faults::proxy {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using boost::system::error_code;

namespace {
constexpr std::uint64_t kBodyLimit = 8ull << 20;
}  // namespace

HttpStubServer::HttpStubServer(Worker& worker, const scenario::HttpStub& stub, std::chrono::nanoseconds idle_timeout)
    : worker_(worker),
      config_(std::make_shared<const Config>(Config{stub, idle_timeout})),
      acceptor_(worker.executor()) {}

Status HttpStubServer::Open() {
  error_code ec;
  acceptor_.open(tcp::v4(), ec);
  if (!ec) acceptor_.bind({asio::ip::address_v4::loopback(), 0}, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) endpoint_ = acceptor_.local_endpoint(ec);
  if (ec) return Status::Unavailable("HTTP stub: listen on 127.0.0.1: " + ec.message());
  return Status::Ok();
}

void HttpStubServer::Start() { asio::co_spawn(worker_.executor(), AcceptLoop(this), asio::detached); }

void HttpStubServer::Close() {
  closed_ = true;
  error_code ignored;
  acceptor_.close(ignored);
}

asio::awaitable<void> HttpStubServer::AcceptLoop(HttpStubServer* self) {
  asio::steady_timer pause(self->worker_.executor());
  while (!self->closed_) {
    auto [ec, socket] = co_await self->acceptor_.async_accept(kUseTuple);
    if (self->closed_) co_return;
    if (ec) {  // out of descriptors, most likely: try again after a breath
      pause.expires_after(std::chrono::milliseconds(20));
      co_await pause.async_wait(kUseTuple);
      continue;
    }
    asio::co_spawn(self->worker_.executor(), Serve(self->config_, std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> HttpStubServer::Serve(std::shared_ptr<const Config> config, tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  asio::steady_timer latency(stream.get_executor());
  const scenario::HttpStub& stub = config->stub;
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(kBodyLimit);
    stream.expires_after(config->idle_timeout);
    auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, kUseTuple);
    if (ec) break;  // the proxy closed its side, the deadline passed, or not HTTP
    const bool keep_alive = parser.get().keep_alive();
    const bool head = parser.get().method() == bhttp::verb::head;
    if (stub.latency.count() > 0) {
      latency.expires_after(stub.latency);
      co_await latency.async_wait(kUseTuple);
    }
    const std::string response = RenderResponse(stub.status, stub.headers, stub.body, keep_alive, head);
    stream.expires_after(config->idle_timeout);
    std::tie(ec, n) = co_await asio::async_write(stream, asio::buffer(response), kUseTuple);
    if (ec || !keep_alive) break;
  }
  error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.close();
}

}  // namespace leakgate::faults::proxy
