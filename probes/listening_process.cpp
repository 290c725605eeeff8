#include "probes/listening_process.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace leakgate::probes {

namespace {

constexpr unsigned kTcpListen = 0x0A;  // include/net/tcp_states.h TCP_LISTEN
constexpr size_t kMaxTableBytes = 64 << 20;

std::string ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text;
  char buf[1 << 16];
  while (in && text.size() < kMaxTableBytes) {
    in.read(buf, sizeof buf);
    text.append(buf, static_cast<size_t>(in.gcount()));
  }
  return text;
}

// The numeric entries of a /proc directory ("/proc" → pids, "/proc/N/fd" → fds).
std::vector<std::string> NumericEntries(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (const dirent* e = readdir(d)) {
    const std::string_view name = e->d_name;
    if (!name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      out.emplace_back(name);
    }
  }
  closedir(d);
  return out;
}

}  // namespace

// Lines look like (header first; tcp6 has 32 hex digits of address):
//   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
//    0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 ...
std::vector<uint64_t> ParseListeningInodes(std::string_view proc_net_tcp, uint16_t port) {
  std::vector<uint64_t> inodes;
  std::istringstream lines{std::string(proc_net_tcp)};
  for (std::string line; std::getline(lines, line);) {
    unsigned local_port = 0, state = 0;
    uint64_t inode = 0;
    const int n = std::sscanf(line.c_str(), " %*u: %*[0-9A-Fa-f]:%x %*s %x %*s %*s %*s %*s %*s %" SCNu64, &local_port,
                              &state, &inode);
    if (n == 3 && state == kTcpListen && local_port == port && inode != 0) inodes.push_back(inode);
  }
  return inodes;
}

std::optional<pid_t> FindProcessListeningOn(uint16_t port) {
  std::vector<std::string> wanted;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    for (const uint64_t inode : ParseListeningInodes(ReadSmallFile(table), port)) {
      wanted.push_back("socket:[" + std::to_string(inode) + "]");
    }
  }
  if (wanted.empty()) return std::nullopt;
  for (const auto& pid : NumericEntries("/proc")) {
    const std::string fd_dir = "/proc/" + pid + "/fd";
    for (const auto& fd : NumericEntries(fd_dir)) {
      char target[64];
      const ssize_t len = readlink((fd_dir + "/" + fd).c_str(), target, sizeof target - 1);
      if (len <= 0) continue;
      const std::string_view link(target, static_cast<size_t>(len));
      if (std::find(wanted.begin(), wanted.end(), link) != wanted.end()) return static_cast<pid_t>(std::stol(pid));
    }
  }
  return std::nullopt;
}

}  // namespace leakgate::probes
