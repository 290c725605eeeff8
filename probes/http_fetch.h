// Minimal HTTP/1.1 GET for scraping the target's debug endpoints (pprof, expvar, /metrics).
//
// Each call uses its own connection ("Connection: close") and its own io_context, so it is
// safe to call from any thread; it never throws for network errors.
#pragma once

#include <chrono>
#include <string>

namespace leakgate::probes {

struct FetchResult {
  bool ok = false;        // a complete response was read (any status)
  unsigned status = 0;
  std::string body;
  std::string error;      // why !ok, naming the URL
};

// GET `url` (http:// only), everything bounded by `timeout`.
FetchResult HttpGet(const std::string& url, std::chrono::nanoseconds timeout);

// Joins a probe path with the target's base URL: an absolute URL ("http://…") is kept,
// anything else is appended to `base_url` ("http://127.0.0.1:8080" + "/debug/pprof").
std::string JoinUrl(const std::string& base_url, const std::string& path);

}  // namespace leakgate::probes
