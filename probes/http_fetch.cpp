#include "probes/http_fetch.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <fmt/format.h>

#include <optional>

#include "harness/base/asio_tokens.h"
#include "harness/net/http_url.h"
#include "harness/net/tls_context.h"

namespace leakgate::probes {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using Clock = std::chrono::steady_clock;

namespace {

// Bytes read but not yet parsed: a head, or one read's worth of body (the body itself
// moves into the response as it is parsed).
constexpr std::size_t kReadBufferBytes = std::size_t{kMaxHeadBytes} + (64 << 10);

// "8 MiB", "64 KiB", "1000 bytes".
std::string FormatBytes(std::uint64_t n) {
  if (n >= (1 << 20) && n % (1 << 20) == 0) return fmt::format("{} MiB", n >> 20);
  if (n >= (1 << 10) && n % (1 << 10) == 0) return fmt::format("{} KiB", n >> 10);
  return fmt::format("{} bytes", n);
}

// "3s", "250ms", "1.5s".
std::string FormatDuration(std::chrono::nanoseconds d) {
  if (d % std::chrono::seconds(1) == std::chrono::nanoseconds::zero()) {
    return fmt::format("{}s", std::chrono::duration_cast<std::chrono::seconds>(d).count());
  }
  if (d < std::chrono::seconds(1)) return fmt::format("{:g}ms", std::chrono::duration<double, std::milli>(d).count());
  return fmt::format("{:g}s", std::chrono::duration<double>(d).count());
}

std::string FormatEndpoints(const std::vector<asio::ip::tcp::endpoint>& endpoints) {
  std::string out;
  for (const auto& ep : endpoints) {
    if (!out.empty()) out += ", ";
    out += ep.address().is_v6() ? fmt::format("[{}]:{}", ep.address().to_string(), ep.port())
                                : fmt::format("{}:{}", ep.address().to_string(), ep.port());
  }
  return out;
}

// The request and its response on a connected (and, for https, handshaken) stream whose
// lowest layer's timer runs to the exchange's deadline. Fills `out` or says why not.
template <class Stream>
asio::awaitable<Status> Talk(Stream& stream, const net::HttpUrl& url, const FetchOptions& options,
                             const std::optional<std::string>& post_body, HttpResponse& out) {
  const auto timed_out = [&] {
    return Status::DeadlineExceeded(fmt::format("timed out after {}", FormatDuration(options.timeout)));
  };
  bhttp::request<bhttp::string_body> req{post_body ? bhttp::verb::post : bhttp::verb::get, url.target, 11};
  req.set(bhttp::field::host, url.authority);
  req.set(bhttp::field::user_agent, "leakgate-probe");
  req.set(bhttp::field::connection, "close");
  if (post_body) {
    req.set(bhttp::field::content_type, "application/json");
    req.body() = *post_body;
    req.prepare_payload();
  }
  auto [wec, wn] = co_await bhttp::async_write(stream, req, kUseTuple);
  if (wec == beast::error::timeout) co_return timed_out();
  if (wec) co_return Status::Unavailable(fmt::format("write: {}", wec.message()));

  beast::flat_buffer buffer(kReadBufferBytes);
  bhttp::response_parser<bhttp::string_body> parser;
  parser.header_limit(kMaxHeadBytes);
  parser.body_limit(options.max_body_bytes);
  auto [rec, rn] = co_await bhttp::async_read(stream, buffer, parser, kUseTuple);
  if (rec == beast::error::timeout) co_return timed_out();
  if (rec == bhttp::error::body_limit) {
    const auto length = parser.is_header_done() ? parser.content_length() : boost::none;
    co_return Status::ResourceExhausted(fmt::format(
        "body larger than {} cap{}", FormatBytes(options.max_body_bytes),
        length && *length > options.max_body_bytes ? fmt::format(" (Content-Length {})", *length) : ""));
  }
  if (rec == bhttp::error::header_limit || rec == bhttp::error::buffer_overflow) {
    co_return Status::ResourceExhausted(fmt::format("response head larger than {}", FormatBytes(kMaxHeadBytes)));
  }
  if (rec) co_return Status::Unavailable(fmt::format("read: {}", rec.message()));
  out.status = parser.get().result_int();
  out.body = std::move(parser.get().body());
  beast::error_code ignored;
  beast::get_lowest_layer(stream).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  co_return Status::Ok();
}

// The exchange itself, every step bounded by `deadline` (tcp_stream's timer is absolute
// and covers connect, the TLS handshake, write and every read). `tls`: the https://
// context, null for http://. Fills `out` and returns OK, or says why not.
asio::awaitable<Status> Exchange(const net::HttpUrl& url, const net::ResolvedAddress& where, Clock::time_point deadline,
                                 const FetchOptions& options, const std::optional<std::string>& post_body,
                                 asio::ssl::context* tls, HttpResponse& out) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  stream.expires_at(deadline);
  auto [cec, ep] = co_await stream.async_connect(where.endpoints, kUseTuple);
  if (cec == beast::error::timeout) {
    co_return Status::DeadlineExceeded(fmt::format("timed out after {}", FormatDuration(options.timeout)));
  }
  if (cec) {
    co_return Status::Unavailable(
        fmt::format("cannot connect to {}: {}", FormatEndpoints(where.endpoints), cec.message()));
  }
  if (tls == nullptr) co_return co_await Talk(stream, url, options, post_body, out);

  beast::ssl_stream<beast::tcp_stream> secure(std::move(stream), *tls);
  if (auto s = net::PrepareClientSsl(secure.native_handle(), *options.tls, url.host); !s.ok()) co_return s;
  auto [hec] = co_await secure.async_handshake(asio::ssl::stream_base::client, kUseTuple);
  if (hec == beast::error::timeout) {
    co_return Status::DeadlineExceeded(
        fmt::format("timed out after {} (in the TLS handshake)", FormatDuration(options.timeout)));
  }
  if (hec) co_return Status::Unavailable(net::DescribeTlsError(secure.native_handle(), hec));
  co_return co_await Talk(secure, url, options, post_body, out);
}

// GET, or POST of `post_body`.
StatusOr<HttpResponse> Fetch(std::string_view url, const std::optional<std::string>& post_body,
                             const FetchOptions& options) {
  const auto deadline = Clock::now() + options.timeout;
  const auto fail = [&](const Status& s) {
    return s.WithContext(fmt::format("{} {}: ", post_body ? "POST" : "GET", url));
  };
  auto parsed = net::ParseHttpUrl(url);
  if (!parsed.ok()) return fail(parsed.status());
  std::shared_ptr<asio::ssl::context> tls;
  FetchOptions with_tls = options;
  if (parsed->scheme == "https") {
    if (!with_tls.tls) with_tls.tls = net::TlsSettings{};
    auto ctx = net::MakeClientTlsContext(*with_tls.tls, options.key);
    if (!ctx.ok()) return fail(ctx.status());
    tls = *std::move(ctx);
  }
  auto where = net::CheckAndResolve(*parsed, options.key, options.allow, deadline);
  if (!where.ok()) return fail(where.status());

  HttpResponse response;
  Status status = Status::Internal("the exchange did not complete");
  bool done = false;
  asio::io_context ioc(1);
  asio::co_spawn(ioc, Exchange(*parsed, *where, deadline, with_tls, post_body, tls.get(), response),
                 [&status, &done](std::exception_ptr e, Status s) {
                   status = e ? Status::Internal("unexpected exception in the exchange") : std::move(s);
                   done = true;
                 });
  if (options.stop == nullptr) {
    ioc.run();
  } else {
    // In slices, to see the flag; a stopped io_context's destructor frees the exchange.
    while (!done && !ioc.stopped()) {
      ioc.run_for(kStopPoll);
      if (!done && options.stop->load()) return fail(Status::Cancelled("interrupted"));
    }
  }
  if (!status.ok()) return fail(status);
  return response;
}

}  // namespace

StatusOr<HttpResponse> HttpGet(std::string_view url, const FetchOptions& options) {
  return Fetch(url, std::nullopt, options);
}

StatusOr<HttpResponse> HttpPost(std::string_view url, std::string body, const FetchOptions& options) {
  return Fetch(url, std::move(body), options);
}

StatusOr<std::string> HttpGetOk(std::string_view url, const FetchOptions& options) {
  auto r = HttpGet(url, options);
  if (!r.ok()) return r.status();
  if (r->status != 200) return Status::Unavailable(fmt::format("GET {}: HTTP {}", url, r->status));
  return std::move(r->body);
}

std::string JoinUrl(const std::string& base_url, const std::string& path) {
  if (path.starts_with("http://") || path.starts_with("https://")) return path;
  std::string base = base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (path.empty()) return base;
  return path.front() == '/' ? base + path : base + "/" + path;
}

}  // namespace leakgate::probes
