// ResolveName: one getaddrinfo() lookup of a host name, bounded by a deadline.
//
// Contract: returns the name's addresses (IPv4 and IPv6, in the resolver's order, without
// duplicates, IPv4-mapped IPv6 given as IPv4) or kUnavailable naming the host and the
// resolver's reason, or kDeadlineExceeded when the deadline passes first. The call returns by
// the deadline (plus scheduling slack) whatever the DNS servers do.
//
// Why not Asio's async_resolve raced against a timer: Asio runs getaddrinfo() on a private
// thread that cannot be interrupted, the cancelled operation still counts as outstanding
// work, and destroying the io_context joins that thread, so a DNS server that never
// answers holds the caller for glibc's whole retry budget (5 s × attempts × servers). Here
// the lookup runs on a detached thread that owns its inputs and its result slot (shared
// with the caller); on timeout the caller leaves and the thread finishes on its own.
//
// Policy is not checked here: callers resolve only names harness/net/address_policy.h has
// allowed (CheckAndResolve does).
//
// Thread-safety: callable from any thread; each call is independent.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <string_view>
#include <vector>

#include "harness/base/status.h"

namespace leakgate::net {

StatusOr<std::vector<boost::asio::ip::address>> ResolveName(std::string_view name,
                                                             std::chrono::steady_clock::time_point deadline);

}  // namespace leakgate::net
