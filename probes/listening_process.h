// Which local process listens on a TCP port: for `leakgate probe URL` on a loopback URL,
// so that fds and sockets can be read from /proc/<pid> without asking for a --pid.
//
//   /proc/net/tcp and tcp6  →  the inodes of the sockets in LISTEN state on the port
//   /proc/<pid>/fd/*        →  the process holding "socket:[inode]"
//
// Only processes whose fd directory leakgate may read are found (its own user's, or all
// as root); /proc/net/* shows leakgate's own network namespace. Never throws; bounded by
// the number of processes and fds on the machine.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace leakgate::probes {

// The inodes of the LISTEN sockets on local port `port` in the text of /proc/net/tcp or
// /proc/net/tcp6 (header and malformed lines skipped). Exposed for tests.
std::vector<uint64_t> ParseListeningInodes(std::string_view proc_net_tcp, uint16_t port);

// The process that listens on TCP `port` (IPv4 or IPv6), if leakgate can see it.
std::optional<pid_t> FindProcessListeningOn(uint16_t port);

}  // namespace leakgate::probes
