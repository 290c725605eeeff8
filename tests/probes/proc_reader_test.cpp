// /proc readers, against this test process itself (a real /proc, real fds).
#include "probes/proc_reader.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace leakgate::probes {
namespace proc_reader_test {

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

TEST(ProcNetTcp, ParsesStatesAndInodesSkippingOrphans) {
  const std::string text =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
      "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0 100 0 0 10 0\n"
      "   1: 0100007F:1F90 0100007F:A000 01 00000000:00000000 00:00000000 00000000     0        0 222 1 0 20 4 30 10 -1\n"
      "   2: 0100007F:A002 0100007F:1F90 08 00000000:00000000 00:00000000 00000000     0        0 333 1 0 20 4 30 10 -1\n"
      "   3: 0100007F:A004 0100007F:1F90 06 00000000:00000000 03:00000F9B 00000000     0        0 0 3 0\n"
      "garbage line\n";
  const auto states = ParseProcNetTcp(text);
  ASSERT_EQ(states.size(), 3u) << "the TIME_WAIT orphan (inode 0) and the garbage line are skipped";
  EXPECT_EQ(states.at(111), "listen");
  EXPECT_EQ(states.at(222), "established");
  EXPECT_EQ(states.at(333), "close_wait");
}

TEST(ProcNetTcp, CountsThisProcessSocketsByState) {
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(listener, 4), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int client = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const int server = accept(listener, nullptr, nullptr);
  ASSERT_GE(server, 0);

  const auto fds = ReadFds(getpid());
  ASSERT_TRUE(fds);
  EXPECT_GE(fds->Count("socket"), 3);
  const auto states = TcpStates(getpid(), *fds);
  ASSERT_TRUE(states);
  EXPECT_GE(states->at("listen"), 1);
  EXPECT_GE(states->at("established"), 2) << "both ends of the loopback connection are ours";

  close(server);  // the client end now waits for its own close: CLOSE_WAIT
  const auto after = TcpStates(getpid(), *ReadFds(getpid()));
  ASSERT_TRUE(after);
  EXPECT_GE(after->count("close_wait") ? after->at("close_wait") : 0, 1);
  close(client);
  close(listener);
}

// A VmRSS too large to be bytes in an int64 is not a reading (fuzz_proc_text found the
// signed overflow under UBSan).
TEST(ProcReader, ImpossibleRssIsNotAReading) {
  EXPECT_FALSE(ParseProcStatus("VmRSS:\t9223372036854775807 kB\nThreads:\t4\n"));
  EXPECT_FALSE(ParseProcStatus("VmRSS:\t-5 kB\nThreads:\t4\n"));
  const auto ok = ParseProcStatus("VmRSS:\t2048 kB\nThreads:\t4\n");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->rss_bytes, 2048 * 1024);
}

}  // namespace proc_reader_test
}  // namespace leakgate::probes
