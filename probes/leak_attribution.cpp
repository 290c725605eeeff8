#include "probes/leak_attribution.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace leakgate::probes {

std::vector<std::string> FormatStack(const std::vector<Frame>& frames) {
  std::vector<std::string> out;
  out.reserve(frames.size());
  for (const auto& f : frames) out.push_back(fmt::format("{} {}:{}", f.function, f.file, f.line));
  return out;
}

std::vector<reports::GoroutineLeak> GrownGoroutines(const GoroutineDump& baseline, const GoroutineDump& final,
                                                    const std::vector<IgnoreRule>& ignore) {
  std::vector<reports::GoroutineLeak> out;
  for (const auto& g : DiffGoroutineGroups(baseline, final, ignore)) {
    reports::GoroutineLeak leak;
    leak.count = g.count;
    leak.evidence = reports::LeakEvidence::kGrew;
    leak.function = g.function;
    leak.created_by = g.created_by;
    leak.created_by_location = g.created_by_location;
    leak.state = g.state;
    leak.stack = FormatStack(g.representative.frames);
    out.push_back(std::move(leak));
  }
  return out;
}

std::vector<reports::GoroutineLeak> ProvenLeaks(const GroupedGoroutines& baseline, const GroupedGoroutines& final,
                                                const std::vector<IgnoreRule>& ignore) {
  struct Entry {
    int64_t count = 0;
    Goroutine representative;
  };
  auto tally = [&](const GroupedGoroutines& profile) {
    std::map<std::string, Entry> by_function;
    for (const auto& group : profile.groups) {
      Goroutine g;
      g.state = "leaked";
      g.frames = group.frames;
      if (Matches(ignore, g)) continue;
      const Frame* top = TopUserFrame(g);
      auto& e = by_function[top ? top->function : ""];
      e.count += group.count;
      if (e.representative.frames.size() < g.frames.size()) e.representative = std::move(g);
    }
    return by_function;
  };
  const auto before = tally(baseline);
  std::vector<reports::GoroutineLeak> leaks;
  for (auto& [function, e] : tally(final)) {
    const auto it = before.find(function);
    const int64_t grown = e.count - (it == before.end() ? 0 : it->second.count);
    if (grown <= 0) continue;
    reports::GoroutineLeak leak;
    leak.count = grown;
    leak.evidence = reports::LeakEvidence::kProven;
    leak.function = function;
    leak.state = "leaked";
    leak.stack = FormatStack(e.representative.frames);
    leaks.push_back(std::move(leak));
  }
  std::sort(leaks.begin(), leaks.end(), [](const auto& a, const auto& b) {
    return a.count != b.count ? a.count > b.count : a.function < b.function;
  });
  return leaks;
}

std::vector<reports::HeapSite> HeapGrowthSites(const HeapProfile& baseline, const HeapProfile& final, size_t top_n) {
  std::vector<reports::HeapSite> out;
  for (const auto& site : DiffHeapProfiles(baseline, final, top_n)) {
    if (site.bytes_delta <= 0) continue;
    reports::HeapSite h;
    h.function = site.site.function;
    h.location = fmt::format("{}:{}", site.site.file, site.site.line);
    h.bytes = site.bytes_delta;
    h.objects = site.objects_delta;
    h.stack = FormatStack(site.frames);
    out.push_back(std::move(h));
  }
  return out;
}

std::vector<reports::FdLeak> GrownFds(const FdSnapshot& baseline, const FdSnapshot& final) {
  std::vector<reports::FdLeak> out;
  for (const auto& g : DiffFds(baseline, final)) out.push_back({g.count, g.target});
  return out;
}

}  // namespace leakgate::probes
