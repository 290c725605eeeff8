// Readers of /proc/<pid> for a target leakgate started itself (Linux only).
//
// All functions return std::nullopt when the process is gone or the file is unreadable;
// they never throw.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leakgate::probes {

// The open file descriptors of a process, each described by its normalized link target:
// "socket", "pipe", "anon_inode:[eventpoll]", or the file path ("/tmp/x (deleted)" kept).
struct FdSnapshot {
  std::vector<std::string> targets;
  std::vector<uint64_t> socket_inodes;  // the N of every "socket:[N]", for TcpStates()
  int64_t total() const { return static_cast<int64_t>(targets.size()); }
  // Fds whose normalized target is `kind` ("socket", "pipe"); "file" counts paths ("/...").
  int64_t Count(std::string_view kind) const;
  // Count per normalized target.
  std::map<std::string, int64_t> Histogram() const;
};
std::optional<FdSnapshot> ReadFds(pid_t pid);

// "socket:[12345]" -> "socket", "pipe:[7]" -> "pipe", anything else unchanged.
std::string NormalizeFdTarget(std::string_view link_target);

// Fd targets whose count grew from `baseline` to `final`, largest growth first.
struct FdGrowth {
  std::string target;
  int64_t count = 0;  // final − baseline
};
std::vector<FdGrowth> DiffFds(const FdSnapshot& baseline, const FdSnapshot& final);

// TCP sockets by state from the text of /proc/<pid>/net/tcp or tcp6: inode -> state name
// in lower case ("established", "close_wait", "listen", ...). Lines that do not parse are
// skipped. Exposed for tests.
std::map<uint64_t, std::string> ParseProcNetTcp(std::string_view text);

// The process's own TCP sockets (its socket fds found in /proc/<pid>/net/tcp and tcp6) by
// state: {"established": 12, "close_wait": 3, "listen": 2}. Sockets of other families
// (unix, udp) are not counted. nullopt when the tables cannot be read.
std::optional<std::map<std::string, int64_t>> TcpStates(pid_t pid, const FdSnapshot& fds);

struct ProcStatus {
  int64_t rss_bytes = 0;  // VmRSS
  int64_t threads = 0;    // Threads
};
std::optional<ProcStatus> ReadProcStatus(pid_t pid);
// Parses the text of /proc/<pid>/status (exposed for tests).
std::optional<ProcStatus> ParseProcStatus(std::string_view text);

}  // namespace leakgate::probes
