// /proc readers, against this test process itself (a real /proc, real fds).
#include "probes/proc_reader.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace leakgate::probes {
namespace {

TEST(ProcReader, NormalizesKernelFdNames) {
  EXPECT_EQ(NormalizeFdTarget("socket:[12345]"), "socket");
  EXPECT_EQ(NormalizeFdTarget("pipe:[7]"), "pipe");
  EXPECT_EQ(NormalizeFdTarget("anon_inode:[eventpoll]"), "anon_inode:[eventpoll]");
  EXPECT_EQ(NormalizeFdTarget("/tmp/x.dat"), "/tmp/x.dat");
}

TEST(ProcReader, SeesFdsThisProcessOpensAndDiffNamesThem) {
  const auto before = ReadFds(getpid());
  ASSERT_TRUE(before.has_value());
  char path[] = "/tmp/leakgate-proc-test-XXXXXX";
  const int file_fd = mkstemp(path);
  ASSERT_GE(file_fd, 0);
  const int file_fd2 = open(path, O_RDONLY);
  const int sock = socket(AF_INET, SOCK_STREAM, 0);
  const auto after = ReadFds(getpid());
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->total(), before->total() + 3);
  const auto growth = DiffFds(*before, *after);
  ASSERT_EQ(growth.size(), 2u);
  EXPECT_EQ(growth[0].target, path);
  EXPECT_EQ(growth[0].count, 2);
  EXPECT_EQ(growth[1].target, "socket");
  EXPECT_EQ(growth[1].count, 1);
  close(sock);
  close(file_fd2);
  close(file_fd);
  unlink(path);
}

TEST(ProcReader, ReadsRssAndThreadsOfThisProcess) {
  const auto status = ReadProcStatus(getpid());
  ASSERT_TRUE(status.has_value());
  EXPECT_GT(status->rss_bytes, 1 << 20);
  EXPECT_GE(status->threads, 1);
}

TEST(ProcReader, ParsesStatusTextAndRejectsIncompleteText) {
  const auto s = ParseProcStatus("Name:\tleaky\nVmRSS:\t   10240 kB\nThreads:\t7\n");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->rss_bytes, 10240 * 1024);
  EXPECT_EQ(s->threads, 7);
  EXPECT_FALSE(ParseProcStatus("Name:\tx\nThreads:\t7\n").has_value());
}

TEST(ProcReader, GoneProcessIsNullopt) {
  EXPECT_FALSE(ReadFds(999999999).has_value());
  EXPECT_FALSE(ReadProcStatus(999999999).has_value());
}

}  // namespace
}  // namespace leakgate::probes
