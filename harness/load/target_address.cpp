#include "harness/load/target_address.h"

#include <boost/asio/io_context.hpp>
#include <boost/url/parse.hpp>
#include <fmt/format.h>

#include <stdexcept>

namespace leakgate::load {

namespace asio = boost::asio;

TargetAddress ResolveTarget(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) throw std::invalid_argument(fmt::format("invalid URL \"{}\": {}", url, parsed.error().message()));
  if (parsed->scheme() != "http") {
    throw std::invalid_argument(fmt::format("URL \"{}\": only http:// is supported", url));
  }
  std::string host = parsed->host_address();
  if (host.empty()) throw std::invalid_argument(fmt::format("URL \"{}\" has no host", url));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port = parsed->has_port() ? std::string(parsed->port()) : "80";

  asio::io_context ioc;
  asio::ip::tcp::resolver resolver(ioc);
  boost::system::error_code ec;
  auto results = resolver.resolve(host, port, ec);
  if (ec || results.empty()) {
    throw std::invalid_argument(fmt::format("URL \"{}\": cannot resolve {}:{}: {}", url, host, port, ec.message()));
  }
  TargetAddress target;
  target.endpoint = results.begin()->endpoint();
  target.host_header = std::string(parsed->encoded_authority());
  target.base_path = std::string(parsed->encoded_path());
  while (!target.base_path.empty() && target.base_path.back() == '/') target.base_path.pop_back();
  return target;
}

}  // namespace leakgate::load
