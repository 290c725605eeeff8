// FdTls: a TLS client connection with OpenSSL working straight on a connected,
// non-blocking TCP socket (SSL_set_fd), driven by Asio readiness waits — wrk's way. Beside
// asio::ssl::stream it saves the memory-BIO copy of every record and the extra trips
// through the io_context per read and write: one read syscall per record that arrives,
// one write per record that leaves, a readiness wait only when OpenSSL would block.
//
// Errors are Asio's: the ssl category (asio::error::get_ssl_category()) for OpenSSL's,
// asio::error::eof for close_notify, asio::ssl::error::stream_truncated for an EOF
// without it, the system category for a failed syscall, operation_aborted when the socket
// was closed during a wait (the owner's deadline).
//
// Contract: the socket is connected and in non-blocking mode (socket.non_blocking(true))
// and outlives the FdTls; at most one read and one write are in flight at a time; closing
// the socket ends both. Destroying an FdTls frees the SSL object and never touches the
// socket (no close_notify: the owner closes). OpenSSL's socket BIO writes with write(),
// not send(MSG_NOSIGNAL): a write to a connection the peer closed raises SIGPIPE, which
// kills the process unless the thread called BlockSigpipeOnThisThread() first (the write
// then fails with EPIPE). Thread-safety: none; the socket's io_context thread only.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <tuple>

typedef struct ssl_st SSL;

namespace leakgate::net {

// Blocks SIGPIPE for the calling thread: a write to a closed connection fails with EPIPE
// instead of killing the process (the signal stays pending on the thread, unseen).
void BlockSigpipeOnThisThread();

class FdTls {
 public:
  // A client SSL of `context` on `socket`'s descriptor; configure it (SNI, session) through
  // native_handle() before Handshake().
  FdTls(boost::asio::ssl::context& context, boost::asio::ip::tcp::socket& socket);
  ~FdTls();
  FdTls(const FdTls&) = delete;
  FdTls& operator=(const FdTls&) = delete;

  SSL* native_handle() const { return ssl_; }

  boost::asio::awaitable<boost::system::error_code> Handshake();
  // Reads what one or more records hold, up to `into`'s size; at least one byte unless an
  // error is returned.
  boost::asio::awaitable<std::tuple<boost::system::error_code, std::size_t>> ReadSome(boost::asio::mutable_buffer into);
  // Writes all of `bytes`; the count is how many went out before an error.
  boost::asio::awaitable<std::tuple<boost::system::error_code, std::size_t>> WriteAll(boost::asio::const_buffer bytes);

 private:
  // After an SSL_* call returned `ret`: waits for the readiness OpenSSL asked for (success:
  // call again), else the error that ends the operation.
  boost::asio::awaitable<boost::system::error_code> WaitOrFail(int ret);
  static boost::system::error_code Failure(int ssl_error, int ret, int saved_errno);

  boost::asio::ip::tcp::socket& socket_;
  SSL* ssl_ = nullptr;
};

}  // namespace leakgate::net
