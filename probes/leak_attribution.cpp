#include "probes/leak_attribution.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <unordered_set>

namespace leakgate::probes {

std::vector<std::string> FormatStack(const std::vector<Frame>& frames) {
  std::vector<std::string> out;
  out.reserve(frames.size());
  for (const auto& f : frames) out.push_back(fmt::format("{} {}:{}", f.function, f.file, f.line));
  return out;
}

namespace {

reports::GoroutineLeak ToLeak(const GoroutineGroup& g, reports::LeakEvidence evidence) {
  reports::GoroutineLeak leak;
  leak.count = g.count;
  leak.evidence = evidence;
  leak.function = g.function;
  leak.created_by = g.created_by;
  leak.created_by_location = g.created_by_location;
  leak.state = g.state;
  leak.labels = g.labels;
  leak.stack = FormatStack(g.representative.frames);
  return leak;
}

bool LeakBefore(const reports::GoroutineLeak& a, const reports::GoroutineLeak& b) {
  if (a.count != b.count) return a.count > b.count;
  if (a.function != b.function) return a.function < b.function;
  if (a.created_by != b.created_by) return a.created_by < b.created_by;
  if (a.state != b.state) return a.state < b.state;
  return a.labels < b.labels;
}

}  // namespace

std::vector<reports::GoroutineLeak> GrownGoroutines(const GoroutineDump& baseline, const GoroutineDump& final,
                                                    const std::vector<IgnoreRule>& ignore, const Grouping& grouping) {
  std::vector<reports::GoroutineLeak> out;
  for (const auto& g : DiffGoroutineGroups(baseline, final, ignore, grouping)) {
    out.push_back(ToLeak(g, reports::LeakEvidence::kGrew));
  }
  return out;
}

std::vector<reports::GoroutineLeak> ProvenLeaks(const GoroutineDump& baseline_profile, const GoroutineDump& final_profile,
                                                const std::vector<IgnoreRule>& ignore, const Grouping& grouping) {
  std::unordered_set<uint64_t> known;
  for (const auto& g : baseline_profile.goroutines) {
    if (g.leaked) known.insert(g.id);
  }
  GoroutineDump proven;
  for (const auto& g : final_profile.goroutines) {
    if (g.leaked && !known.contains(g.id) && !Matches(ignore, g)) proven.goroutines.push_back(g);
  }
  std::vector<reports::GoroutineLeak> out;
  for (const auto& g : GroupGoroutines(proven, grouping)) out.push_back(ToLeak(g, reports::LeakEvidence::kProven));
  return out;
}

std::vector<reports::GoroutineLeak> MergeEvidence(std::vector<reports::GoroutineLeak> grown,
                                                  const std::vector<reports::GoroutineLeak>& proven) {
  auto same = [](const reports::GoroutineLeak& a, const reports::GoroutineLeak& b) {
    return a.function == b.function && a.created_by == b.created_by && a.state == b.state && a.labels == b.labels;
  };
  for (const auto& p : proven) {
    const auto it = std::find_if(grown.begin(), grown.end(), [&](const auto& g) { return same(g, p); });
    if (it == grown.end()) {
      grown.push_back(p);
      continue;
    }
    it->evidence = reports::LeakEvidence::kBoth;
    it->count = std::max(it->count, p.count);
  }
  std::sort(grown.begin(), grown.end(), LeakBefore);
  return grown;
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
