// MessageCounter against byte streams of gRPC messages cut at every possible place: the
// count never depends on how the DATA frames split the stream.
#include "harness/load/h2/message_counter.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "harness/load/grpc/grpc_wire.h"

namespace leakgate::load::h2 {
namespace {

const uint8_t* Bytes(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

std::string Stream(const std::vector<std::string>& messages) {
  std::string out;
  for (const auto& m : messages) out += grpc_load::FrameMessage(m);
  return out;
}

TEST(MessageCounter, CountsEveryMessageWhereverTheChunksSplit) {
  const std::string wire = Stream({"abc", "", std::string(300, 'x'), "\x05", ""});
  for (size_t cut = 0; cut <= wire.size(); ++cut) {
    MessageCounter c;
    const int64_t n = c.Feed(Bytes(wire), cut) + c.Feed(Bytes(wire) + cut, wire.size() - cut);
    EXPECT_EQ(n, 5) << "cut at " << cut;
    EXPECT_EQ(c.count(), 5) << "cut at " << cut;
    EXPECT_TRUE(c.at_boundary());
  }
  MessageCounter bytewise;
  int64_t n = 0;
  for (size_t i = 0; i < wire.size(); ++i) n += bytewise.Feed(Bytes(wire) + i, 1);
  EXPECT_EQ(n, 5);
}

TEST(MessageCounter, RandomChunkingOfManyMessages) {
  std::mt19937 rng(7);
  std::vector<std::string> messages;
  for (int i = 0; i < 200; ++i) messages.push_back(std::string(rng() % 70000, 'm'));
  const std::string wire = Stream(messages);
  MessageCounter c;
  int64_t n = 0;
  for (size_t at = 0; at < wire.size();) {
    const size_t len = std::min<size_t>(wire.size() - at, 1 + rng() % 20000);
    n += c.Feed(Bytes(wire) + at, len);
    at += len;
  }
  EXPECT_EQ(n, 200);
  EXPECT_TRUE(c.at_boundary());
}

TEST(MessageCounter, ATruncatedMessageIsNotCountedAndLeavesItOpen) {
  const std::string wire = Stream({"hello", "world"});
  MessageCounter c;
  EXPECT_EQ(c.Feed(Bytes(wire), wire.size() - 1), 1);
  EXPECT_FALSE(c.at_boundary());
  MessageCounter prefix_only;
  EXPECT_EQ(prefix_only.Feed(Bytes(wire), 3), 0);
  EXPECT_FALSE(prefix_only.at_boundary());
  // A length of 4 GiB - 1 is skipped as it comes, never buffered.
  const std::string huge("\0\xff\xff\xff\xff", 5);
  MessageCounter big;
  EXPECT_EQ(big.Feed(Bytes(huge), huge.size()), 0);
  EXPECT_FALSE(big.at_boundary());
}

}  // namespace
}  // namespace leakgate::load::h2
