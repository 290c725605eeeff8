#include "harness/load/http/http_exchange.h"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>

#include "harness/base/asio_tokens.h"
#include "harness/net/tls_context.h"

namespace leakgate::load::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using boost::system::error_code;

namespace {
constexpr std::uint64_t kBodyLimit = 1ull << 30;
// A slow reader's receive buffer: one chunk (at least 4 KiB), so its TCP window closes and
// the server's writes block instead of filling an autotuned multi-MiB buffer.
constexpr int64_t kMinSlowReadRcvBuf = 4096;

// A response parser that keeps only the status and counts body bytes: no allocation per
// response (Beast's message parser would build a header map and a body string).
class DiscardingParser final : public bhttp::basic_parser<false> {
 public:
  unsigned status = 0;
  uint64_t body_bytes = 0;

 private:
  void on_request_impl(bhttp::verb, beast::string_view, beast::string_view, int, error_code&) override {}
  void on_response_impl(int code, beast::string_view, int, error_code&) override { status = static_cast<unsigned>(code); }
  void on_field_impl(bhttp::field, beast::string_view, beast::string_view, error_code&) override {}
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
  std::size_t on_body_impl(beast::string_view body, error_code&) override {
    body_bytes += body.size();
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body, error_code&) override {
    body_bytes += body.size();
    return body.size();
  }
  void on_finish_impl(error_code&) override {}
};

// Arms conn.timer for the earlier of the deadline and the planned abort.
void Arm(Connection& conn, const ExchangePlan& plan) {
  conn.fired = Connection::Fired::kNone;
  const uint64_t generation = ++conn.generation;
  const bool abort_first = plan.abort_at && *plan.abort_at < plan.deadline;
  const bool reset = abort_first && plan.abort_with_reset;
  conn.timer.expires_at(abort_first ? *plan.abort_at : plan.deadline);
  conn.timer.async_wait([&conn, generation, abort_first, reset](const error_code& ec) {
    if (ec || conn.generation != generation) return;
    conn.fired = abort_first ? Connection::Fired::kAbort : Connection::Fired::kDeadline;
    conn.Close(reset);
  });
}

void Disarm(Connection& conn) {
  ++conn.generation;
  conn.timer.cancel();
}

// The status of a failed operation: what the timer decided, else `otherwise`.
ExchangeStatus Failed(const Connection& conn, ExchangeStatus otherwise) {
  switch (conn.fired) {
    case Connection::Fired::kDeadline: return ExchangeStatus::kDeadline;
    case Connection::Fired::kAbort: return ExchangeStatus::kFaulted;
    case Connection::Fired::kNone: break;
  }
  return otherwise;
}

// Calls `op` with the connection's stream (TLS when the connection has it, else the
// socket); both branches give the same awaitable type.
template <class Op>
auto OnStream(Connection& conn, Op&& op) {
  return conn.tls ? op(*conn.tls) : op(conn.socket);
}

// The TLS handshake of a fresh connection; false (with result.status set) when it failed.
asio::awaitable<bool> Handshake(Connection& conn, const TlsPeer& tls, ExchangeResult& result) {
  conn.tls.emplace(conn.socket, *tls.context);
  result.handshake_tried = true;
  if (!net::PrepareClientSsl(conn.tls->native_handle(), *tls.settings, tls.host).ok()) {
    result.status = ExchangeStatus::kTlsError;
    co_return false;
  }
  const auto begun = Clock::now();
  auto [ec] = co_await conn.tls->async_handshake(asio::ssl::stream_base::client, kUseTuple);
  if (ec) {
    result.status = Failed(conn, ExchangeStatus::kTlsError);
    co_return false;
  }
  result.handshake_time = Clock::now() - begun;
  result.handshook_now = true;
  result.resumed_now = net::ResumedSession(conn.tls->native_handle());
  co_return true;
}

// Waits `d` on conn.pace; false when the wait was cut short (the connection was closed).
asio::awaitable<bool> Pause(Connection& conn, Clock::duration d) {
  conn.pace.expires_after(d);
  auto [ec] = co_await conn.pace.async_wait(kUseTuple);
  co_return !ec && conn.socket.is_open();
}

}  // namespace

void Connection::Close(bool reset) {
  error_code ignored;
  if (socket.is_open()) {
    if (reset) socket.set_option(asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
  }
  pace.cancel();
  connected = false;
  buffer.clear();
}

// GCC 12 inlines asio's recycling frame allocator (aligned_alloc) into this coroutine and
// then takes the matching aligned free for a mismatched delete (a GCC 12 false positive
// with coroutine frames), silenced for this function only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
asio::awaitable<ExchangeResult> Exchange(Connection& conn, const asio::ip::tcp::endpoint& endpoint,
                                         std::string_view request, const ExchangePlan& plan, const TlsPeer* tls) {
  ExchangeResult result;
  Arm(conn, plan);
  struct DisarmOnExit {
    Connection& c;
    ~DisarmOnExit() { Disarm(c); }
  } disarm{conn};

  if (!conn.connected) {
    error_code ec;
    if (conn.socket.is_open()) conn.socket.close(ec);
    conn.buffer.clear();
    conn.tls.reset();  // nothing is pending on it: the previous exchange completed
    conn.socket.open(endpoint.protocol(), ec);
    if (!ec && plan.read_chunk > 0) conn.socket.set_option(asio::socket_base::receive_buffer_size(static_cast<int>(std::max(kMinSlowReadRcvBuf, plan.read_chunk))), ec);
    if (!ec) std::tie(ec) = co_await conn.socket.async_connect(endpoint, kUseTuple);
    if (ec) {
      result.status = Failed(conn, ExchangeStatus::kConnectError);
      result.nothing_received = true;
      conn.Close();
      co_return result;
    }
    result.connected_now = true;
    conn.socket.set_option(asio::ip::tcp::no_delay(true), ec);  // Nagle only adds latency; failure is harmless
    if (tls != nullptr && !co_await Handshake(conn, *tls, result)) {
      result.nothing_received = true;
      conn.Close();
      co_return result;
    }
    conn.connected = true;
  }

  result.sent_at = Clock::now();
  const size_t to_send = std::min(request.size(), plan.send_limit);
  {
    error_code ec;
    if (plan.send_chunk > 0) {
      for (size_t off = 0; off < to_send && !ec;) {
        const size_t n = std::min<size_t>(static_cast<size_t>(plan.send_chunk), to_send - off);
        std::tie(ec, std::ignore) = co_await OnStream(conn, [&](auto& s) {
          return asio::async_write(s, asio::buffer(request.data() + off, n), kUseTuple);
        });
        off += n;
        if (!ec && off < to_send && !co_await Pause(conn, plan.send_interval)) ec = asio::error::operation_aborted;
      }
    } else {
      std::tie(ec, std::ignore) = co_await OnStream(conn, [&](auto& s) {
        return asio::async_write(s, asio::buffer(request.data(), to_send), kUseTuple);
      });
    }
    if (ec) {
      result.status = Failed(conn, ExchangeStatus::kWriteError);
      result.nothing_received = true;
      conn.Close();
      co_return result;
    }
  }
  if (to_send < request.size()) {  // truncate_body: the rest never comes
    if (plan.hold_after_send) co_await Pause(conn, *plan.hold_after_send);
    result.status = Failed(conn, ExchangeStatus::kFaulted);
    if (result.status == ExchangeStatus::kDeadline) result.status = ExchangeStatus::kFaulted;
    conn.Close();
    co_return result;
  }
  if (plan.half_close) {
    error_code ignored;
    conn.socket.shutdown(asio::socket_base::shutdown_send, ignored);
  }

  DiscardingParser parser;
  parser.body_limit(kBodyLimit);
  if (plan.head) parser.skip(true);
  const auto buffered_before = conn.buffer.size();
  error_code ec;
  size_t n = 0;
  if (plan.abandon_body) {
    std::tie(ec, n) = co_await OnStream(
        conn, [&](auto& s) { return bhttp::async_read_header(s, conn.buffer, parser, kUseTuple); });
    if (!ec) {
      result.status = ExchangeStatus::kFaulted;
      result.http_status = parser.status;
      conn.Close();
      co_return result;
    }
  } else if (plan.read_chunk > 0) {
    // Reads at most read_chunk bytes per read_interval, feeding Beast's parser by hand.
    while (!ec) {
      if (conn.buffer.size() > 0) {
        error_code pec;
        const size_t used = parser.put(conn.buffer.data(), pec);
        conn.buffer.consume(used);
        n += used;
        if (pec && pec != bhttp::error::need_more) {
          ec = pec;
          break;
        }
        if (parser.is_done()) break;
        if (used > 0 && pec != bhttp::error::need_more) continue;
      }
      size_t got = 0;
      std::tie(ec, got) = co_await OnStream(conn, [&](auto& s) {
        return s.async_read_some(conn.buffer.prepare(static_cast<size_t>(plan.read_chunk)), kUseTuple);
      });
      conn.buffer.commit(got);
      if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
        error_code eof_ec;
        parser.put_eof(eof_ec);
        ec = parser.is_done() ? error_code{} : asio::error::eof;
        break;
      }
      if (!ec && !co_await Pause(conn, plan.read_interval)) ec = asio::error::operation_aborted;
    }
  } else {
    std::tie(ec, n) = co_await OnStream(conn, [&](auto& s) { return bhttp::async_read(s, conn.buffer, parser, kUseTuple); });
  }
  if (ec) {
    // A TLS alert on the first read is the server refusing the handshake (TLS 1.3 checks
    // the client certificate after the client's side of the handshake is done).
    const bool tls_alert = conn.tls && ec.category() == asio::error::get_ssl_category() && !parser.got_some();
    result.status = Failed(conn, tls_alert ? ExchangeStatus::kTlsError : ExchangeStatus::kReadError);
    result.nothing_received = n == 0 && buffered_before == 0 && !parser.got_some();
    conn.Close();
    co_return result;
  }
  ++conn.requests;
  result.status = ExchangeStatus::kResponse;
  result.http_status = parser.status;
  result.body_bytes = parser.body_bytes;
  result.keep_alive = parser.keep_alive() && !plan.half_close;
  co_return result;
}

#pragma GCC diagnostic pop

}  // namespace leakgate::load::http
