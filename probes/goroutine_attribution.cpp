#include "probes/goroutine_attribution.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <iterator>
#include <unordered_map>

#include "probes/text_scan.h"

namespace leakgate::probes {
namespace {

using text::npos;

// A group while it is being counted; the views point into the dump being grouped, the
// label values (Grouping::label_keys, "\x1f"-separated) are owned.
struct GroupKey {
  std::string_view function;
  std::string_view created_by;
  std::string_view state;
  std::string labels;
  friend bool operator==(const GroupKey&, const GroupKey&) = default;
};

struct GroupKeyHash {
  size_t operator()(const GroupKey& k) const {
    const std::hash<std::string_view> h;
    size_t seed = h(k.function);
    seed ^= h(k.created_by) + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
    seed ^= h(k.state) + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
    if (!k.labels.empty()) seed ^= h(k.labels) + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
    return seed;
  }
};

struct Tally {
  GroupKey key;
  int64_t count = 0;
  const Goroutine* representative = nullptr;
  PprofLabels common;  // labels every goroutine counted so far carries
};

bool KeyLess(const GroupKey& a, const GroupKey& b) {
  if (a.function != b.function) return a.function < b.function;
  if (a.created_by != b.created_by) return a.created_by < b.created_by;
  if (a.state != b.state) return a.state < b.state;
  return a.labels < b.labels;
}

// The values of `keys` in `g`'s labels ("" for a key it lacks), "\x1f"-separated.
std::string LabelKeyOf(const Goroutine& g, const std::vector<std::string>& keys) {
  std::string out;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) out += '\x1f';
    for (const auto& [k, v] : g.labels) {
      if (k == keys[i]) {
        out += v;
        break;
      }
    }
  }
  return out;
}

// Keeps the pairs of `common` that `labels` has with the same value.
void Intersect(PprofLabels& common, const PprofLabels& labels) {
  if (common.empty()) return;
  std::erase_if(common, [&](const auto& pair) { return std::find(labels.begin(), labels.end(), pair) == labels.end(); });
}

bool TallyBefore(const Tally& a, const Tally& b) {
  return a.count != b.count ? a.count > b.count : KeyLess(a.key, b.key);
}

GroupKey KeyOf(const Goroutine& g, const Frame* top, const Grouping& grouping) {
  return GroupKey{top != nullptr ? std::string_view(top->function) : std::string_view(),
                  g.created_by ? std::string_view(g.created_by->function) : std::string_view(), g.state,
                  grouping.label_keys.empty() ? std::string() : LabelKeyOf(g, grouping.label_keys)};
}

bool MatchesWithTop(const std::vector<IgnoreRule>& rules, const Goroutine& g, const Frame* top);

// Counts the goroutines of `dump` not matched by `ignore`, in first-seen order.
std::vector<Tally> Count(const GoroutineDump& dump, const std::vector<IgnoreRule>& ignore, const Grouping& grouping) {
  std::vector<Tally> tallies;
  std::unordered_map<GroupKey, size_t, GroupKeyHash> index;
  for (const Goroutine& g : dump.goroutines) {
    const Frame* top = TopUserFrame(g);  // once: the key and the kTopFunction rules need it
    if (!ignore.empty() && MatchesWithTop(ignore, g, top)) continue;
    GroupKey key = KeyOf(g, top, grouping);
    const auto [it, inserted] = index.try_emplace(std::move(key), tallies.size());
    if (inserted) {
      tallies.push_back(Tally{it->first, 0, &g, g.labels});
    } else {
      Intersect(tallies[it->second].common, g.labels);
    }
    Tally& t = tallies[it->second];
    ++t.count;
    const Goroutine& rep = *t.representative;
    if (g.frames.size() > rep.frames.size() || (g.frames.size() == rep.frames.size() && g.id < rep.id)) {
      t.representative = &g;
    }
  }
  return tallies;
}

GoroutineGroup Materialize(const Tally& t, int64_t count) {
  GoroutineGroup group;
  group.function.assign(t.key.function);
  group.created_by.assign(t.key.created_by);
  group.state.assign(t.key.state);
  group.count = count;
  group.labels = t.common;
  group.representative = *t.representative;
  if (const auto& c = group.representative.created_by; c && !c->file.empty()) {
    group.created_by_location = fmt::format("{}:{}", c->file, c->line);
  }
  return group;
}

// IsRuntimeFunction and IsStandardLibrary for a function whose package is `pkg`.
bool IsRuntimePackage(std::string_view pkg, std::string_view function) {
  return pkg == "runtime" || pkg.starts_with("runtime/internal/") || pkg == "internal" ||
         pkg.starts_with("internal/") || pkg == "sync/atomic" || function.starts_with("sync.runtime_");
}

bool IsStandardPackage(std::string_view pkg) {
  if (pkg.empty()) return false;
  const std::string_view first = pkg.substr(0, pkg.find('/'));
  return !first.empty() && first.find('.') == npos && first != "main" && first != "command-line-arguments";
}

// IsRuntimeFunction, else IsStandardLibrary, else user code — in one pass over the name,
// since TopUserFrame asks it of every frame of every goroutine grouped.
enum class Origin { kRuntime, kStandard, kUser };

Origin OriginOf(std::string_view function) {
  if (function.starts_with("runtime.") || function.starts_with("internal/") || function == "panic") {
    return Origin::kRuntime;
  }
  // PackageOf's scan, also noting the first "/" and whether a "." came before it.
  size_t dot = npos;
  size_t first_slash = npos;
  bool dot_before_first_slash = false;
  size_t i = 0;
  for (; i < function.size(); ++i) {
    const char c = function[i];
    if (c == '(' || c == '[') break;
    if (c == '/') {
      if (first_slash == npos) {
        first_slash = i;
        dot_before_first_slash = dot != npos;
      }
      dot = npos;
    } else if (c == '.' && dot == npos) {
      dot = i;
    }
  }
  const std::string_view pkg = function.substr(0, std::min(dot, i));
  if (IsRuntimePackage(pkg, function)) return Origin::kRuntime;
  if (pkg.empty()) return Origin::kUser;
  // The first element of the import path: a dot in it ("github.com/...") is not Go's.
  const std::string_view first = pkg.substr(0, std::min(first_slash, pkg.size()));
  const bool dotted = first_slash != npos ? dot_before_first_slash : false;
  const bool standard = !first.empty() && !dotted && first != "main" && first != "command-line-arguments";
  return standard ? Origin::kStandard : Origin::kUser;
}

bool FunctionMatches(std::string_view pattern, std::string_view function) {
  if (!pattern.empty() && pattern.back() == '*') return function.starts_with(pattern.substr(0, pattern.size() - 1));
  return function == pattern;
}

// `top` is TopUserFrame(g), computed once by the caller.
bool RuleMatches(const IgnoreRule& rule, const Goroutine& g, const Frame* top) {
  switch (rule.kind) {
    case IgnoreRule::kTopFunction: {
      if (g.frames.empty()) return false;
      if (FunctionMatches(rule.function, g.frames.front().function)) return true;
      return top != nullptr && FunctionMatches(rule.function, top->function);
    }
    case IgnoreRule::kAnyFunction:
      return std::any_of(g.frames.begin(), g.frames.end(),
                         [&](const Frame& f) { return FunctionMatches(rule.function, f.function); });
    case IgnoreRule::kCreatedBy:
      return g.created_by && FunctionMatches(rule.function, g.created_by->function);
    case IgnoreRule::kLibraryOnlyWith: {
      bool seen = false;
      for (const Frame& f : g.frames) {
        if (!IsStandardLibrary(f.function)) return false;
        seen |= FunctionMatches(rule.function, f.function);
      }
      return seen;
    }
    case IgnoreRule::kLabel: {
      const std::string_view spec = rule.function;
      const size_t eq = spec.find('=');
      const std::string_view key = spec.substr(0, eq);
      return std::any_of(g.labels.begin(), g.labels.end(), [&](const auto& pair) {
        return pair.first == key && (eq == npos || FunctionMatches(spec.substr(eq + 1), pair.second));
      });
    }
  }
  return false;
}

bool MatchesWithTop(const std::vector<IgnoreRule>& rules, const Goroutine& g, const Frame* top) {
  return std::any_of(rules.begin(), rules.end(), [&](const IgnoreRule& r) { return RuleMatches(r, g, top); });
}

}  // namespace

std::string StripArguments(std::string_view function_line) { return std::string(StripArgumentsView(function_line)); }

std::string_view PackageOf(std::string_view function) {
  // A receiver "(*T)" or type parameters "[...]" end the package part; the package name
  // is the part of the last path element before its first dot (Go escapes dots in the
  // last element of an import path as "%2e" in symbol names). One pass: this runs for
  // every frame of every goroutine grouped.
  size_t dot = npos;  // the first "." after the last "/"
  size_t i = 0;
  for (; i < function.size(); ++i) {
    const char c = function[i];
    if (c == '(' || c == '[') break;
    if (c == '/') {
      dot = npos;
    } else if (c == '.' && dot == npos) {
      dot = i;
    }
  }
  return function.substr(0, std::min(dot, i));
}

bool IsRuntimeFunction(std::string_view function) {
  return function == "panic" || IsRuntimePackage(PackageOf(function), function);
}

bool IsRuntimeFrame(const Frame& frame) { return IsRuntimeFunction(frame.function); }

bool IsStandardLibrary(std::string_view function) { return IsStandardPackage(PackageOf(function)); }

const Frame* TopUserFrame(const Goroutine& g) {
  const Frame* first_non_runtime = nullptr;
  for (const Frame& f : g.frames) {
    const Origin origin = OriginOf(f.function);
    if (origin == Origin::kRuntime) continue;
    if (origin == Origin::kUser) return &f;
    if (first_non_runtime == nullptr) first_non_runtime = &f;
  }
  if (first_non_runtime != nullptr) return first_non_runtime;
  return g.frames.empty() ? nullptr : &g.frames.front();
}

bool Matches(const std::vector<IgnoreRule>& rules, const Goroutine& g) {
  return MatchesWithTop(rules, g, TopUserFrame(g));
}

std::vector<GoroutineGroup> GroupGoroutines(const GoroutineDump& dump, const Grouping& grouping) {
  std::vector<Tally> tallies = Count(dump, {}, grouping);
  std::sort(tallies.begin(), tallies.end(), TallyBefore);
  std::vector<GoroutineGroup> groups;
  groups.reserve(tallies.size());
  for (const Tally& t : tallies) groups.push_back(Materialize(t, t.count));
  return groups;
}

std::vector<GoroutineGroup> DiffGoroutineGroups(const GoroutineDump& baseline, const GoroutineDump& final,
                                                const std::vector<IgnoreRule>& ignore, const Grouping& grouping) {
  std::unordered_map<GroupKey, int64_t, GroupKeyHash> before;
  for (const Tally& t : Count(baseline, ignore, grouping)) before.emplace(t.key, t.count);

  std::vector<Tally> grown;
  for (Tally& t : Count(final, ignore, grouping)) {
    const auto it = before.find(t.key);
    if (it != before.end()) t.count -= it->second;
    if (t.count > 0) grown.push_back(t);
  }
  std::sort(grown.begin(), grown.end(), TallyBefore);
  std::vector<GoroutineGroup> groups;
  groups.reserve(grown.size());
  for (const Tally& t : grown) groups.push_back(Materialize(t, t.count));
  return groups;
}

std::string FormatGroup(const GoroutineGroup& group) {
  std::string out;
  auto it = std::back_inserter(out);
  fmt::format_to(it, "{} goroutine{} [{}]: {}\n", group.count, group.count == 1 ? "" : "s", group.state,
                 group.function.empty() ? std::string_view("<no stack>") : std::string_view(group.function));
  if (!group.created_by.empty()) {
    fmt::format_to(it, "  created by {}", group.created_by);
    if (!group.created_by_location.empty()) fmt::format_to(it, " at {}", group.created_by_location);
    out += '\n';
  }
  if (!group.labels.empty()) {
    out += "  labels: " + FormatLabels(group.labels) + '\n';
  }
  const Goroutine& rep = group.representative;
  if (!rep.frames.empty()) {
    out += "  stack:\n";
    for (const Frame& f : rep.frames) {
      fmt::format_to(it, "    {}\n", f.function);
      if (!f.file.empty()) fmt::format_to(it, "        {}:{}\n", f.file, f.line);
    }
    if (rep.frames_elided) out += "    ...additional frames elided...\n";
  }
  return out;
}

}  // namespace leakgate::probes
