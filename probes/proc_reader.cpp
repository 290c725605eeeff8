#include "probes/proc_reader.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

namespace leakgate::probes {

std::string NormalizeFdTarget(std::string_view link_target) {
  for (std::string_view kind : {"socket:[", "pipe:["}) {
    if (link_target.starts_with(kind)) return std::string(kind.substr(0, kind.size() - 2));
  }
  return std::string(link_target);
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
    snapshot.targets.push_back(NormalizeFdTarget(std::string_view(buf, static_cast<size_t>(n))));
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
    if (number_after("VmRSS:", v)) {
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
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return ParseProcStatus(text.str());
}

}  // namespace leakgate::probes
