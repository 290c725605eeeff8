// The address policy: leakgate talks to loopback only, unless the user names another host.
//
// Rules (../shared/design.md, "the default is safe"):
//   - Loopback passes: 127.0.0.0/8, ::1 and the name `localhost`, in every spelling of them —
//     IPv4 in any notation inet_aton() accepts (2130706433, 0177.0.0.1, 0x7f.1, 127.1),
//     IPv4-mapped IPv6 (::ffff:127.0.0.1), brackets, one trailing dot, any case, percent-
//     encoding (decoded by ParseHttpUrl). `localhost` is never looked up: it stands for
//     127.0.0.1 and ::1, in that order.
//   - Every other host is refused with kPermissionDenied naming the setting that holds it
//     (`target.url`, `probe.metrics`, `--url`, ...) and the host — unless the allow list
//     (`safety.allow_hosts`, `--allow-host`) names it. Entries are names or IP literals,
//     compared by identity: an IP entry matches every spelling of that address, a name entry
//     matches the name case-insensitively and without its trailing dot (not its subdomains).
//   - Names are resolved only when allowed, once, with a deadline. A name that is not on the
//     allow list is refused WITHOUT a DNS query. The addresses an allowed name resolves to
//     are accepted (the user vouched for the name) and are what callers connect to: callers
//     never look the name up again, so a DNS answer cannot change between the check and the
//     connection (DNS rebinding). An IP entry does not allow names that resolve to it.
//   - Hosts that are neither a valid IP nor a valid name (e.g. "1.2.3.999", which some
//     parsers read as a name and some as a number) are kInvalidArgument.
//   - Not loopback, so refused unless allowed: 0.0.0.0 and :: (connecting to them reaches the
//     local host by accident of the kernel, not by intent), ::127.0.0.1 (IPv4-compatible,
//     routed as IPv6), 64:ff9b::7f00:1 (NAT64), "0127.0.0.1" (octal: 87.0.0.1).
//
// Thread-safety: AllowList is immutable after Parse; all functions are safe to call
// concurrently. CheckAndResolve blocks for at most the deadline.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "harness/base/status.h"
#include "harness/net/http_url.h"

namespace leakgate::net {

// One host, whatever its spelling.
struct HostIdentity {
  enum class Kind { kAddress, kLocalhost, kName };
  Kind kind = Kind::kName;
  boost::asio::ip::address address;  // kAddress; IPv4-mapped IPv6 is given as IPv4
  std::string name;                  // kName: lowercase, without the trailing dot
};

// Any spelling of a host (decoded, brackets optional) → its identity, or kInvalidArgument.
StatusOr<HostIdentity> IdentifyHost(std::string_view host);

// 127.0.0.0/8, ::1, and IPv4-mapped 127.0.0.0/8.
bool IsLoopback(const boost::asio::ip::address& address);

// The hosts the user allowed besides loopback. Default-constructed: none (loopback only).
class AllowList {
 public:
  AllowList() = default;

  // Each entry a host name or IP literal (any notation, IPv6 with or without brackets);
  // otherwise kInvalidArgument naming `key` and the entry.
  static StatusOr<AllowList> Parse(const std::vector<std::string>& hosts, std::string_view key);

  bool Allows(const HostIdentity& host) const;
  bool empty() const { return names_.empty() && addresses_.empty(); }

 private:
  std::vector<std::string> names_;                      // as in HostIdentity::name
  std::vector<boost::asio::ip::address> addresses_;     // as in HostIdentity::address
};

// Without any lookup: OK when `url`'s host is loopback or allowed, else kPermissionDenied
// (kInvalidArgument for a host that is no host). For checks at validation time.
Status CheckHost(const HttpUrl& url, std::string_view key, const AllowList& allow);

// Where a checked URL may be connected to.
struct ResolvedAddress {
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;  // never empty; try in order
};

// CheckHost, then the endpoints: IP literals and `localhost` without a lookup, an allowed
// name by one ResolveName() bounded by `deadline` (kUnavailable / kDeadlineExceeded naming
// `key` and the host when it fails).
StatusOr<ResolvedAddress> CheckAndResolve(const HttpUrl& url, std::string_view key, const AllowList& allow,
                                          std::chrono::steady_clock::time_point deadline);

}  // namespace leakgate::net
