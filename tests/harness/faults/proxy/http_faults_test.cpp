// HTTP-aware faults of the chaos proxy, measured through real loopback sockets.
//
// Method: a real HTTP/1.1 upstream (Beast's parser, hand-written responses in every body
// framing) sits behind a dependency relayed in HTTP mode; a client speaks HTTP/1.1 over a
// raw socket and parses the responses with Beast, recording when each head and each
// whole response arrived. Shares of faulted requests are counted over hundreds of
// keep-alive requests; delays are compared with the same request made with the fault off,
// in the same test; the upstream's own request log says which requests reached it, so a
// request answered or dropped by the proxy is proven not to have been forwarded.
#include <gtest/gtest.h>

#include "proxy_test_support.h"

namespace leakgate::faults::proxy::testing {
namespace http_faults_test {

using namespace std::chrono_literals;
using scenario::DependencyFault;
using K = DependencyFault::Kind;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

class ProxyHttpFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    proxy_ = StartProxy({Upstream("api", upstream_.port(), /*http=*/true)});
    ASSERT_TRUE(proxy_);
  }
  int port() const { return proxy_->Port("api"); }

  HttpUpstream upstream_;
  std::unique_ptr<ChaosProxy> proxy_;
};

TEST_F(ProxyHttpFaults, RelaysEveryFramingIntactOnOneKeepAliveConnection) {
  HttpClient c(port());
  ASSERT_TRUE(c.ok());
  HttpReply r = c.Exchange(Get("/cl?n=5000"));
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.body, std::string(5000, 'x'));
  r = c.Exchange(Get("/chunked?n=3500"));
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.body, std::string(3500, 'k')) << "chunk extensions and the trailer passed through";
  EXPECT_EQ(r.headers["x-trailer"], "done");
  r = c.Exchange(Get("/cl?n=5000", "HEAD"), /*head_request=*/true);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.headers["content-length"], "5000");
  EXPECT_TRUE(r.body.empty()) << "the relay knew a HEAD response has no body";
  const std::string big(100'000, 'e');
  r = c.Exchange(Get("/echo", "POST", big));
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.body, big);
  r = c.Exchange(Get("/continue"));
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 200u) << "an interim 100 is relayed, then the final response";
  EXPECT_EQ(r.body, "ok");

  // Pipelined: two requests in one write, two responses in order.
  ASSERT_TRUE(c.raw().SendAll(Get("/cl?n=3") + Get("/echo", "POST", "pipelined")));
  r = c.Next();
  EXPECT_EQ(r.body, "xxx");
  r = c.Next();
  EXPECT_EQ(r.body, "pipelined");

  r = c.Exchange(Get("/close?n=7000"));
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.body, std::string(7000, 'c')) << "a body framed by the close";
  EXPECT_TRUE(c.raw().ReadSome(1000ms).eof);

  EXPECT_EQ(upstream_.requests(), 8);
  EXPECT_EQ(DependencyRow(*proxy_, "", "api").requests, 8);
}

// Regression: these take the relay's byte pass-through, whose coroutine frame GCC 12 once
// laid out wrongly (tools/check_coroutine_frames.py): it crashed on its first resumption.
TEST_F(ProxyHttpFaults, HalfCloseBetweenRequestsReachesTheUpstream) {
  HttpClient c(port());
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c.Exchange(Get("/x")).status, 200u);
  c.raw().ShutdownWrite();
  EXPECT_TRUE(c.raw().ReadSome(2000ms).eof) << "the upstream saw the EOF and closed in turn";
}

TEST(ProxyHttpRelay, BytesThatAreNotHttpAreRelayedAsBytes) {
  TcpServer echo(TcpServer::Mode::kEcho);
  auto proxy = StartProxy({Upstream("raw", echo.port(), /*http=*/true)});
  ASSERT_TRUE(proxy);
  RawClient c = ConnectOrFail(proxy->Port("raw"));
  ASSERT_TRUE(c.ok());
  const std::string garbage = "HELLO NOT HTTP\r\n\r\n";
  ASSERT_TRUE(c.SendAll(garbage));
  EXPECT_EQ(c.ReadExactly(garbage.size(), 2000ms).bytes, garbage);
  ASSERT_TRUE(c.SendAll("more"));
  EXPECT_EQ(c.ReadExactly(4, 2000ms).bytes, "more") << "and everything after it";
}

TEST_F(ProxyHttpFaults, HttpErrorAnswersTheAskedShareInsteadOfTheUpstream) {
  auto f = Fault(K::kHttpError, "api");
  f.status = 503;
  f.body = "unavailable";
  f.headers = {{"X-Fault", "yes"}};
  f.probability = 0.3;
  ASSERT_TRUE(proxy_->SetPhase("errors", {f}).ok());
  HttpClient c(port());
  ASSERT_TRUE(c.ok());
  constexpr int kRequests = 400;
  int errors = 0;
  for (int i = 0; i < kRequests; ++i) {
    const HttpReply r = c.Exchange(Get("/v1/item"));
    ASSERT_TRUE(r.ok) << "request " << i;
    ASSERT_TRUE(r.keep_alive);
    if (r.status == 503) {
      ++errors;
      EXPECT_EQ(r.body, "unavailable");
      EXPECT_EQ(r.headers.at("x-fault"), "yes");
    } else {
      ASSERT_EQ(r.status, 200u);
    }
  }
  EXPECT_NEAR(errors / static_cast<double>(kRequests), 0.3, 0.1);
  EXPECT_EQ(upstream_.requests(), kRequests - errors) << "answered requests never reached the upstream";
  const FaultStats row = FaultRow(*proxy_, "errors", "api", 0);
  EXPECT_EQ(row.requests, errors);
  EXPECT_EQ(row.connections, 1);
}

TEST_F(ProxyHttpFaults, PathGlobAndMethodChooseTheRequests) {
  auto f = Fault(K::kHttpError, "api");
  f.path = "/v1/*";
  f.method = "POST";
  ASSERT_TRUE(proxy_->SetPhase("picky", {f}).ok());
  HttpClient c(port());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.Exchange(Get("/v1/orders", "POST", "{}")).status, 503u);
  EXPECT_EQ(c.Exchange(Get("/v1/a/b?x=1", "POST", "{}")).status, 503u) << "'*' spans '/', the query is not matched";
  EXPECT_EQ(c.Exchange(Get("/v1/orders")).status, 200u) << "GET is not POST";
  EXPECT_EQ(c.Exchange(Get("/v2/orders", "POST", "{}")).status, 200u) << "outside the glob";
  EXPECT_EQ(c.Exchange(Get("/v1", "POST", "{}")).status, 200u) << "/v1/* needs the slash";
}

// Medians over `n` requests on `c`: time to the head, head to the end, and to the end.
struct Timing {
  double head = 0, body = 0, total = 0;
};
Timing MedianTiming(HttpClient& c, const std::string& request, const std::string& want_body, int n = 5) {
  std::vector<double> head, body, total;
  for (int i = 0; i < n; ++i) {
    const HttpReply r = c.Exchange(request);
    EXPECT_TRUE(r.ok);
    EXPECT_EQ(r.body, want_body);
    head.push_back(Ms(r.head_at - r.sent_at));
    body.push_back(Ms(r.done_at - r.head_at));
    total.push_back(Ms(r.done_at - r.sent_at));
  }
  return {Median(head), Median(body), Median(total)};
}

TEST_F(ProxyHttpFaults, HttpDelayHoldsTheHeadOrOnlyTheBody) {
  HttpClient c(port());
  ASSERT_TRUE(c.ok());
  const std::string want(1000, 'x');
  const Timing direct = MedianTiming(c, Get("/cl?n=1000"), want);

  auto f = Fault(K::kHttpDelay, "api");
  f.delay = 150ms;
  ASSERT_TRUE(proxy_->SetPhase("slow-head", {f}).ok());
  const Timing head = MedianTiming(c, Get("/cl?n=1000"), want);
  EXPECT_NEAR(head.head - direct.head, 150.0, 15.0) << "the head waited";
  EXPECT_LT(head.body, 20.0) << "the body followed the head at once";

  f.before = DependencyFault::DelayPoint::kBody;
  ASSERT_TRUE(proxy_->SetPhase("slow-body", {f}).ok());
  const Timing body = MedianTiming(c, Get("/cl?n=1000"), want);
  EXPECT_LT(body.head - direct.head, 20.0) << "the head came at once";
  EXPECT_NEAR(body.body - direct.body, 150.0, 15.0) << "only the body waited";
  EXPECT_EQ(FaultRow(*proxy_, "slow-body", "api", 0).requests, 5);
}

TEST_F(ProxyHttpFaults, HttpDelayEndsWhenItsPhaseEnds) {
  auto f = Fault(K::kHttpDelay, "api");
  f.delay = 30s;
  ASSERT_TRUE(proxy_->SetPhase("hung", {f}).ok());
  HttpClient c(port());
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.raw().SendAll(Get("/cl?n=10")));
  EXPECT_TRUE(c.raw().ReadSome(200ms).timed_out);
  ASSERT_TRUE(proxy_->SetPhase("healed", {}).ok());
  const HttpReply r = c.Next(false, 1000ms);
  ASSERT_TRUE(r.ok) << "the held response is delivered once the phase ends";
  EXPECT_EQ(r.body, std::string(10, 'x'));
}

TEST_F(ProxyHttpFaults, HttpDropReadsTheRequestAndClosesWithoutAnswer) {
  ASSERT_TRUE(proxy_->SetPhase("drops", {Fault(K::kHttpDrop, "api")}).ok());
  HttpClient c(port());
  ASSERT_TRUE(c.ok());
  const HttpReply r = c.Exchange(Get("/echo", "POST", std::string(20'000, 'd')));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.ended.eof) << "closed (FIN), no status line";
  EXPECT_EQ(upstream_.requests(), 0);
  const FaultStats row = FaultRow(*proxy_, "drops", "api", 0);
  EXPECT_EQ(row.requests, 1);
  EXPECT_EQ(row.connections_closed, 1);
}

TEST_F(ProxyHttpFaults, HttpSlowBodyTricklesTheBody) {
  auto f = Fault(K::kHttpSlowBody, "api");
  f.slow_bytes = 10;
  f.slow_interval = 10ms;
  ASSERT_TRUE(proxy_->SetPhase("trickle", {f}).ok());
  HttpClient c(port());
  ASSERT_TRUE(c.ok());
  const HttpReply r = c.Exchange(Get("/cl?n=200"));
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.body, std::string(200, 'x'));
  EXPECT_LT(Ms(r.head_at - r.sent_at), 30.0) << "the head is not trickled";
  const double body_ms = Ms(r.done_at - r.head_at);
  EXPECT_GE(body_ms, 19 * 10.0 * 0.9) << "20 pieces of 10 bytes, 10 ms apart";
  EXPECT_LT(body_ms, 19 * 10.0 * 1.1 + 60.0);
}

TEST_F(ProxyHttpFaults, HttpFaultsAreOffOutsideTheirPhases) {
  ASSERT_TRUE(proxy_->SetPhase("errors", {Fault(K::kHttpError, "api")}).ok());
  HttpClient c(port());
  ASSERT_TRUE(c.ok());
  for (int i = 0; i < 20; ++i) ASSERT_EQ(c.Exchange(Get("/x")).status, 503u);
  ASSERT_TRUE(proxy_->SetPhase("calm", {}).ok());
  for (int i = 0; i < 20; ++i) ASSERT_EQ(c.Exchange(Get("/x")).status, 200u);
  EXPECT_EQ(upstream_.requests(), 20);
  EXPECT_EQ(FaultRow(*proxy_, "errors", "api", 0).requests, 20);
  EXPECT_EQ(DependencyRow(*proxy_, "calm", "api").requests, 20);
}

TEST_F(ProxyHttpFaults, TcpFaultsStillActOnAnHttpRelay) {
  auto f = Fault(K::kLatency, "api");
  f.delay = 50ms;
  f.direction = DependencyFault::Direction::kDownstream;
  HttpClient c(port());
  ASSERT_TRUE(c.ok());
  const Timing direct = MedianTiming(c, Get("/x"), "ok");
  ASSERT_TRUE(proxy_->SetPhase("slow", {f}).ok());
  const Timing slow = MedianTiming(c, Get("/x"), "ok");
  EXPECT_NEAR(slow.total - direct.total, 50.0, 5.0);
}

}  // namespace http_faults_test
}  // namespace leakgate::faults::proxy::testing
