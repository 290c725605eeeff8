#include "network_namespace.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "leakgate_process.h"

namespace leakgate::testing {

namespace {

std::string ResolvConfDir(const std::string& name) { return "/etc/netns/" + name; }

// Runs `argv`; "" when it exits 0, else the command and its stderr.
std::string Run(const std::vector<std::string>& argv) {
  const auto r = RunCommand(argv, std::chrono::seconds(20));
  if (r.exit_code == 0) return "";
  std::string command;
  for (const auto& a : argv) command += (command.empty() ? "" : " ") + a;
  return "`" + command + "` exited " + std::to_string(r.exit_code) + ": " + r.err;
}

}  // namespace

// Unique among live objects of this process: two cannot share an address.
NetworkNamespace::NetworkNamespace()
    : name_("leakgate-t" + std::to_string(::getpid()) + "-" +
            std::to_string(reinterpret_cast<std::uintptr_t>(this) & 0xffffff)) {}

NetworkNamespace::~NetworkNamespace() {
  if (created_) RunCommand({"ip", "netns", "delete", name_}, std::chrono::seconds(20));
  std::error_code ignored;
  std::filesystem::remove_all(ResolvConfDir(name_), ignored);
}

std::string NetworkNamespace::Create() {
  if (auto e = Run({"ip", "netns", "add", name_}); !e.empty()) return e;
  created_ = true;
  const std::string address = std::string(kAddress) + "/24";
  for (const auto& step : std::vector<std::vector<std::string>>{
           {"ip", "-n", name_, "link", "set", "lo", "up"},
           {"ip", "-n", name_, "link", "add", "lgv0", "type", "veth", "peer", "name", "lgv1"},
           {"ip", "-n", name_, "addr", "add", address, "dev", "lgv0"},
           {"ip", "-n", name_, "link", "set", "lgv0", "up"},
           {"ip", "-n", name_, "link", "set", "lgv1", "up"}}) {
    if (auto e = Run(step); !e.empty()) return e;
  }
  std::error_code ec;
  std::filesystem::create_directories(ResolvConfDir(name_), ec);
  if (ec) return "cannot create " + ResolvConfDir(name_) + ": " + ec.message();
  std::ofstream(ResolvConfDir(name_) + "/resolv.conf") << "nameserver 127.0.0.1\n";
  // Prove the bind mount works: inside, /etc/resolv.conf must be ours.
  const auto r = RunCommand({"ip", "netns", "exec", name_, "cat", "/etc/resolv.conf"}, std::chrono::seconds(20));
  if (r.exit_code != 0 || r.out != "nameserver 127.0.0.1\n") {
    return "resolv.conf inside the namespace is not ours: \"" + r.out + "\" " + r.err;
  }
  return "";
}

std::string NetworkNamespace::RunInside(const std::function<void()>& fn) const {
  std::string error;
  std::thread([&] {
    const int fd = ::open(("/run/netns/" + name_).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      error = "open /run/netns/" + name_ + ": " + std::strerror(errno);
      return;
    }
    const int rc = ::setns(fd, CLONE_NEWNET);
    const int saved = errno;
    ::close(fd);
    if (rc != 0) {
      error = "setns " + name_ + ": " + std::strerror(saved);
      return;
    }
    fn();
  }).join();
  return error;
}

}  // namespace leakgate::testing
