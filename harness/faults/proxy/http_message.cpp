#include "harness/faults/proxy/http_message.h"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>
#include <fmt/format.h>

namespace leakgate::faults::proxy {

std::string RenderResponse(int status, const std::vector<std::pair<std::string, std::string>>& headers,
                           std::string_view body, bool keep_alive, bool head_request) {
  namespace bhttp = boost::beast::http;
  const auto reason = bhttp::obsolete_reason(bhttp::int_to_status(static_cast<unsigned>(status)));
  std::string out = fmt::format("HTTP/1.1 {} {}\r\n", status, std::string_view(reason.data(), reason.size()));
  for (const auto& [name, value] : headers) {
    if (boost::beast::iequals(name, "content-length") || boost::beast::iequals(name, "connection")) continue;
    out += fmt::format("{}: {}\r\n", name, value);
  }
  out += fmt::format("Content-Length: {}\r\n", body.size());
  if (!keep_alive) out += "Connection: close\r\n";
  out += "\r\n";
  if (!head_request) out += body;
  return out;
}

}  // namespace leakgate::faults::proxy
