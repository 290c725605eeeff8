#include "harness/runner/control_server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include "harness/base/asio_tokens.h"

namespace leakgate::runner {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;

namespace {

constexpr std::uint32_t kMaxHeadBytes = 16 << 10;

asio::awaitable<void> Serve(tcp::socket socket, const ControlServer::Handler& handler) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer(kMaxHeadBytes + (64 << 10));
  for (int served = 0; served < 10'000; ++served) {
    stream.expires_after(ControlServer::kRequestDeadline);
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(kMaxHeadBytes);
    parser.body_limit(ControlServer::kMaxRequestBody);
    auto [rec, rn] = co_await bhttp::async_read(stream, buffer, parser, kUseTuple);
    ControlResponse answer;
    bool close = true;
    if (rec == bhttp::error::body_limit) {
      answer = {413, R"({"error":"request body too large"})"};
    } else if (rec == bhttp::error::header_limit) {
      answer = {431, R"({"error":"request head too large"})"};
    } else if (rec) {
      co_return;  // closed, reset or timed out: nothing to answer
    } else {
      const auto& req = parser.get();
      close = !req.keep_alive();
      answer = handler({std::string(req.method_string()), std::string(req.target()), req.body()});
    }
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(answer.status), 11};
    res.set(bhttp::field::content_type, "application/json");
    res.set(bhttp::field::server, "leakgate-coordinator");
    res.keep_alive(!close);
    res.body() = std::move(answer.body);
    res.prepare_payload();
    auto [wec, wn] = co_await bhttp::async_write(stream, res, kUseTuple);
    if (wec || close) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

asio::awaitable<void> Accept(tcp::acceptor& acceptor, const ControlServer::Handler& handler) {
  while (acceptor.is_open()) {
    auto [ec, socket] = co_await acceptor.async_accept(kUseTuple);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) continue;  // e.g. EMFILE: try the next one
    asio::co_spawn(acceptor.get_executor(), Serve(std::move(socket), handler), asio::detached);
  }
}

}  // namespace

struct ControlServer::State {
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  Handler handler;
};

StatusOr<std::unique_ptr<ControlServer>> ControlServer::Start(const tcp::endpoint& where, Handler handler) {
  auto state = std::make_unique<State>();
  state->handler = std::move(handler);
  beast::error_code ec;
  state->acceptor.open(where.protocol(), ec);
  if (!ec) state->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) state->acceptor.bind(where, ec);
  if (!ec) state->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Unavailable(fmt::format("cannot listen on {}:{}: {}", where.address().to_string(), where.port(), ec.message()));
  }
  std::unique_ptr<ControlServer> server(new ControlServer(std::move(state)));
  return server;
}

ControlServer::ControlServer(std::unique_ptr<State> state) : state_(std::move(state)) {
  port_ = state_->acceptor.local_endpoint().port();
  asio::co_spawn(state_->ioc, Accept(state_->acceptor, state_->handler), asio::detached);
  thread_ = std::jthread([s = state_.get()] { s->ioc.run(); });
}

ControlServer::~ControlServer() {
  asio::post(state_->ioc, [s = state_.get()] {
    beast::error_code ignored;
    s->acceptor.close(ignored);
    s->ioc.stop();  // abandons open connections; their sockets close with the context
  });
  thread_.join();
}

}  // namespace leakgate::runner
