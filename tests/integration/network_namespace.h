// NetworkNamespace: a Linux network namespace the test creates (needs root and iproute2),
// so that a test can offer leakgate a non-loopback address and a DNS server without any
// traffic leaving the machine.
//
// Inside: `lo` up, and a veth pair lgv0 (kAddress/24) – lgv1, both up; nothing routes out.
// /etc/netns/NAME/resolv.conf names 127.0.0.1 as the only DNS server (`ip netns exec`
// bind-mounts it over /etc/resolv.conf for the commands it runs). Create() fails with the
// reason when any of it cannot be set up; the destructor deletes the namespace and the
// resolv.conf directory, whatever state Create() reached.
//
// Thread-safety: one owner. RunInside may be called from any thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace leakgate::testing {

class NetworkNamespace {
 public:
  static constexpr const char* kAddress = "10.77.0.1";

  NetworkNamespace();  // picks a name unique to this process; creates nothing
  ~NetworkNamespace();
  NetworkNamespace(const NetworkNamespace&) = delete;
  NetworkNamespace& operator=(const NetworkNamespace&) = delete;

  // Creates the namespace as described above; "" on success, else what failed.
  std::string Create();

  const std::string& name() const { return name_; }
  // {"ip", "netns", "exec", NAME}: put in front of a command to run it inside.
  std::vector<std::string> ExecPrefix() const { return {"ip", "netns", "exec", name_}; }

  // Runs `fn` on a thread that has joined the namespace: sockets it creates live inside
  // and stay there. "" on success, else why the thread could not join.
  std::string RunInside(const std::function<void()>& fn) const;

 private:
  std::string name_;
  bool created_ = false;
};

}  // namespace leakgate::testing
