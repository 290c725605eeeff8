#include "harness/scenario/assert_section.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "harness/scenario/messages.h"

namespace leakgate::scenario {
namespace {

constexpr double kDefaultGoroutineTolerance = 5;

// `{tolerance: 5}`, `{tolerance: "10%"}`, `{relative: 0.1}`, both; for byte-valued
// resources the absolute tolerance may carry a unit ("4MiB").
Tolerance ReadTolerance(const Reader& r, bool bytes) {
  const auto m = r.Map({"tolerance", "relative"});
  const auto tolerance = m.Get("tolerance");
  const auto relative = m.Get("relative");
  if (!tolerance && !relative) r.Fail("needs tolerance: (e.g. 5 or \"10%\") or relative: (e.g. 0.1)");
  Tolerance t;
  if (tolerance) {
    const std::string text = tolerance->String();
    if (bytes && !text.ends_with('%')) {
      const auto size = ParseByteSize(text);
      if (!size) tolerance->Fail(fmt::format("expected a byte size such as 4MiB or 500KB, or a percentage, got {}", Quoted(text)));
      if (*size < 0) tolerance->Fail(fmt::format("must be >= 0, got {}", text));
      t.absolute = *size;
    } else {
      const auto [value, percent] = tolerance->NumberOrPercent();
      if (value < 0) tolerance->Fail(fmt::format("must be >= 0, got {}", value));
      if (percent) {
        t.relative = value / 100;
      } else {
        t.absolute = value;
      }
    }
  }
  if (relative) {
    if (t.relative) relative->Fail("relative tolerance given twice (tolerance: is already a percentage)");
    const auto [value, percent] = relative->NumberOrPercent();
    if (value < 0) relative->Fail(fmt::format("must be >= 0, got {}", value));
    t.relative = percent ? value / 100 : value;
  }
  return t;
}

// assert.ignore: a list of {top: F}, {any: F} or {created_by: F} (one key each).
std::vector<IgnoreRule> ReadIgnoreRules(const Reader& r) {
  std::vector<IgnoreRule> rules;
  for (const Reader& item : r.Items()) {
    const auto entries = item.Map({"top", "any", "created_by"});
    IgnoreRule rule;
    int keys = 0;
    if (const auto v = entries.Get("top")) {
      rule.kind = IgnoreRule::Kind::kTopFunction;
      rule.function = NonEmptyString(*v);
      ++keys;
    }
    if (const auto v = entries.Get("any")) {
      rule.kind = IgnoreRule::Kind::kAnyFunction;
      rule.function = NonEmptyString(*v);
      ++keys;
    }
    if (const auto v = entries.Get("created_by")) {
      rule.kind = IgnoreRule::Kind::kCreatedBy;
      rule.function = NonEmptyString(*v);
      ++keys;
    }
    if (keys != 1) item.Fail("an ignore rule has exactly one of top:, any:, created_by: (a function, or a prefix ending in '*')");
    rule.mark = item.source_mark();
    rules.push_back(std::move(rule));
  }
  return rules;
}

bool NeedsStartedProcess(std::string_view resource) {
  return resource == "fds" || resource == "sockets" || resource == "threads" || resource == "rss_bytes";
}

// Errors at `v` when `resource` cannot be measured with this target and probe.
void CheckMeasurable(const Reader& v, const std::string& resource, const Target& target, const Probe& probe) {
  if (NeedsStartedProcess(resource) && target.command.empty() && probe.metrics.empty()) {
    v.Fail(fmt::format("needs target.command (read from /proc/<pid> of the process leakgate starts) "
                       "or probe.metrics (process_* metrics of a running target)"));
  }
  if (resource == "sockets" && target.command.empty()) {
    v.Fail("needs target.command: sockets are counted in /proc/<pid>/fd of the process leakgate starts");
  }
  if (resource.starts_with("heap_") && !probe.heap_profile && probe.expvar.empty() && probe.metrics.empty()) {
    v.Fail("needs a heap source: probe.heap_profile (default true), probe.expvar or probe.metrics");
  }
}

}  // namespace

std::optional<double> ParseByteSize(std::string_view text) {
  static constexpr std::pair<std::string_view, double> kUnits[] = {
      {"KiB", 1024.0}, {"MiB", 1024.0 * 1024}, {"GiB", 1024.0 * 1024 * 1024},
      {"KB", 1e3},     {"MB", 1e6},            {"GB", 1e9},
      {"B", 1.0}};
  double scale = 1;
  for (const auto& [unit, factor] : kUnits) {
    if (text.size() > unit.size() && text.ends_with(unit)) {
      text.remove_suffix(unit.size());
      scale = factor;
      break;
    }
  }
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value * scale;
}

Assert ReadAssert(const std::optional<Reader>& r, const Target& target, const Probe& probe) {
  Assert a;
  if (r) {
    const auto m = r->Map({"settle", "goroutines", "heap_inuse_bytes", "heap_objects", "fds", "sockets", "threads",
                           "rss_bytes", "cycles", "ignore", "default_ignores", "proven_leaks_fail",
                           "max_error_rate"});
    if (const auto v = m.Get("settle")) a.settle = v->Dur();
    for (const char* resource : kAssertableResources) {
      const auto v = m.Get(resource);
      if (!v) continue;
      const std::string name = resource;
      CheckMeasurable(*v, name, target, probe);
      a.resources[name] = ReadTolerance(*v, /*bytes=*/name.ends_with("_bytes"));
    }
    if (const auto v = m.Get("cycles")) a.cycles = IntAtLeast(*v, 1);
    if (const auto v = m.Get("ignore")) a.ignore = ReadIgnoreRules(*v);
    if (const auto v = m.Get("default_ignores")) a.default_ignores = v->Bool();
    if (const auto v = m.Get("proven_leaks_fail")) a.proven_leaks_fail = v->Bool();
    if (const auto v = m.Get("max_error_rate")) a.max_error_rate = Fraction(*v, "an error rate");
  }
  // A scenario asserts at least something: goroutines, unless it names a resource itself.
  if (a.resources.empty()) a.resources["goroutines"] = Tolerance{kDefaultGoroutineTolerance, std::nullopt};
  return a;
}

}  // namespace leakgate::scenario
