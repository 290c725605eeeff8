// HTTP/1.1 client exchange over one connection, with the client-side faults applied on
// the wire (Boost.Asio sockets, Boost.Beast's parser).
//
// A Connection is owned by one worker (its pool) and lent to exactly one request
// coroutine at a time; everything here runs on that worker's single-threaded io_context.
// Connection objects live until the worker's io_context has stopped (the pool recycles
// closed ones), which is what makes the timer handlers below safe: they refer to the
// Connection by reference and check which wait they belong to before acting.
//
// The deadline watch is lazy, as a keep-alive connection's deadlines only move forward:
// one wait stays pending across exchanges and, when it fires before the running
// exchange's due time, waits again for that; an exchange that ends only marks the
// connection idle. So a request costs no timer operation unless its due time is earlier
// than the pending wait's (a planned abort). Close() cancels the wait: a closed connection
// holds no work on the io_context.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "harness/net/fd_tls.h"
#include "harness/net/tls_settings.h"

namespace leakgate::load::http {

using Clock = std::chrono::steady_clock;

struct Connection {
  explicit Connection(const boost::asio::any_io_executor& ex) : socket(ex), timer(ex), pace(ex) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Closes the socket (and with `reset`, makes the kernel send RST instead of FIN), cancels
  // the deadline watch and wakes any pause of the exchange. Idempotent; never throws.
  void Close(bool reset = false);

  boost::asio::ip::tcp::socket socket;
  // https://: TLS on the socket's descriptor (net::FdTls), made anew for every connect
  // (never destroyed while an operation on it is pending: Close() only closes the socket).
  std::unique_ptr<net::FdTls> tls;
  boost::asio::steady_timer timer;   // the deadline watch (see above)
  boost::asio::steady_timer pace;    // pauses of slow_send, slow_read and truncate_body's wait
  boost::beast::flat_buffer buffer;  // bytes read past the previous response stay here
  bool connected = false;
  // The running exchange, as the deadline watch sees it.
  bool active = false;               // an exchange is running
  Clock::time_point due;             // ... and ends by then: its deadline or planned abort
  bool due_is_abort = false;         // `due` is a planned abort (a fault), not the deadline
  bool abort_with_reset = false;     // ... which closes with RST
  uint64_t wait_id = 0;              // the pending wait's number: older handlers do nothing
  bool watching = false;             // a wait is pending on `timer`
  enum class Fired { kNone, kDeadline, kAbort } fired = Fired::kNone;
  int64_t requests = 0;              // completed exchanges on this connection
};

// The faults of one exchange, as they act on the wire (see scenario::Fault).
struct ExchangePlan {
  Clock::time_point deadline;                   // the phase's per-request timeout: an error
  std::optional<Clock::time_point> abort_at;    // cancel / reset / deadline fault: planned
  bool abort_with_reset = false;                // abort_at closes with RST (SO_LINGER 0)
  int64_t send_chunk = 0;                       // > 0: slow_send, this many bytes per send_interval
  Clock::duration send_interval{0};
  int64_t read_chunk = 0;                       // > 0: slow_read, this many bytes per read_interval
  Clock::duration read_interval{0};
  bool abandon_body = false;                    // close once the response header is read
  bool half_close = false;                      // shutdown(SHUT_WR) after the request is written
  size_t send_limit = SIZE_MAX;                 // truncate_body: write only this many bytes, then
  std::optional<Clock::duration> hold_after_send;  // wait this long (if set), then close
  bool head = false;                            // a HEAD request: the response has no body
};

// How to speak TLS to an https:// endpoint; shared read-only by every connection to it.
struct TlsPeer {
  boost::asio::ssl::context* context = nullptr;
  const net::TlsSettings* settings = nullptr;
  std::string_view host;  // the URL's host: SNI and the certificate check
};

enum class ExchangeStatus {
  kResponse,       // a complete response was read; see `http_status`
  kConnectError,
  kTlsError,       // the TLS handshake failed (verification, refused client certificate)
  kWriteError,
  kReadError,      // reset, EOF or unparsable response
  kDeadline,       // plan.deadline passed first; the connection was closed
  kFaulted,        // a planned fault ended the exchange (abort, abandon, truncate)
};

struct ExchangeResult {
  ExchangeStatus status = ExchangeStatus::kReadError;
  unsigned http_status = 0;
  bool keep_alive = false;        // the connection may carry another request
  bool nothing_received = false;  // failed before any response byte: safe to retry on a new connection
  bool connected_now = false;     // this exchange opened the connection
  bool handshook_now = false;     // ... and completed a TLS handshake on it
  bool resumed_now = false;       // ... which resumed an earlier session
  bool handshake_tried = false;   // a TLS handshake was started (completed or not)
  Clock::duration handshake_time{0};  // how long the handshake took (TCP connect excluded)
  Clock::time_point sent_at;      // when writing began (after connect)
  uint64_t body_bytes = 0;        // response body bytes read
};

// Sends `request` (raw HTTP/1.1 bytes) on `conn`, connecting to `endpoint` first if needed
// (and, with `tls`, doing the TLS handshake), and reads the response, applying `plan`. Every wait is bounded by plan.deadline (and
// plan.abort_at); when one passes the socket is closed. Never throws for network errors.
// The caller must not reuse `conn` unless the result is kResponse with keep_alive.
boost::asio::awaitable<ExchangeResult> Exchange(Connection& conn, const boost::asio::ip::tcp::endpoint& endpoint,
                                                std::string_view request, const ExchangePlan& plan,
                                                const TlsPeer* tls = nullptr);

}  // namespace leakgate::load::http
