// HttpGet against real misbehaving servers on loopback sockets (ScriptedServer): the timeout
// bounds the whole exchange (a trickle does not extend it), the body cap ends an endless,
// huge or chunked body as soon as it is crossed without buffering beyond it, and every
// message names the URL and the reason. Without the deadline or the cap each of these
// fetches would run for the server's whole script (up to a minute, or 1 GiB of body).
#include "probes/http_fetch.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <thread>

#include <fmt/format.h>

#include "harness/runner/ports.h"
#include "scripted_server.h"

namespace leakgate::probes {
namespace http_fetch_test {

using leakgate::testing::ScriptedServer;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Scheduling slack allowed past a deadline on a busy shared machine.
constexpr auto kSlack = 2s;

struct Timed {
  StatusOr<HttpResponse> result;
  Clock::duration elapsed;
};

Timed TimedGet(const std::string& url, const FetchOptions& options) {
  const auto start = Clock::now();
  auto r = HttpGet(url, options);
  return {std::move(r), Clock::now() - start};
}

void ExpectFailure(const Timed& t, StatusCode code, const std::string& url, const std::string& reason) {
  ASSERT_FALSE(t.result.ok()) << url << " fetched (" << t.result->body.size() << " bytes)";
  EXPECT_EQ(t.result.status().code(), code) << t.result.status().message();
  const std::string& m = t.result.status().message();
  EXPECT_TRUE(m.starts_with("GET " + url + ": ")) << m;
  EXPECT_NE(m.find(reason), std::string::npos) << m;
}

// A script answering every request with `response`.
ScriptedServer::Script Answer(std::string response) {
  return [response = std::move(response)](int fd, const std::atomic<bool>& stop) {
    ScriptedServer::ReadRequestHead(fd, stop);
    ScriptedServer::SendAll(fd, response, stop);
  };
}

std::string Ok(std::string_view body) {
  return fmt::format("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}", body.size(), body);
}

TEST(HttpGet, ReadsAResponseOfAnyStatus) {
  ScriptedServer ok(Answer(Ok("hello")));
  auto r = HttpGet(ok.Url("/x?y=1"), {.timeout = 5s});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->body, "hello");

  ScriptedServer missing(Answer("HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno"));
  r = HttpGet(missing.Url(), {.timeout = 5s});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 404u);
  const auto body = HttpGetOk(missing.Url(), {.timeout = 5s});
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(body.status().message(), "GET " + missing.Url() + ": HTTP 404");
}

TEST(HttpGet, LocalhostReachesTheLoopbackListener) {
  ScriptedServer server(Answer(Ok("via localhost")));
  const auto r = HttpGetOk(fmt::format("http://localhost:{}/", server.port()), {.timeout = 5s});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, "via localhost");
}

TEST(HttpGet, TimeoutBoundsTheWholeExchangeWhenTheServerTrickles) {
  // One byte every 100 ms, head first: every single read succeeds, only the total is late.
  ScriptedServer server([](int fd, const std::atomic<bool>& stop) {
    ScriptedServer::ReadRequestHead(fd, stop);
    const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + std::string(100000, 'x');
    for (char c : response) {
      if (!ScriptedServer::SendAll(fd, std::string_view(&c, 1), stop) || !ScriptedServer::SleepFor(100ms, stop)) return;
    }
  });
  const auto t = TimedGet(server.Url("/debug/vars"), {.timeout = 1s});
  ExpectFailure(t, StatusCode::kDeadlineExceeded, server.Url("/debug/vars"), "timed out after 1s");
  EXPECT_LT(t.elapsed, 1s + kSlack);
}

TEST(HttpGet, TimeoutBoundsABodyTrickledAfterAPromptHead) {
  ScriptedServer server([](int fd, const std::atomic<bool>& stop) {
    ScriptedServer::ReadRequestHead(fd, stop);
    if (!ScriptedServer::SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n", stop)) return;
    for (int i = 0; i < 100000 && ScriptedServer::SendAll(fd, "x", stop) && ScriptedServer::SleepFor(100ms, stop); ++i) {
    }
  });
  const auto t = TimedGet(server.Url(), {.timeout = 1500ms});
  ExpectFailure(t, StatusCode::kDeadlineExceeded, server.Url(), "timed out after 1.5s");
  EXPECT_LT(t.elapsed, 1500ms + kSlack);
}

TEST(HttpGet, ServerThatNeverAnswersTimesOut) {
  ScriptedServer server([](int fd, const std::atomic<bool>& stop) {
    ScriptedServer::ReadRequestHead(fd, stop);
    ScriptedServer::SleepFor(ScriptedServer::kMaxScriptTime, stop);
  });
  const auto t = TimedGet(server.Url(), {.timeout = 500ms});
  ExpectFailure(t, StatusCode::kDeadlineExceeded, server.Url(), "timed out after 500ms");
  EXPECT_LT(t.elapsed, 500ms + kSlack);
  EXPECT_EQ(server.connections(), 1);
}

// The stop flag (SIGINT/SIGTERM) ends a fetch the server never answers long before its
// timeout; a fetch whose flag stays down is untouched by it.
TEST(HttpGet, RaisedStopFlagEndsAFetchTheServerNeverAnswers) {
  ScriptedServer server([](int fd, const std::atomic<bool>& stop) {
    ScriptedServer::ReadRequestHead(fd, stop);
    ScriptedServer::SleepFor(ScriptedServer::kMaxScriptTime, stop);
  });
  std::atomic<bool> stop{false};
  std::jthread raiser([&] {
    while (server.connections() == 0) std::this_thread::sleep_for(10ms);
    std::this_thread::sleep_for(200ms);
    stop = true;
  });
  const auto t = TimedGet(server.Url(), {.timeout = 60s, .stop = &stop});
  ExpectFailure(t, StatusCode::kCancelled, server.Url(), "interrupted");
  EXPECT_LT(t.elapsed, 200ms + kSlack) << "the 60 s timeout was waited out";

  ScriptedServer answers(Answer(Ok("fine")));
  const std::atomic<bool> down{false};
  const auto ok = HttpGet(answers.Url(), {.timeout = 5s, .stop = &down});
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->body, "fine");
}

// Sends `head`, then body bytes in 64 KiB writes until `total` bytes (or without end).
ScriptedServer::Script Flood(std::string head, std::uint64_t total, bool chunked) {
  return [=](int fd, const std::atomic<bool>& stop) {
    ScriptedServer::ReadRequestHead(fd, stop);
    if (!ScriptedServer::SendAll(fd, head, stop)) return;
    const std::string block(64 << 10, 'x');
    const std::string chunk = fmt::format("{:x}\r\n{}\r\n", block.size(), block);
    for (std::uint64_t sent = 0; sent < total; sent += block.size()) {
      if (!ScriptedServer::SendAll(fd, chunked ? chunk : block, stop)) return;
    }
    if (chunked) ScriptedServer::SendAll(fd, "0\r\n\r\n", stop);
  };
}

constexpr std::uint64_t kEndless = ~std::uint64_t{0};
constexpr std::uint64_t kGiB = std::uint64_t{1} << 30;

TEST(HttpGet, EndlessBodyStopsAtTheCap) {
  ScriptedServer server(Flood("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", kEndless, false));
  const auto t = TimedGet(server.Url("/metrics"), {.timeout = 30s});
  ExpectFailure(t, StatusCode::kResourceExhausted, server.Url("/metrics"), "body larger than 8 MiB cap");
  EXPECT_LT(t.elapsed, 30s);
}

TEST(HttpGet, HugeContentLengthIsRefusedFromTheHead) {
  ScriptedServer server(Flood("HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\n", kEndless, false));
  const auto t = TimedGet(server.Url(), {.timeout = 30s, .max_body_bytes = 1 << 20});
  ExpectFailure(t, StatusCode::kResourceExhausted, server.Url(),
                "body larger than 1 MiB cap (Content-Length 1000000000000)");
  EXPECT_LT(t.elapsed, 30s);
}

long MaxRssKiB() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

TEST(HttpGet, GigabyteChunkedBodyStopsAtTheCapWithoutBufferingIt) {
  ScriptedServer server(Flood("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", kGiB, true));
  const long rss_before = MaxRssKiB();
  const auto t = TimedGet(server.Url("/debug/pprof/goroutine?debug=2"), {.timeout = 60s});
  ExpectFailure(t, StatusCode::kResourceExhausted, server.Url("/debug/pprof/goroutine?debug=2"),
                "body larger than 8 MiB cap");
  EXPECT_LT(t.elapsed, 60s);
  EXPECT_LT(MaxRssKiB() - rss_before, 64 << 10) << "peak RSS grew by more than 64 MiB";
}

TEST(HttpGet, CapIsPerCallAndInclusive) {
  ScriptedServer exact(Answer(Ok(std::string(1000, 'a'))));
  auto r = HttpGet(exact.Url(), {.timeout = 5s, .max_body_bytes = 1000});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->body.size(), 1000u);
  const auto t = TimedGet(exact.Url(), {.timeout = 5s, .max_body_bytes = 999});
  ExpectFailure(t, StatusCode::kResourceExhausted, exact.Url(), "body larger than 999 bytes cap");

  ScriptedServer chunked(Flood("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 10 << 20, true));
  r = HttpGet(chunked.Url(), {.timeout = 30s, .max_body_bytes = kDumpBodyCap});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->body.size(), std::size_t{10} << 20);
}

TEST(HttpGet, OversizedHeadIsRefused) {
  ScriptedServer server(Answer("HTTP/1.1 200 OK\r\nX-Big: " + std::string(100 << 10, 'h') + "\r\n\r\n"));
  const auto t = TimedGet(server.Url(), {.timeout = 5s});
  ExpectFailure(t, StatusCode::kResourceExhausted, server.Url(), "response head larger than 64 KiB");
}

TEST(HttpGet, RefusedConnectionNamesTheEndpoint) {
  const int port = runner::AllocateLoopbackPort();  // free: nothing listens there
  const std::string url = fmt::format("http://127.0.0.1:{}/", port);
  const auto t = TimedGet(url, {.timeout = 5s});
  ExpectFailure(t, StatusCode::kUnavailable, url, fmt::format("cannot connect to 127.0.0.1:{}", port));
}

TEST(HttpGet, NonLoopbackHostIsRefusedUnlessAllowed) {
  const std::string url = "http://10.77.0.1:9/metrics";
  auto t = TimedGet(url, {.timeout = 5s, .key = "probe.metrics"});
  ExpectFailure(t, StatusCode::kPermissionDenied, url, "probe.metrics: host \"10.77.0.1\" is not loopback");
  t = TimedGet("http://some-name.test:9/", {.timeout = 5s});
  ExpectFailure(t, StatusCode::kPermissionDenied, "http://some-name.test:9/", "(not resolved)");
}

TEST(HttpGet, MalformedAndUnsupportedUrlsAreInvalidArguments) {
  auto t = TimedGet("127.0.0.1:8080/x", {.timeout = 5s});
  ExpectFailure(t, StatusCode::kInvalidArgument, "127.0.0.1:8080/x", "no scheme (expected http://host:port/...)");
  t = TimedGet("ftp://127.0.0.1:8443/", {.timeout = 5s});
  ExpectFailure(t, StatusCode::kInvalidArgument, "ftp://127.0.0.1:8443/", "unsupported scheme \"ftp\"");
}

}  // namespace http_fetch_test
}  // namespace leakgate::probes
