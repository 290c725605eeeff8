// HttpGet: a bounded HTTP/1.1 GET for scraping the target's debug endpoints (pprof, expvar,
// /metrics, readiness).
//
// Contract:
//   - The URL is parsed by net::ParseHttpUrl and is http:// or https:// (TLS with
//     FetchOptions::tls, default: verify against the system store; a failed handshake is
//     kUnavailable "GET <url>: TLS handshake: certificate verify failed: ..."); its host must pass the
//     address policy (net::CheckAndResolve: loopback, or a host on `allow`) before anything is
//     sent or resolved. Only the endpoints that check returned are connected to.
//   - `timeout` bounds the WHOLE exchange — lookup, connect, TLS handshake, write, reading the head and the
//     body — not each read: a server trickling one byte at a time fails the fetch at the
//     deadline with kDeadlineExceeded, "GET <url>: timed out after 3s".
//   - At most `max_body_bytes` of body are read and buffered; a larger body (by
//     Content-Length, chunked or until close) fails with kResourceExhausted, "GET <url>: body
//     larger than 8 MiB cap", as soon as the cap is crossed. Response heads are capped at
//     kMaxHeadBytes.
//   - `stop` (when set) ends the exchange within kStopPoll of being raised, at any step
//     after the lookup, with kCancelled "GET <url>: interrupted": SIGINT/SIGTERM is not kept
//     waiting by a probe endpoint that never answers.
//   - A complete response of any status is a value (callers decide what a 404 means);
//     HttpGetOk turns every status but 200 into kUnavailable "GET <url>: HTTP 404".
//   - Never throws for network or input errors; every message names the URL.
//
// Caps (bytes of body):
//   kDumpBodyCap  512 MiB  goroutine dumps (debug=2 of ~1M goroutines is a few hundred MB)
//                          and pprof profiles (heap?debug=1, goroutineleak, binary profiles)
//   kSmallBodyCap   8 MiB  everything else: expvar, /metrics, readiness; the default
//
// Thread-safety: each call uses its own connection ("Connection: close") and its own
// io_context, so calls may run concurrently from any threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "harness/base/status.h"
#include "harness/net/address_policy.h"
#include "harness/net/tls_settings.h"

namespace leakgate::probes {

inline constexpr std::uint64_t kDumpBodyCap = std::uint64_t{512} << 20;
inline constexpr std::uint64_t kSmallBodyCap = std::uint64_t{8} << 20;
inline constexpr std::uint32_t kMaxHeadBytes = 64 << 10;

struct FetchOptions {
  std::chrono::nanoseconds timeout{std::chrono::seconds(5)};  // the whole exchange
  std::uint64_t max_body_bytes = kSmallBodyCap;
  net::AllowList allow{};              // hosts allowed besides loopback
  std::string_view key = "probe URL";  // the setting that holds the URL, for policy refusals
  std::optional<net::TlsSettings> tls{};  // https:// URLs: how to speak TLS (default: verify, system store)
  const std::atomic<bool>* stop = nullptr;  // raised: give up now (see the contract)
};

inline constexpr std::chrono::milliseconds kStopPoll{50};

struct HttpResponse {
  unsigned status = 0;
  std::string body;
};

StatusOr<HttpResponse> HttpGet(std::string_view url, const FetchOptions& options);

// The same contract for a POST of `body` (Content-Type: application/json): the
// coordinator's control requests (harness/runner/shard_board.h).
StatusOr<HttpResponse> HttpPost(std::string_view url, std::string body, const FetchOptions& options);

// The body of a 200 answer; any other status is kUnavailable "GET <url>: HTTP <status>".
StatusOr<std::string> HttpGetOk(std::string_view url, const FetchOptions& options);

// Joins a probe path with the target's base URL: an absolute URL ("http://…") is kept,
// anything else is appended to `base_url` ("http://127.0.0.1:8080" + "/debug/pprof").
std::string JoinUrl(const std::string& base_url, const std::string& path);

}  // namespace leakgate::probes
