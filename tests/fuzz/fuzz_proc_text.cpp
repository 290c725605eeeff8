// libFuzzer target for the /proc text parsers (probes/proc_reader.h): /proc/<pid>/status
// and /proc/<pid>/net/tcp{,6}. The first input byte picks the parser.
//
// Beyond "no crash, no sanitizer report", it traps when an invariant breaks:
//   * ParseProcNetTcp never keeps inode 0 and only names states from its table;
//   * ParseProcStatus returns a value only when both VmRSS and Threads were read, and the
//     RSS is a whole number of KiB.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "probes/proc_reader.h"

namespace {

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

const std::set<std::string> kStates = {"established", "syn_sent", "syn_recv", "fin_wait1", "fin_wait2", "time_wait",
                                       "close",       "close_wait", "last_ack", "listen",    "closing",   "unknown"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    for (const auto& [inode, state] : leakgate::probes::ParseProcNetTcp(text)) {
      Check(inode != 0);
      Check(kStates.count(state) == 1);
    }
  } else if (const auto status = leakgate::probes::ParseProcStatus(text)) {
    Check(status->rss_bytes % 1024 == 0);
    Check(text.find("VmRSS:") != std::string_view::npos && text.find("Threads:") != std::string_view::npos);
  }
  return 0;
}
