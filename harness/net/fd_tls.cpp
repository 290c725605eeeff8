#include "harness/net/fd_tls.h"

#include <pthread.h>
#include <signal.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <new>

#include <boost/asio/ssl/error.hpp>

#include "harness/base/asio_tokens.h"

namespace leakgate::net {

void BlockSigpipeOnThisThread() {
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
}


namespace asio = boost::asio;
using boost::system::error_code;

FdTls::FdTls(asio::ssl::context& context, asio::ip::tcp::socket& socket) : socket_(socket) {
  ssl_ = SSL_new(context.native_handle());
  if (ssl_ == nullptr) throw std::bad_alloc();
  // Partial writes: SSL_write returns per record, so a write that would block resumes
  // where it stopped; the buffer may move between retries (the caller's offset advances).
  SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // Read ahead: one recv takes what the kernel holds (header and body of every record
  // there), instead of one recv for a record's 5-byte header and another for its body.
  SSL_set_read_ahead(ssl_, 1);
  SSL_set_fd(ssl_, static_cast<int>(socket.native_handle()));  // a socket BIO without BIO_CLOSE
  SSL_set_connect_state(ssl_);
}

FdTls::~FdTls() { SSL_free(ssl_); }

// The error queue is empty whenever an SSL_* call starts (cleared before the handshake
// and after every failure here): a per-call ERR_clear_error costs more than the call.
asio::awaitable<error_code> FdTls::WaitOrFail(int ret) {
  const int err = SSL_get_error(ssl_, ret);
  const int saved_errno = errno;
  if (const error_code failure = Failure(err, ret, saved_errno)) {
    ERR_clear_error();
    co_return failure;
  }
  const auto what = err == SSL_ERROR_WANT_READ ? asio::socket_base::wait_read : asio::socket_base::wait_write;
  auto [ec] = co_await socket_.async_wait(what, kUseTuple);
  co_return ec;
}

// What ended an SSL_* call that returned `ret` with SSL_get_error `err`; success for the
// two that only ask to wait (WANT_READ, WANT_WRITE).
error_code FdTls::Failure(int err, int ret, int saved_errno) {
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return {};
  if (err == SSL_ERROR_ZERO_RETURN) return error_code(asio::error::eof);
  if (err == SSL_ERROR_SSL) {
    const unsigned long code = ERR_get_error();
    return code != 0 ? error_code(static_cast<int>(code), asio::error::get_ssl_category())
                        : error_code(asio::ssl::error::unspecified_system_error);
  }
  if (err == SSL_ERROR_SYSCALL) {
    if (const unsigned long code = ERR_get_error(); code != 0) {
      return error_code(static_cast<int>(code), asio::error::get_ssl_category());
    }
    // EOF without close_notify (ret 0, or errno unset), else the syscall's own error.
    if (ret == 0 || saved_errno == 0) return error_code(asio::ssl::error::stream_truncated);
    return error_code(saved_errno, boost::system::system_category());
  }
  return error_code(asio::ssl::error::unspecified_system_error);
}

asio::awaitable<error_code> FdTls::Handshake() {
  ERR_clear_error();  // whatever this thread left there would read as this connection's error
  for (;;) {
    if (!socket_.is_open()) co_return asio::error::operation_aborted;
    const int ret = SSL_do_handshake(ssl_);
    if (ret == 1) co_return error_code{};
    if (error_code ec = co_await WaitOrFail(ret)) co_return ec;
  }
}

asio::awaitable<std::tuple<error_code, std::size_t>> FdTls::ReadSome(asio::mutable_buffer into) {
  for (;;) {
    if (!socket_.is_open()) co_return std::tuple(error_code(asio::error::operation_aborted), std::size_t{0});
    std::size_t got = 0;
    const int ret = SSL_read_ex(ssl_, into.data(), into.size(), &got);
    if (ret == 1) co_return std::tuple(error_code{}, got);
    if (error_code ec = co_await WaitOrFail(ret)) co_return std::tuple(ec, std::size_t{0});
  }
}

asio::awaitable<std::tuple<error_code, std::size_t>> FdTls::WriteAll(asio::const_buffer bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    if (!socket_.is_open()) co_return std::tuple(error_code(asio::error::operation_aborted), done);
    std::size_t wrote = 0;
    const int ret = SSL_write_ex(ssl_, static_cast<const char*>(bytes.data()) + done, bytes.size() - done, &wrote);
    if (ret == 1) {
      done += wrote;
      continue;
    }
    if (error_code ec = co_await WaitOrFail(ret)) co_return std::tuple(ec, done);
  }
  co_return std::tuple(error_code{}, done);
}

}  // namespace leakgate::net
