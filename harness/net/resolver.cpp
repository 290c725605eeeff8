#include "harness/net/resolver.h"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <condition_variable>
#include <fmt/format.h>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>

namespace leakgate::net {

namespace ip = boost::asio::ip;

namespace {

// What the lookup thread and the caller share; whoever leaves last frees it.
struct Lookup {
  std::mutex mu;
  std::condition_variable done_cv;
  bool done = false;             // guarded by mu
  int rc = 0;                    // getaddrinfo's result, guarded by mu
  int saved_errno = 0;           // for EAI_SYSTEM, guarded by mu
  std::vector<ip::address> addresses;  // guarded by mu
};

ip::address FromSockaddr(const sockaddr* sa) {
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    return ip::address_v4(ntohl(in->sin_addr.s_addr));
  }
  const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
  ip::address_v6::bytes_type bytes;
  std::copy_n(in6->sin6_addr.s6_addr, bytes.size(), bytes.begin());
  const ip::address_v6 v6(bytes, in6->sin6_scope_id);
  if (v6.is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, v6);
  return v6;
}

void RunLookup(const std::shared_ptr<Lookup>& lookup, const std::string& name) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  const int rc = ::getaddrinfo(name.c_str(), nullptr, &hints, &list);
  const int saved_errno = errno;
  std::vector<ip::address> addresses;
  for (const addrinfo* ai = rc == 0 ? list : nullptr; ai != nullptr; ai = ai->ai_next) {
    if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
    const auto address = FromSockaddr(ai->ai_addr);
    if (std::find(addresses.begin(), addresses.end(), address) == addresses.end()) addresses.push_back(address);
  }
  if (list != nullptr) ::freeaddrinfo(list);
  std::lock_guard lock(lookup->mu);
  lookup->rc = rc;
  lookup->saved_errno = saved_errno;
  lookup->addresses = std::move(addresses);
  lookup->done = true;
  lookup->done_cv.notify_all();
}

}  // namespace

StatusOr<std::vector<ip::address>> ResolveName(std::string_view name, std::chrono::steady_clock::time_point deadline) {
  const auto started = std::chrono::steady_clock::now();
  auto lookup = std::make_shared<Lookup>();
  try {
    std::thread([lookup, host = std::string(name)] { RunLookup(lookup, host); }).detach();
  } catch (const std::system_error& e) {
    return Status::Unavailable(fmt::format("cannot resolve \"{}\": no thread for the lookup: {}", name, e.what()));
  }
  std::unique_lock lock(lookup->mu);
  if (!lookup->done_cv.wait_until(lock, deadline, [&] { return lookup->done; })) {
    const std::chrono::duration<double> waited = std::chrono::steady_clock::now() - started;
    return Status::DeadlineExceeded(fmt::format("resolving \"{}\" timed out after {:.1f}s", name, waited.count()));
  }
  if (lookup->rc != 0) {
    const std::string reason = lookup->rc == EAI_SYSTEM ? std::generic_category().message(lookup->saved_errno)
                                                        : ::gai_strerror(lookup->rc);
    return Status::Unavailable(fmt::format("cannot resolve \"{}\": {}", name, reason));
  }
  if (lookup->addresses.empty()) {
    return Status::Unavailable(fmt::format("cannot resolve \"{}\": no IPv4 or IPv6 address", name));
  }
  return lookup->addresses;
}

}  // namespace leakgate::net
