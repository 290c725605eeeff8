#include "harness/load/http/http_exchange.h"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

#include "harness/base/asio_tokens.h"
#include "harness/net/fd_tls.h"
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

void Watch(Connection& conn);

// The deadline watch's handler: fires for the running exchange once its due time passed;
// a wait that ends earlier (it was set for an earlier exchange) waits again.
void OnWatchEnded(Connection& conn, uint64_t wait_id, const error_code& ec) {
  if (wait_id != conn.wait_id) return;  // superseded by a later wait
  conn.watching = false;
  if (ec || !conn.active) return;       // cancelled (closed), or idle: the next exchange re-arms
  if (Clock::now() < conn.due) {
    Watch(conn);
    return;
  }
  conn.fired = conn.due_is_abort ? Connection::Fired::kAbort : Connection::Fired::kDeadline;
  conn.Close(conn.due_is_abort && conn.abort_with_reset);
}

void Watch(Connection& conn) {
  conn.watching = true;
  const uint64_t id = ++conn.wait_id;
  conn.timer.expires_at(conn.due);  // cancels a pending wait, whose handler then does nothing
  conn.timer.async_wait([&conn, id](const error_code& ec) { OnWatchEnded(conn, id, ec); });
}

// Starts watching the exchange of `plan`: the earlier of its deadline and planned abort.
void Arm(Connection& conn, const ExchangePlan& plan) {
  conn.fired = Connection::Fired::kNone;
  conn.active = true;
  conn.due_is_abort = plan.abort_at && *plan.abort_at < plan.deadline;
  conn.abort_with_reset = conn.due_is_abort && plan.abort_with_reset;
  conn.due = conn.due_is_abort ? *plan.abort_at : plan.deadline;
  if (!conn.watching || conn.timer.expiry() > conn.due) Watch(conn);
}

void Disarm(Connection& conn) { conn.active = false; }

// The status of a failed operation: what the timer decided, else `otherwise`.
ExchangeStatus Failed(const Connection& conn, ExchangeStatus otherwise) {
  switch (conn.fired) {
    case Connection::Fired::kDeadline: return ExchangeStatus::kDeadline;
    case Connection::Fired::kAbort: return ExchangeStatus::kFaulted;
    case Connection::Fired::kNone: break;
  }
  return otherwise;
}

// Writes all of `bytes` to the connection (through TLS when it has it).
asio::awaitable<std::tuple<error_code, size_t>> WriteAll(Connection& conn, asio::const_buffer bytes) {
  if (conn.tls) co_return co_await conn.tls->WriteAll(bytes);
  co_return co_await asio::async_write(conn.socket, bytes, kUseTuple);
}

// The TLS handshake of a fresh connection; false (with result.status set) when it failed.
asio::awaitable<bool> Handshake(Connection& conn, const TlsPeer& tls, ExchangeResult& result) {
  conn.tls = std::make_unique<net::FdTls>(*tls.context, conn.socket);
  result.handshake_tried = true;
  if (!net::PrepareClientSsl(conn.tls->native_handle(), *tls.settings, tls.host).ok()) {
    result.status = ExchangeStatus::kTlsError;
    co_return false;
  }
  const auto begun = Clock::now();
  if (const error_code ec = co_await conn.tls->Handshake()) {
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

// Reads the response into `parser` (Beast's parser fed by hand: no composed operation per
// response), adding the bytes that arrived to `received`: at most plan.read_chunk bytes
// per plan.read_interval for slow_read, else whatever arrives. Returns the error that
// ended it, or success once the parser is done.
asio::awaitable<error_code> ReadResponse(Connection& conn, DiscardingParser& parser, const ExchangePlan& plan,
                                         size_t& received) {
  constexpr size_t kMaxReadSize = 64 * 1024;
  const bool header_only = plan.abandon_body;  // abandon_body: done once the header is read
  parser.eager(!header_only);
  error_code ec;
  for (;;) {
    if (conn.buffer.size() > 0) {
      const size_t used = parser.put(conn.buffer.data(), ec);
      conn.buffer.consume(used);
      if (ec == bhttp::error::need_more) {
        ec = {};
      } else if (ec || parser.is_done() || (header_only && parser.is_header_done())) {
        co_return ec;
      } else if (used > 0 && conn.buffer.size() > 0) {
        continue;
      }
    }
    const size_t want = plan.read_chunk > 0 ? static_cast<size_t>(plan.read_chunk) : beast::read_size(conn.buffer, kMaxReadSize);
    size_t got = 0;
    if (conn.tls) {
      std::tie(ec, got) = co_await conn.tls->ReadSome(conn.buffer.prepare(want));
    } else {
      std::tie(ec, got) = co_await conn.socket.async_read_some(conn.buffer.prepare(want), kUseTuple);
    }
    conn.buffer.commit(got);
    received += got;
    if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
      error_code eof_ec;
      parser.put_eof(eof_ec);
      co_return parser.is_done() ? error_code{} : error_code(asio::error::eof);
    }
    if (ec) co_return ec;
    if (plan.read_chunk > 0 && !co_await Pause(conn, plan.read_interval)) co_return asio::error::operation_aborted;
  }
}

}  // namespace

void Connection::Close(bool reset) {
  error_code ignored;
  if (socket.is_open()) {
    if (reset) socket.set_option(asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
  }
  if (watching) {
    watching = false;
    ++wait_id;
    timer.cancel();
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
    conn.tls.reset();  // nothing is pending on it: the previous exchange completed (never touches the socket)
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
    conn.socket.non_blocking(true, ec);  // for the write without a wait below, and TLS on the descriptor
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
        std::tie(ec, std::ignore) = co_await WriteAll(conn, asio::buffer(request.data() + off, n));
        off += n;
        if (!ec && off < to_send && !co_await Pause(conn, plan.send_interval)) ec = asio::error::operation_aborted;
      }
    } else {
      // A plain socket takes a small request at once: written without a trip through the
      // io_context; what the kernel did not take goes out asynchronously.
      size_t written = 0;
      if (!conn.tls) {
        written = conn.socket.write_some(asio::buffer(request.data(), to_send), ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) ec = {};
      }
      if (!ec && written < to_send) {
        std::tie(ec, std::ignore) = co_await WriteAll(conn, asio::buffer(request.data() + written, to_send - written));
      }
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
  size_t received = 0;
  ec = co_await ReadResponse(conn, parser, plan, received);
  if (!ec && plan.abandon_body) {  // the header is read: close without reading the body
    result.status = ExchangeStatus::kFaulted;
    result.http_status = parser.status;
    conn.Close();
    co_return result;
  }
  if (ec) {
    // A TLS alert on the first read is the server refusing the handshake (TLS 1.3 checks
    // the client certificate after the client's side of the handshake is done).
    const bool tls_alert = conn.tls && ec.category() == asio::error::get_ssl_category() && !parser.got_some();
    result.status = Failed(conn, tls_alert ? ExchangeStatus::kTlsError : ExchangeStatus::kReadError);
    result.nothing_received = received == 0 && buffered_before == 0 && !parser.got_some();
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
