// libFuzzer target for the URL parser and the address policy (harness/net/).
//
// Beyond "no crash, no sanitizer report", it traps when an invariant breaks:
//   * a refusal is kInvalidArgument quoting the URL; an accepted URL is http or https with a
//     host, a port in 1..65535, no userinfo in the Host header and a target starting '/';
//   * the host's identity decides alone: loopback passes with no allow list, a name or a
//     non-loopback address is refused without one and passes once the allow list names it;
//   * an IPv4 identity is what inet_aton reads from the same text.
#include <arpa/inet.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "harness/net/address_policy.h"
#include "harness/net/http_url.h"

namespace {

using namespace leakgate;
using namespace leakgate::net;

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto url = ParseHttpUrl(text);
  if (!url.ok()) {
    Check(url.status().code() == StatusCode::kInvalidArgument);
    Check(url.status().message().rfind("URL \"", 0) == 0);
    return 0;
  }
  Check(url->scheme == "http" || url->scheme == "https");
  Check(!url->host.empty() && url->port >= 1);
  Check(!url->authority.empty() && url->authority.find('@') == std::string::npos);
  Check(!url->target.empty() && url->target.front() == '/');
  Check(text.size() <= kMaxUrlBytes);

  const auto id = IdentifyHost(url->host);
  const Status unlisted = CheckHost(*url, "k", AllowList());
  if (!id.ok()) {
    Check(id.status().code() == StatusCode::kInvalidArgument);
    Check(unlisted.code() == StatusCode::kInvalidArgument);
    return 0;
  }
  const bool loopback = id->kind == HostIdentity::Kind::kLocalhost ||
                        (id->kind == HostIdentity::Kind::kAddress && IsLoopback(id->address));
  Check(unlisted.ok() == loopback);
  if (!loopback) Check(unlisted.code() == StatusCode::kPermissionDenied);
  const auto listed = AllowList::Parse({url->host_is_ipv6 ? "[" + url->host + "]" : url->host}, "k");
  Check(listed.ok());
  Check(CheckHost(*url, "k", *listed).ok());
  if (id->kind == HostIdentity::Kind::kAddress && !url->host_is_ipv6) {
    std::string v4 = url->host;
    if (!v4.empty() && v4.back() == '.') v4.pop_back();
    in_addr parsed{};
    Check(::inet_aton(v4.c_str(), &parsed) != 0);
    Check(ntohl(parsed.s_addr) == id->address.to_v4().to_uint());
  }
  return 0;
}
