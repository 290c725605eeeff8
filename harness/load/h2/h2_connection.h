// H2Connection: one HTTP/2 client connection (nghttp2's session, driven from Asio) that
// carries many concurrent streams, over cleartext (h2c, prior knowledge) or TLS (h2 by
// ALPN).
//
// Driving: a read loop feeds every received byte to nghttp2 (nghttp2_session_mem_recv)
// and a writer drains what nghttp2 wants to send (nghttp2_session_mem_send) in batches;
// both are coroutines on the owning worker's io_context, started by Connect() and ended by
// Close() or a connection error. A request is a Stream the caller owns: Submit() starts it,
// its `done` timer is cancelled when the stream closes (or the connection fails), and the
// caller then reads its status and body size. A caller that gives up (deadline, fault)
// calls Cancel(), which resets the stream and detaches it, so nothing touches the Stream
// afterwards. A request body may be streamed (body_open, MoreBody: gRPC's client and bidi
// streams), and a gRPC stream (`grpc`) has its response messages counted and its
// grpc-status read from the trailers.
//
// Client faults (FORMAT.md, "HTTP/2 faults"): a stream may ask to be reset after its
// response headers or N body bytes (the connection raises `fault_due` and cancels `done`;
// the owner calls Cancel), to be abandoned (Abandon: detached without RST_STREAM, its DATA
// never acknowledged, so the server's writes block once the window is spent), to hold its
// stream's or the whole connection's flow-control window (HoldWindow/ReleaseWindow), and
// the connection may announce GOAWAY. Holding and abandoning need windows the client
// grants by hand: a connection made with `manual_window` advertises the default 64 KiB
// windows and acknowledges DATA as it is received (unless held); otherwise windows are
// large and nghttp2 acknowledges on its own, as h2load does.
//
// A connection is connected at most once; a closed one is replaced, not reconnected.
// Thread-safety: none; everything on the worker's single-threaded io_context. Lifetime:
// the owner keeps the connection until its io_context has stopped or finished() is true
// (the loops refer to it).
#pragma once

#include <nghttp2/nghttp2.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/load/h2/message_counter.h"
#include "harness/load/http/http_exchange.h"
#include "harness/load/session.h"
#include "harness/net/fd_tls.h"

namespace leakgate::load::h2 {

using Clock = std::chrono::steady_clock;

// One request's stream, owned by the request's coroutine.
struct Stream {
  explicit Stream(const boost::asio::any_io_executor& ex) : done(ex) {}
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  boost::asio::steady_timer done;  // cancelled when the stream ends; expires at the deadline
  // The request: header fields (read, and copied, by Submit) and the body (kept alive by
  // the caller until the stream ends). With body_open the body may grow (MoreBody) and
  // END_STREAM waits for its last part.
  const nghttp2_nv* headers = nullptr;
  size_t header_count = 0;
  std::string_view body;
  bool body_open = false;
  bool body_deferred = false;      // nghttp2 waits for MoreBody
  bool wake_on_drain = false;      // cancel `done` once all of `body` went to nghttp2
  size_t body_sent = 0;            // request body bytes handed to nghttp2
  int32_t id = -1;
  size_t slot = SIZE_MAX;          // its place in the connection's open streams (SIZE_MAX: none)
  unsigned status = 0;             // :status of the final response
  uint64_t body_bytes = 0;         // response DATA bytes received
  bool closed = false;             // the stream ended (see error_code) or the connection failed
  bool connection_failed = false;  // ended because the connection broke
  uint32_t error_code = 0;         // RST_STREAM / GOAWAY code it ended with (0: clean)
  // gRPC (set `grpc` before Submit): the response body is length-prefixed messages, the
  // status comes in grpc-status (trailers, or the headers of a trailers-only response).
  bool grpc = false;
  int grpc_status = -1;            // -1: none received
  int64_t fault_after_messages = -1;  // >= 0: fault_due once this many messages arrived
  MessageCounter messages;         // the response messages, counted as they complete
  // Faults (set before Submit) and their triggers.
  int64_t reset_after_bytes = -1;   // >= 0: fault_due once this many body bytes arrived (0: at the headers)
  bool abandon_after_headers = false;
  bool goaway_after_headers = false;  // Goaway(): announce once this stream's HEADERS are sent
  bool headers_received = false;
  bool fault_due = false;           // a trigger fired (and cancelled `done`): the owner acts
  bool window_held = false;         // HoldWindow: DATA received is not acknowledged
  bool holds_connection = false;
  uint64_t held_bytes = 0;
};

class H2Connection {
 public:
  H2Connection(const boost::asio::any_io_executor& ex, bool manual_window);
  ~H2Connection();
  H2Connection(const H2Connection&) = delete;
  H2Connection& operator=(const H2Connection&) = delete;

  enum class ConnectResult { kOk, kConnectError, kTlsError, kNoH2, kDeadline };
  // TCP connect, TLS handshake when `tls` (ALPN must select h2), the client preface and
  // SETTINGS; then starts the read loop. `handshake_time` gets the TLS handshake's duration.
  boost::asio::awaitable<ConnectResult> Connect(const boost::asio::ip::tcp::endpoint& endpoint,
                                                const http::TlsPeer* tls, Clock::time_point deadline,
                                                Clock::duration& handshake_time);

  // Starts `s` (its body, and header bytes flagged NGHTTP2_NV_FLAG_NO_COPY_*, must stay
  // alive until the stream ends); false when the connection cannot take it (closed,
  // GOAWAY received, nghttp2 refused).
  bool Submit(Stream& s);
  // A streaming body grew: `body` is the whole body so far (the part already sent is its
  // prefix, unchanged); `last` ends it (END_STREAM once it is all sent).
  void MoreBody(Stream& s, std::string_view body, bool last);
  // Resets stream `s` (RST_STREAM CANCEL) and forgets it: its Stream may go away.
  void Cancel(Stream& s);
  // Detaches `s` without resetting it: the server's side of the stream stays open and its
  // DATA is never acknowledged (needs manual_window). Its Stream may go away.
  void Abandon(Stream& s);
  // Stops acknowledging DATA of `s` (and, with `connection`, of the whole connection) until
  // ReleaseWindow(s) or the stream's end (needs manual_window).
  void HoldWindow(Stream& s, bool connection);
  void ReleaseWindow(Stream& s);
  // GOAWAY (NO_ERROR) once the HEADERS of `s` (submitted) are sent: no new streams on this
  // connection from now on; the open ones finish, and the server closes the connection.
  void Goaway(Stream& s);
  // Resets every open stream (RST_STREAM CANCEL); each ends closed with error_code CANCEL.
  void ResetAll();
  // Closes the socket; every open stream ends as connection_failed.
  void Close();

  bool usable() const { return open_ && !goaway_; }
  bool connecting() const { return connecting_; }
  int active_streams() const { return static_cast<int>(streams_.size()); }
  // The server's SETTINGS_MAX_CONCURRENT_STREAMS (unbounded until it said).
  int max_streams() const;
  // Whether the TLS handshake of Connect resumed an earlier session (false for h2c).
  bool resumed_session() const { return resumed_; }
  // Closed, and its read and write loops have ended: nothing refers to it any more, so it
  // may be destroyed while the io_context still runs.
  bool finished() const { return !open_ && !connecting_ && loops_ == 0; }

 private:
  boost::asio::awaitable<void> ReadLoop();
  boost::asio::awaitable<void> WriteLoop();
  void Flush();
  // Ends every open stream: reset (RST_STREAM CANCEL, error_code CANCEL) or failed with the connection.
  void EndAll(bool reset);
  void Acknowledge(Stream* s, int32_t stream_id, size_t len);  // manual_window: DATA received
  void EndConnectionHold(Stream& s);
  void SendGoaway();

  static int OnHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                      const uint8_t* value, size_t valuelen, uint8_t flags, void* user);
  static int OnData(nghttp2_session*, uint8_t flags, int32_t stream_id, const uint8_t* data, size_t len, void* user);
  static int OnStreamClose(nghttp2_session*, int32_t stream_id, uint32_t error_code, void* user);
  static int OnFrame(nghttp2_session*, const nghttp2_frame* frame, void* user);
  static int OnFrameSent(nghttp2_session*, const nghttp2_frame* frame, void* user);
  static ssize_t ReadBody(nghttp2_session*, int32_t stream_id, uint8_t* buf, size_t length, uint32_t* flags,
                          nghttp2_data_source* source, void* user);

  boost::asio::any_io_executor executor_;
  boost::asio::ip::tcp::socket socket_;
  std::unique_ptr<net::FdTls> tls_;  // h2: TLS on the socket's descriptor (harness/net/fd_tls.h)
  bool resumed_ = false;  // the handshake resumed a session
  boost::asio::steady_timer wake_writer_;
  nghttp2_session* session_ = nullptr;
  // Open streams we have not detached from, each at its Stream::slot (a vector, not a
  // set: no allocation per request).
  std::vector<Stream*> streams_;
  void Track(Stream& s);
  bool Untrack(Stream& s);             // false when `s` was not tracked (already ended)
  bool Tracked(const Stream& s) const { return s.slot < streams_.size() && streams_[s.slot] == &s; }
  std::string out_;             // bytes the writer is sending
  const bool manual_window_;
  int connection_holds_ = 0;      // streams holding the connection's window
  uint64_t connection_held_ = 0;  // DATA bytes received and not acknowledged meanwhile
  bool open_ = false, connecting_ = false, goaway_ = false;  // goaway_: sent or received
  bool goaway_sent_ = false;
  bool connect_expired_ = false;  // the connect deadline passed (and closed the socket)
  int loops_ = 0;                 // read and write loops running
};

// A Connect attempt in a request's result: the connection opened, and with `tls` its
// handshake (completed, resumed, failed, its time).
void CountConnect(H2Connection::ConnectResult r, const H2Connection& c, bool tls, Clock::duration handshake,
                  RequestResult& out);
// How a failed Connect counts: kTls, kTimeout (the deadline) or kConnect.
stats::ErrorKind ConnectErrorKind(H2Connection::ConnectResult r);

}  // namespace leakgate::load::h2
