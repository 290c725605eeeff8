// grpc_wire.h: the gRPC-over-HTTP/2 forms the data plane writes and reads, checked
// against PROTOCOL-HTTP2.md's rules (the conformance against grpc-go itself is
// tests/integration/grpc_test.cpp, run once per client).
#include "harness/load/grpc/grpc_wire.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace leakgate::load::grpc_load {
namespace {

using namespace std::chrono_literals;

TEST(GrpcWire, FrameMessageIsFlagThenBigEndianLength) {
  EXPECT_EQ(FrameMessage(""), std::string("\0\0\0\0\0", 5));
  EXPECT_EQ(FrameMessage("\x0a\x05" "bench"), std::string("\0\0\0\0\x07\x0a\x05" "bench", 12));
  const std::string big(0x010203, 'x');
  const std::string framed = FrameMessage(big);
  EXPECT_EQ(framed.substr(0, 5), std::string("\0\x00\x01\x02\x03", 5));
  EXPECT_EQ(framed.size(), big.size() + 5);
}

TEST(GrpcWire, TimeoutUsesTheFinestUnitWithinEightDigitsRoundedUp) {
  EXPECT_EQ(GrpcTimeoutValue(0ns), "1n");
  EXPECT_EQ(GrpcTimeoutValue(-5ms), "1n");
  EXPECT_EQ(GrpcTimeoutValue(1ns), "1n");
  EXPECT_EQ(GrpcTimeoutValue(99'999'999ns), "99999999n");
  EXPECT_EQ(GrpcTimeoutValue(100'000'000ns), "100000u");
  EXPECT_EQ(GrpcTimeoutValue(100'000'001ns), "100001u") << "rounded up, never shorter";
  EXPECT_EQ(GrpcTimeoutValue(20ms), "20000000n");
  EXPECT_EQ(GrpcTimeoutValue(2s), "2000000u");
  EXPECT_EQ(GrpcTimeoutValue(1h), "3600000m");
  EXPECT_EQ(GrpcTimeoutValue(std::chrono::hours(24 * 365)), "31536000S");
  EXPECT_EQ(GrpcTimeoutValue(std::chrono::hours(24 * 365 * 100)), "52560000M");
  EXPECT_EQ(GrpcTimeoutValue(std::chrono::nanoseconds::max()), "2562048H");
}

TEST(GrpcWire, HeaderFieldsPseudoFirstAndBinaryMetadataInBase64) {
  const auto fields = RequestHeaderFields("/a.B/C", "127.0.0.1:50051", true, {{"x-user", "alice"}, {"x-trace-bin", "ab\x01"}});
  ASSERT_EQ(fields.size(), 9u);
  EXPECT_EQ(fields[0], (std::pair<std::string, std::string>{":method", "POST"}));
  EXPECT_EQ(fields[1], (std::pair<std::string, std::string>{":scheme", "https"}));
  EXPECT_EQ(fields[2], (std::pair<std::string, std::string>{":path", "/a.B/C"}));
  EXPECT_EQ(fields[3], (std::pair<std::string, std::string>{":authority", "127.0.0.1:50051"}));
  EXPECT_EQ(fields[4], (std::pair<std::string, std::string>{"content-type", "application/grpc"}));
  EXPECT_EQ(fields[5], (std::pair<std::string, std::string>{"te", "trailers"}));
  EXPECT_EQ(fields[7], (std::pair<std::string, std::string>{"x-user", "alice"}));
  EXPECT_EQ(fields[8], (std::pair<std::string, std::string>{"x-trace-bin", "YWIB"}));
  EXPECT_EQ(RequestHeaderFields("/a.B/C", "h:1", false, {})[1].second, "http");
}

TEST(GrpcWire, Base64IsStandardAndPadded) {
  EXPECT_EQ(Base64(""), "");
  EXPECT_EQ(Base64("f"), "Zg==");
  EXPECT_EQ(Base64("fo"), "Zm8=");
  EXPECT_EQ(Base64("foo"), "Zm9v");
  EXPECT_EQ(Base64(std::string("\xff\xfe\x00", 3)), "//4A");
}

TEST(GrpcWire, StatusWithoutGrpcStatusFollowsTheMappings) {
  EXPECT_EQ(StatusFromHttp(400), 13);
  EXPECT_EQ(StatusFromHttp(401), 16);
  EXPECT_EQ(StatusFromHttp(403), 7);
  EXPECT_EQ(StatusFromHttp(404), 12);
  for (unsigned s : {429u, 502u, 503u, 504u}) EXPECT_EQ(StatusFromHttp(s), 14) << s;
  EXPECT_EQ(StatusFromHttp(500), 2);
  EXPECT_EQ(StatusFromHttp(200), 2);
  EXPECT_EQ(StatusFromReset(0x8), 1);   // CANCEL
  EXPECT_EQ(StatusFromReset(0x7), 14);  // REFUSED_STREAM
  EXPECT_EQ(StatusFromReset(0xb), 8);   // ENHANCE_YOUR_CALM
  EXPECT_EQ(StatusFromReset(0xc), 7);   // INADEQUATE_SECURITY
  EXPECT_EQ(StatusFromReset(0x1), 13);  // PROTOCOL_ERROR
  EXPECT_EQ(StatusFromReset(0x2), 13);  // INTERNAL_ERROR
}

}  // namespace
}  // namespace leakgate::load::grpc_load
