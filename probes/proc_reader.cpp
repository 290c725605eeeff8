#include "probes/proc_reader.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <sstream>

namespace leakgate::probes {

std::string NormalizeFdTarget(std::string_view link_target) {
  for (std::string_view kind : {"socket:[", "pipe:["}) {
    if (link_target.starts_with(kind)) return std::string(kind.substr(0, kind.size() - 2));
  }
  return std::string(link_target);
}

int64_t FdSnapshot::Count(std::string_view kind) const {
  if (kind == "file") {
    return std::count_if(targets.begin(), targets.end(), [](const std::string& t) { return t.starts_with('/'); });
  }
  return std::count(targets.begin(), targets.end(), kind);
}

std::map<std::string, int64_t> FdSnapshot::Histogram() const {
  std::map<std::string, int64_t> counts;
  for (const auto& t : targets) ++counts[t];
  return counts;
}

std::optional<FdSnapshot> ReadFds(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return std::nullopt;
  FdSnapshot snapshot;
  char buf[4096];
  while (dirent* entry = readdir(d)) {
    if (entry->d_name[0] == '.') continue;
    const std::string link = dir + "/" + entry->d_name;
    const ssize_t n = readlink(link.c_str(), buf, sizeof buf);
    if (n < 0) continue;  // closed between readdir and readlink
    const std::string_view target(buf, static_cast<size_t>(n));
    if (target.starts_with("socket:[") && target.ends_with(']')) {
      uint64_t inode = 0;
      const auto digits = target.substr(8, target.size() - 9);
      if (std::from_chars(digits.data(), digits.data() + digits.size(), inode).ec == std::errc{}) {
        snapshot.socket_inodes.push_back(inode);
      }
    }
    snapshot.targets.push_back(NormalizeFdTarget(target));
  }
  closedir(d);
  return snapshot;
}

std::vector<FdGrowth> DiffFds(const FdSnapshot& baseline, const FdSnapshot& final) {
  const auto before = baseline.Histogram();
  std::vector<FdGrowth> growth;
  for (const auto& [target, count] : final.Histogram()) {
    const auto it = before.find(target);
    const int64_t delta = count - (it == before.end() ? 0 : it->second);
    if (delta > 0) growth.push_back({target, delta});
  }
  std::sort(growth.begin(), growth.end(), [](const FdGrowth& a, const FdGrowth& b) {
    return a.count != b.count ? a.count > b.count : a.target < b.target;
  });
  return growth;
}

namespace {

std::string_view TcpStateName(unsigned code) {
  switch (code) {
    case 0x01: return "established";
    case 0x02: return "syn_sent";
    case 0x03: return "syn_recv";
    case 0x04: return "fin_wait1";
    case 0x05: return "fin_wait2";
    case 0x06: return "time_wait";
    case 0x07: return "close";
    case 0x08: return "close_wait";
    case 0x09: return "last_ack";
    case 0x0A: return "listen";
    case 0x0B: return "closing";
    default: return "unknown";
  }
}

std::optional<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

// Lines look like (header first):
//   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
//    0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 ...
// Fields (whitespace separated): 0 "sl:", 1 local, 2 remote, 3 state (hex), ..., 9 inode.
std::map<uint64_t, std::string> ParseProcNetTcp(std::string_view text) {
  std::map<uint64_t, std::string> out;
  while (!text.empty()) {
    const auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    std::string_view fields[10];
    size_t n = 0;
    size_t i = 0;
    while (n < 10) {
      i = line.find_first_not_of(" \t", i);
      if (i == std::string_view::npos) break;
      const size_t end = std::min(line.find_first_of(" \t", i), line.size());
      fields[n++] = line.substr(i, end - i);
      i = end;
    }
    if (n < 10 || !fields[0].ends_with(':')) continue;
    unsigned state = 0;
    uint64_t inode = 0;
    if (std::from_chars(fields[3].data(), fields[3].data() + fields[3].size(), state, 16).ec != std::errc{}) continue;
    if (std::from_chars(fields[9].data(), fields[9].data() + fields[9].size(), inode).ec != std::errc{}) continue;
    if (inode == 0) continue;  // TIME_WAIT and orphans belong to no process
    out[inode] = std::string(TcpStateName(state));
  }
  return out;
}

std::optional<std::map<std::string, int64_t>> TcpStates(pid_t pid, const FdSnapshot& fds) {
  std::map<uint64_t, std::string> by_inode;
  bool any = false;
  for (const char* table : {"/net/tcp", "/net/tcp6"}) {
    if (auto text = ReadWholeFile("/proc/" + std::to_string(pid) + table)) {
      any = true;
      by_inode.merge(ParseProcNetTcp(*text));
    }
  }
  if (!any) return std::nullopt;
  std::map<std::string, int64_t> states;
  for (const uint64_t inode : fds.socket_inodes) {
    if (auto it = by_inode.find(inode); it != by_inode.end()) ++states[it->second];
  }
  return states;
}

std::optional<ProcStatus> ParseProcStatus(std::string_view text) {
  ProcStatus status;
  bool have_rss = false, have_threads = false;
  while (!text.empty()) {
    const auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    auto number_after = [&line](std::string_view key, int64_t& out) {
      if (!line.starts_with(key)) return false;
      auto rest = line.substr(key.size());
      const auto first = rest.find_first_not_of(" \t");
      if (first == std::string_view::npos) return false;
      rest = rest.substr(first);
      return std::from_chars(rest.data(), rest.data() + rest.size(), out).ec == std::errc{};
    };
    int64_t v = 0;
    if (number_after("VmRSS:", v) && v >= 0 && v <= INT64_MAX / 1024) {
      status.rss_bytes = v * 1024;  // reported in kB
      have_rss = true;
    } else if (number_after("Threads:", v)) {
      status.threads = v;
      have_threads = true;
    }
  }
  if (!have_rss || !have_threads) return std::nullopt;
  return status;
}

std::optional<ProcStatus> ReadProcStatus(pid_t pid) {
  const auto text = ReadWholeFile("/proc/" + std::to_string(pid) + "/status");
  if (!text) return std::nullopt;
  return ParseProcStatus(*text);
}

}  // namespace leakgate::probes
