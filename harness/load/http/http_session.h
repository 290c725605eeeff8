// HTTP/1.1 client exchange over one keep-alive connection (Boost.Beast).
//
// A Connection is owned by exactly one request coroutine at a time (the worker's pool
// lends it out); everything here runs on that worker's single-threaded io_context.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>

namespace leakgate::load::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;

struct Connection {
  explicit Connection(const boost::asio::any_io_executor& ex) : stream(ex) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  boost::beast::tcp_stream stream;
  boost::beast::flat_buffer buffer;  // bytes read past the previous response stay here
  bool connected = false;
  int64_t requests = 0;              // completed exchanges on this connection
};

enum class ExchangeStatus {
  kResponse,       // a complete response was read; see `status`
  kConnectError,
  kWriteError,
  kReadError,      // reset, EOF or unparsable response
  kDeadline,       // the deadline passed first; the connection was closed
  kAborted,        // the connection was closed by us (run-wide stop)
};

struct ExchangeResult {
  ExchangeStatus status = ExchangeStatus::kReadError;
  unsigned http_status = 0;
  bool keep_alive = false;      // the connection may carry another request
  bool nothing_received = false;  // failed before any response byte: safe to retry on a new connection
  std::chrono::steady_clock::time_point sent_at;  // when writing began (after connect)
};

// Sends `request` on `conn` (connecting to `endpoint` first if needed) and reads the whole
// response. Every operation is bounded by `deadline`: when it passes, the socket is closed
// and the result is kDeadline. Never throws for network errors.
boost::asio::awaitable<ExchangeResult> Exchange(Connection& conn,
                                                const boost::asio::ip::tcp::endpoint& endpoint,
                                                const Request& request,
                                                std::chrono::steady_clock::time_point deadline);

}  // namespace leakgate::load::http
