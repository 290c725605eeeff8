#include "harness/load/h2/h2_connection.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "harness/base/asio_tokens.h"
#include "harness/net/tls_context.h"

namespace leakgate::load::h2 {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

constexpr size_t kReadChunk = 64 << 10;
constexpr size_t kWriteBatch = 64 << 10;         // bytes gathered from nghttp2 per write
constexpr int32_t kStreamWindow = (1 << 24) - 1;  // like h2load's large windows: flow control never limits load
constexpr int32_t kConnectionWindow = (1 << 30) - 1;

// nghttp2's callbacks, set once per connection (the struct is copied into the session).
nghttp2_session_callbacks* NewCallbacks(nghttp2_on_header_callback header, nghttp2_on_data_chunk_recv_callback data,
                                        nghttp2_on_stream_close_callback close, nghttp2_on_frame_recv_callback frame,
                                        nghttp2_on_frame_send_callback sent) {
  nghttp2_session_callbacks* cbs = nullptr;
  nghttp2_session_callbacks_new(&cbs);
  nghttp2_session_callbacks_set_on_frame_send_callback(cbs, sent);
  nghttp2_session_callbacks_set_on_header_callback(cbs, header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, data);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, close);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, frame);
  return cbs;
}

}  // namespace

H2Connection::H2Connection(const asio::any_io_executor& ex, bool manual_window)
    : executor_(ex), socket_(ex), wake_writer_(ex), manual_window_(manual_window) {
  nghttp2_session_callbacks* cbs = NewCallbacks(&OnHeader, &OnData, &OnStreamClose, &OnFrame, &OnFrameSent);
  nghttp2_option* options = nullptr;
  nghttp2_option_new(&options);
  if (manual_window_) nghttp2_option_set_no_auto_window_update(options, 1);
  nghttp2_session_client_new2(&session_, cbs, this, options);
  nghttp2_option_del(options);
  nghttp2_session_callbacks_del(cbs);
}

H2Connection::~H2Connection() {
  EndAll(/*reset=*/false);
  nghttp2_session_del(session_);  // calls no callbacks
}

int H2Connection::max_streams() const {
  const uint32_t n = nghttp2_session_get_remote_settings(session_, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
  return static_cast<int>(std::min<uint32_t>(n, std::numeric_limits<int>::max()));
}

asio::awaitable<H2Connection::ConnectResult> H2Connection::Connect(const asio::ip::tcp::endpoint& endpoint,
                                                                  const http::TlsPeer* tls, Clock::time_point deadline,
                                                                  Clock::duration& handshake_time) {
  connecting_ = true;
  struct Done {
    bool& flag;
    ~Done() { flag = false; }
  } done{connecting_};
  // The deadline closes the socket, which ends whatever connect step is pending. A handler
  // that runs after the connect ended (queued before the cancel) sees connecting_ false.
  asio::steady_timer timer(executor_);
  connect_expired_ = false;
  timer.expires_at(deadline);
  timer.async_wait([this](const error_code& ec) {
    if (ec || !connecting_) return;
    connect_expired_ = true;
    error_code ignored;
    socket_.close(ignored);
  });
  struct Disarm {
    asio::steady_timer& t;
    ~Disarm() { t.cancel(); }
  } disarm{timer};

  auto [cec] = co_await socket_.async_connect(endpoint, kUseTuple);
  if (cec) co_return connect_expired_ ? ConnectResult::kDeadline : ConnectResult::kConnectError;
  error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  if (tls != nullptr) {
    socket_.non_blocking(true, ignored);  // FdTls reads and writes the descriptor itself
    tls_ = std::make_unique<net::FdTls>(*tls->context, socket_);
    if (!net::PrepareClientSsl(tls_->native_handle(), *tls->settings, tls->host).ok()) co_return ConnectResult::kTlsError;
    const auto begun = Clock::now();
    const error_code hec = co_await tls_->Handshake();
    if (hec) co_return connect_expired_ ? ConnectResult::kDeadline : ConnectResult::kTlsError;
    handshake_time = Clock::now() - begun;
    resumed_ = net::ResumedSession(tls_->native_handle());
    if (net::NegotiatedAlpn(tls_->native_handle()) != "h2") co_return ConnectResult::kNoH2;
  }
  if (connect_expired_) co_return ConnectResult::kDeadline;
  const std::array<nghttp2_settings_entry, 2> settings = {{
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE,
       manual_window_ ? uint32_t{NGHTTP2_INITIAL_WINDOW_SIZE} : static_cast<uint32_t>(kStreamWindow)},
  }};
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
  if (!manual_window_) nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, kConnectionWindow);
  open_ = true;
  loops_ = 2;
  asio::co_spawn(executor_, ReadLoop(), [this](std::exception_ptr) { --loops_; });
  asio::co_spawn(executor_, WriteLoop(), [this](std::exception_ptr) { --loops_; });
  co_return ConnectResult::kOk;
}

bool H2Connection::Submit(Stream& s) {
  if (!usable()) return false;
  nghttp2_data_provider body{};
  body.read_callback = &ReadBody;
  const int32_t id = nghttp2_submit_request(session_, nullptr, s.headers, s.header_count,
                                            s.body.empty() && !s.body_open ? nullptr : &body, &s);
  if (id < 0) return false;
  s.id = id;
  Track(s);
  Flush();
  return true;
}

void H2Connection::MoreBody(Stream& s, std::string_view body, bool last) {
  s.body = body;
  s.body_open = !last;
  if (!s.body_deferred || !Tracked(s) || !open_) return;
  s.body_deferred = false;
  nghttp2_session_resume_data(session_, s.id);
  Flush();
}

void H2Connection::Track(Stream& s) {
  s.slot = streams_.size();
  streams_.push_back(&s);
}

bool H2Connection::Untrack(Stream& s) {
  if (!Tracked(s)) return false;
  Stream* last = streams_.back();
  streams_[s.slot] = last;
  last->slot = s.slot;
  streams_.pop_back();
  s.slot = SIZE_MAX;
  return true;
}

void H2Connection::Cancel(Stream& s) {
  if (!Untrack(s)) return;  // already ended
  EndConnectionHold(s);
  nghttp2_session_set_stream_user_data(session_, s.id, nullptr);
  if (open_) {
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, s.id, NGHTTP2_CANCEL);
    Flush();
  }
}

void H2Connection::Abandon(Stream& s) {
  if (!Untrack(s)) return;
  EndConnectionHold(s);
  nghttp2_session_set_stream_user_data(session_, s.id, nullptr);  // its DATA: Acknowledge(nullptr, ...)
}

void H2Connection::HoldWindow(Stream& s, bool connection) {
  s.window_held = true;
  if (connection && !s.holds_connection) {
    s.holds_connection = true;
    ++connection_holds_;
  }
}

void H2Connection::ReleaseWindow(Stream& s) {
  if (s.window_held && Tracked(s) && s.held_bytes > 0) {
    nghttp2_session_consume_stream(session_, s.id, s.held_bytes);
  }
  s.window_held = false;
  s.held_bytes = 0;
  EndConnectionHold(s);
  Flush();
}

void H2Connection::EndConnectionHold(Stream& s) {
  if (!s.holds_connection) return;
  s.holds_connection = false;
  if (--connection_holds_ == 0 && connection_held_ > 0) {
    if (open_) nghttp2_session_consume_connection(session_, connection_held_);
    connection_held_ = 0;
    Flush();
  }
}

void H2Connection::Acknowledge(Stream* s, int32_t stream_id, size_t len) {
  if (connection_holds_ > 0) {
    connection_held_ += len;
  } else {
    nghttp2_session_consume_connection(session_, len);
  }
  if (s == nullptr) return;  // abandoned (never acknowledged) or reset (gone)
  if (s->window_held) {
    s->held_bytes += len;
  } else {
    nghttp2_session_consume_stream(session_, stream_id, len);
  }
}

void H2Connection::Goaway(Stream& s) {
  s.goaway_after_headers = true;
  goaway_ = true;  // no new streams from now on
}

void H2Connection::SendGoaway() {
  if (!open_ || goaway_sent_) return;
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session_),
                        NGHTTP2_NO_ERROR, nullptr, 0);
  goaway_sent_ = true;
  Flush();
}

void H2Connection::ResetAll() {
  if (open_ && connection_held_ > 0) nghttp2_session_consume_connection(session_, connection_held_);
  EndAll(/*reset=*/open_);
  Flush();
}

void H2Connection::Close() {
  open_ = false;
  error_code ignored;
  socket_.close(ignored);
  wake_writer_.cancel();
  EndAll(/*reset=*/false);
}

void H2Connection::EndAll(bool reset) {
  std::vector<Stream*> streams;
  streams.swap(streams_);
  connection_holds_ = 0;
  connection_held_ = 0;
  for (Stream* s : streams) {
    s->slot = SIZE_MAX;
    s->holds_connection = false;
    nghttp2_session_set_stream_user_data(session_, s->id, nullptr);
    if (reset) nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, s->id, NGHTTP2_CANCEL);
    s->closed = true;
    s->connection_failed = !reset;
    s->error_code = reset ? NGHTTP2_CANCEL : 0;
    s->done.cancel();
  }
}

void H2Connection::Flush() { wake_writer_.cancel(); }

asio::awaitable<void> H2Connection::ReadLoop() {
  std::array<uint8_t, kReadChunk> buf;
  while (open_) {
    auto [ec, n] = tls_ ? co_await tls_->ReadSome(asio::buffer(buf)) : co_await socket_.async_read_some(asio::buffer(buf), kUseTuple);
    if (ec || !open_) break;
    if (nghttp2_session_mem_recv(session_, buf.data(), n) < 0) break;
    // Done with the connection — unless we announced GOAWAY: then the server closes it.
    if (nghttp2_session_want_read(session_) == 0 && nghttp2_session_want_write(session_) == 0 && !goaway_sent_) break;
    Flush();
  }
  Close();
}

asio::awaitable<void> H2Connection::WriteLoop() {
  while (open_) {
    out_.clear();
    while (out_.size() < kWriteBatch) {
      const uint8_t* data = nullptr;
      const ssize_t n = nghttp2_session_mem_send(session_, &data);
      if (n < 0) {
        Close();
        co_return;
      }
      if (n == 0) break;
      out_.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
    }
    if (out_.empty()) {
      wake_writer_.expires_at(Clock::time_point::max());
      co_await wake_writer_.async_wait(kUseTuple);
      continue;
    }
    auto [ec, n] = tls_ ? co_await tls_->WriteAll(asio::buffer(out_)) : co_await asio::async_write(socket_, asio::buffer(out_), kUseTuple);
    if (ec) break;
  }
  Close();
}

namespace {

bool Named(const uint8_t* name, size_t namelen, std::string_view want) {
  return namelen == want.size() && std::memcmp(name, want.data(), namelen) == 0;
}

unsigned ParseUnsigned(const uint8_t* value, size_t valuelen) {
  unsigned n = 0;
  for (size_t i = 0; i < valuelen && i < 9 && value[i] >= '0' && value[i] <= '9'; ++i) n = n * 10 + (value[i] - '0');
  return n;
}

}  // namespace

int H2Connection::OnHeader(nghttp2_session* session, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                           const uint8_t* value, size_t valuelen, uint8_t, void*) {
  if (frame->hd.type != NGHTTP2_HEADERS) return 0;
  auto* s = static_cast<Stream*>(nghttp2_session_get_stream_user_data(session, frame->hd.stream_id));
  if (s == nullptr) return 0;
  if (Named(name, namelen, ":status")) {
    const unsigned status = ParseUnsigned(value, valuelen);
    if (status >= 200) s->status = status;  // 1xx are interim
  } else if (s->grpc && Named(name, namelen, "grpc-status")) {
    s->grpc_status = valuelen > 0 && valuelen < 9 ? static_cast<int>(ParseUnsigned(value, valuelen)) : 2;  // UNKNOWN
  }
  return 0;
}

int H2Connection::OnData(nghttp2_session* session, uint8_t, int32_t stream_id, const uint8_t* data, size_t len,
                         void* user) {
  auto* s = static_cast<Stream*>(nghttp2_session_get_stream_user_data(session, stream_id));
  if (s != nullptr) {
    s->body_bytes += len;
    if (s->reset_after_bytes > 0 && !s->fault_due && s->body_bytes >= static_cast<uint64_t>(s->reset_after_bytes)) {
      s->fault_due = true;
      s->done.cancel();
    }
    if (s->grpc) {
      s->messages.Feed(data, len);
      if (s->fault_after_messages >= 0 && !s->fault_due && s->messages.count() >= s->fault_after_messages) {
        s->fault_due = true;
        s->done.cancel();
      }
    }
  }
  auto* self = static_cast<H2Connection*>(user);
  if (self->manual_window_) self->Acknowledge(s, stream_id, len);
  return 0;
}

int H2Connection::OnStreamClose(nghttp2_session* session, int32_t stream_id, uint32_t error_code, void* user) {
  auto* self = static_cast<H2Connection*>(user);
  auto* s = static_cast<Stream*>(nghttp2_session_get_stream_user_data(session, stream_id));
  if (s == nullptr || !self->Untrack(*s)) return 0;
  self->EndConnectionHold(*s);
  s->closed = true;
  s->error_code = error_code;
  s->done.cancel();
  return 0;
}

// GOAWAY goes out only after the request's HEADERS: announced earlier, nghttp2 would
// refuse the still-pending stream itself.
int H2Connection::OnFrameSent(nghttp2_session* session, const nghttp2_frame* frame, void* user) {
  if (frame->hd.type != NGHTTP2_HEADERS) return 0;
  auto* s = static_cast<Stream*>(nghttp2_session_get_stream_user_data(session, frame->hd.stream_id));
  if (s != nullptr && s->goaway_after_headers) static_cast<H2Connection*>(user)->SendGoaway();
  return 0;
}

int H2Connection::OnFrame(nghttp2_session* session, const nghttp2_frame* frame, void* user) {
  if (frame->hd.type == NGHTTP2_GOAWAY) static_cast<H2Connection*>(user)->goaway_ = true;
  if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_RESPONSE) {
    auto* s = static_cast<Stream*>(nghttp2_session_get_stream_user_data(session, frame->hd.stream_id));
    if (s == nullptr || s->status == 0) return 0;  // interim (1xx) headers
    s->headers_received = true;
    if ((s->reset_after_bytes == 0 || s->abandon_after_headers) && !s->fault_due) {
      s->fault_due = true;
      s->done.cancel();
    }
  }
  return 0;
}

ssize_t H2Connection::ReadBody(nghttp2_session* session, int32_t stream_id, uint8_t* buf, size_t length,
                               uint32_t* flags, nghttp2_data_source*, void*) {
  auto* s = static_cast<Stream*>(nghttp2_session_get_stream_user_data(session, stream_id));
  if (s == nullptr) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  const std::string_view body = s->body;
  const size_t n = std::min(length, body.size() - s->body_sent);
  if (n == 0 && s->body_open) {
    s->body_deferred = true;  // MoreBody resumes it
    return NGHTTP2_ERR_DEFERRED;
  }
  std::memcpy(buf, body.data() + s->body_sent, n);
  s->body_sent += n;
  if (s->wake_on_drain && s->body_sent == body.size()) s->done.cancel();
  if (s->body_sent == body.size() && !s->body_open) *flags |= NGHTTP2_DATA_FLAG_EOF;
  return static_cast<ssize_t>(n);
}

void CountConnect(H2Connection::ConnectResult r, const H2Connection& c, bool tls, Clock::duration handshake,
                  RequestResult& out) {
  ++out.connections_opened;
  if (!tls) return;
  if (r == H2Connection::ConnectResult::kOk || r == H2Connection::ConnectResult::kNoH2) {
    ++out.handshakes;
    out.resumed += c.resumed_session() ? 1 : 0;
    out.handshake_time += handshake;
  } else if (r == H2Connection::ConnectResult::kTlsError) {
    ++out.handshake_failures;
  }
}

stats::ErrorKind ConnectErrorKind(H2Connection::ConnectResult r) {
  switch (r) {
    case H2Connection::ConnectResult::kTlsError: return stats::ErrorKind::kTls;
    case H2Connection::ConnectResult::kDeadline: return stats::ErrorKind::kTimeout;
    default: return stats::ErrorKind::kConnect;
  }
}

}  // namespace leakgate::load::h2
