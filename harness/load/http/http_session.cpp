#include "harness/load/http/http_session.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace leakgate::load::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::uint64_t kBodyLimit = 64ull << 20;

bool WasAborted(const beast::error_code& ec) { return ec == asio::error::operation_aborted; }
}  // namespace

asio::awaitable<ExchangeResult> Exchange(Connection& conn, const asio::ip::tcp::endpoint& endpoint,
                                         const Request& request,
                                         std::chrono::steady_clock::time_point deadline) {
  ExchangeResult result;
  // One expiry covers connect, write and read: whichever is pending when it passes fails
  // with beast::error::timeout and the socket is closed.
  conn.stream.expires_at(deadline);

  if (!conn.connected) {
    auto [ec] = co_await conn.stream.async_connect(endpoint, kUseTuple);
    if (ec) {
      result.status = ec == beast::error::timeout ? ExchangeStatus::kDeadline
                      : WasAborted(ec)            ? ExchangeStatus::kAborted
                                                  : ExchangeStatus::kConnectError;
      result.nothing_received = true;
      co_return result;
    }
    conn.connected = true;
    beast::error_code ignored;  // Nagle only adds latency; failing to disable it is harmless
    conn.stream.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  }

  result.sent_at = std::chrono::steady_clock::now();
  {
    auto [ec, n] = co_await bhttp::async_write(conn.stream, request, kUseTuple);
    if (ec) {
      result.status = ec == beast::error::timeout ? ExchangeStatus::kDeadline
                      : WasAborted(ec)            ? ExchangeStatus::kAborted
                                                  : ExchangeStatus::kWriteError;
      result.nothing_received = true;
      co_return result;
    }
  }

  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kBodyLimit);
  const auto buffered_before = conn.buffer.size();
  auto [ec, n] = co_await bhttp::async_read(conn.stream, conn.buffer, parser, kUseTuple);
  if (ec) {
    result.status = ec == beast::error::timeout ? ExchangeStatus::kDeadline
                    : WasAborted(ec)            ? ExchangeStatus::kAborted
                                                : ExchangeStatus::kReadError;
    result.nothing_received = n == 0 && buffered_before == 0 && !parser.got_some();
    co_return result;
  }
  conn.stream.expires_never();
  ++conn.requests;
  result.status = ExchangeStatus::kResponse;
  result.http_status = parser.get().result_int();
  result.keep_alive = parser.get().keep_alive();
  co_return result;
}

}  // namespace leakgate::load::http
