// BlockSigpipeOnThisThread (harness/net/fd_tls.h): OpenSSL's socket BIO writes with
// write(); on a thread that blocked SIGPIPE a write to a connection whose peer is gone
// fails with EPIPE instead of killing the process (without it this test dies of SIGPIPE).
// Regression: a mutual-TLS gRPC test died of SIGPIPE when the server dropped the
// connection of a client without a certificate.
#include "harness/net/fd_tls.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

namespace leakgate::net {
namespace {

TEST(BlockSigpipe, AWriteToAClosedPeerFailsWithEpipe) {
  int result = 0, error = 0;
  std::thread worker([&] {
    BlockSigpipeOnThisThread();
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    close(fds[1]);
    result = static_cast<int>(write(fds[0], "x", 1));
    error = errno;
    close(fds[0]);
  });
  worker.join();
  EXPECT_EQ(result, -1);
  EXPECT_EQ(error, EPIPE);
}

}  // namespace
}  // namespace leakgate::net
