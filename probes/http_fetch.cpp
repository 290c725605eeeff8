#include "probes/http_fetch.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <fmt/format.h>

namespace leakgate::probes {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::uint64_t kBodyLimit = 1ull << 30;  // a 1M-goroutine debug=2 dump is a few hundred MB

asio::awaitable<void> Get(std::string host, std::string port, std::string target, std::string host_header,
                          std::chrono::steady_clock::time_point deadline, FetchResult& out) {
  auto ex = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(ex);
  auto [rec, endpoints] = co_await resolver.async_resolve(host, port, kUseTuple);
  if (rec) {
    out.error = fmt::format("cannot resolve {}: {}", host, rec.message());
    co_return;
  }
  beast::tcp_stream stream(ex);
  stream.expires_at(deadline);
  auto [cec, ep] = co_await stream.async_connect(endpoints, kUseTuple);
  if (cec) {
    out.error = fmt::format("connect: {}", cec.message());
    co_return;
  }
  bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
  req.set(bhttp::field::host, host_header);
  req.set(bhttp::field::user_agent, "leakgate-probe");
  req.set(bhttp::field::connection, "close");
  auto [wec, wn] = co_await bhttp::async_write(stream, req, kUseTuple);
  if (wec) {
    out.error = fmt::format("write: {}", wec.message());
    co_return;
  }
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kBodyLimit);
  auto [rdec, rn] = co_await bhttp::async_read(stream, buffer, parser, kUseTuple);
  if (rdec) {
    out.error = fmt::format("read: {}", rdec == beast::error::timeout ? "timed out" : rdec.message());
    co_return;
  }
  out.ok = true;
  out.status = parser.get().result_int();
  out.body = std::move(parser.get().body());
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
}

}  // namespace

FetchResult HttpGet(const std::string& url, std::chrono::nanoseconds timeout) {
  FetchResult result;
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || parsed->scheme() != "http") {
    result.error = fmt::format("GET {}: not an http:// URL", url);
    return result;
  }
  std::string host = parsed->host_address();
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  const std::string port = parsed->has_port() ? std::string(parsed->port()) : "80";
  std::string target(parsed->encoded_target());
  if (target.empty() || target.front() != '/') target.insert(0, "/");

  asio::io_context ioc(1);
  asio::co_spawn(ioc, Get(host, port, target, std::string(parsed->encoded_authority()),
                          std::chrono::steady_clock::now() + timeout, result),
                 asio::detached);
  ioc.run();
  if (!result.ok) result.error = fmt::format("GET {}: {}", url, result.error);
  return result;
}

std::string JoinUrl(const std::string& base_url, const std::string& path) {
  if (path.starts_with("http://") || path.starts_with("https://")) return path;
  std::string base = base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (path.empty()) return base;
  return path.front() == '/' ? base + path : base + "/" + path;
}

}  // namespace leakgate::probes
