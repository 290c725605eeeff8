#include "harness/cli/diff_command.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "harness/scenario/messages.h"
#include "probes/goroutine_attribution.h"
#include "probes/goroutine_dump.h"
#include "probes/ignore_rules.h"
#include "probes/leak_attribution.h"
#include "reports/run_result.h"

namespace leakgate::cli {

namespace {

constexpr const char* kDiffExamples = R"(
Examples:
  curl -s 'http://127.0.0.1:6060/debug/pprof/goroutine?debug=2' > before.txt
  # ... traffic, then wait for the service to settle ...
  curl -s 'http://127.0.0.1:6060/debug/pprof/goroutine?debug=2' > after.txt
  leakgate diff before.txt after.txt
  leakgate diff before.txt after.txt --tolerance 5 --json

Groups are (top user function, created by, state); the count is the growth from BEFORE
to AFTER. Exit 1 when a group grew by more than --tolerance, 0 otherwise, 2 when a file
cannot be read or is not a debug=2 dump.)";

constexpr uintmax_t kMaxDumpBytes = uintmax_t{1} << 30;  // pprof itself cuts debug=2 at 64 MB

struct DiffArgs {
  std::string before, after;
  int64_t tolerance = 0;
  int top = 20;
  bool json = false;
  bool no_default_ignores = false;
  std::vector<std::string> ignore_top;
};

struct LoadedDump {
  std::string path;
  probes::GoroutineDump dump;
  probes::ParseStats stats;
};

// A dump file mapped read-only: parsed in place, without copying 50 MB through read().
class MappedDump {
 public:
  static StatusOr<std::unique_ptr<MappedDump>> Open(const std::string& path, const char* which) {
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::InvalidArgument(fmt::format("{} {}: {}", which, path, std::strerror(errno)));
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      close(fd);
      return Status::InvalidArgument(fmt::format("{} {}: not a regular file", which, path));
    }
    const auto size = static_cast<uintmax_t>(st.st_size);
    if (size > kMaxDumpBytes) {
      close(fd);
      return Status::InvalidArgument(fmt::format("{} {}: {} bytes, more than the 1 GiB a dump may have", which, path, size));
    }
    std::unique_ptr<MappedDump> m(new MappedDump());
    if (size > 0) {
      void* p = mmap(nullptr, static_cast<size_t>(size), PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        close(fd);
        return Status::InvalidArgument(fmt::format("{} {}: cannot map: {}", which, path, std::strerror(errno)));
      }
      madvise(p, static_cast<size_t>(size), MADV_SEQUENTIAL);
      m->data_ = static_cast<const char*>(p);
      m->size_ = static_cast<size_t>(size);
    }
    close(fd);
    return m;
  }
  ~MappedDump() {
    if (data_ != nullptr) munmap(const_cast<char*>(data_), size_);
  }
  MappedDump(const MappedDump&) = delete;
  MappedDump& operator=(const MappedDump&) = delete;
  std::string_view text() const { return {data_, size_}; }

 private:
  MappedDump() = default;
  const char* data_ = nullptr;
  size_t size_ = 0;
};

StatusOr<LoadedDump> LoadDump(const std::string& path, const char* which) {
  auto file = MappedDump::Open(path, which);
  if (!file.ok()) return file.status();
  const std::string_view text = (*file)->text();
  LoadedDump d;
  d.path = path;
  d.dump = probes::ParseGoroutinesDebug2(text, &d.stats);
  if (d.dump.goroutines.empty()) {
    const bool debug1 = probes::GoroutineTotalFromDebug1(text) >= 0;
    return Status::InvalidArgument(fmt::format(
        "{} {}: no goroutines found{}", which, path,
        debug1 ? ": this is a debug=1 profile; save /debug/pprof/goroutine?debug=2 instead"
               : " (expected the text of /debug/pprof/goroutine?debug=2 or a Go traceback)"));
  }
  return d;
}

// "route=/a, tenant=7": the pprof labels every goroutine of the group shares, in their
// order, with control bytes escaped (they come from the dump and go to a terminal).
std::string LabelsOf(const probes::GoroutineGroup& g) {
  std::vector<std::string> parts;
  for (const auto& [key, value] : g.labels) parts.push_back(scenario::Printable(key) + "=" + scenario::Printable(value));
  return fmt::format("{}", fmt::join(parts, ", "));
}

nlohmann::json LabelsJson(const probes::GoroutineGroup& g) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : g.labels) out[key] = value;
  return out;
}

std::string RenderText(const LoadedDump& before, const LoadedDump& after, const std::vector<probes::GoroutineGroup>& grew,
                       const DiffArgs& a, size_t failing) {
  std::string out;
  auto it = std::back_inserter(out);
  const auto b = before.dump.goroutines.size(), f = after.dump.goroutines.size();
  fmt::format_to(it, "before: {} goroutines ({})\nafter:  {} goroutines ({}), {:+d}\n", b, before.path, f, after.path,
                 static_cast<int64_t>(f) - static_cast<int64_t>(b));
  for (const auto* d : {&before, &after}) {
    if (d->stats.skipped_blocks > 0 || d->stats.truncated) {
      fmt::format_to(it, "warning: {}: {} block(s) skipped{}\n", d->path, d->stats.skipped_blocks,
                     d->stats.truncated ? ", the dump is cut short" : "");
    }
  }
  if (grew.empty()) {
    fmt::format_to(it, "\nno goroutine group grew{}\n", a.no_default_ignores ? "" : " (default ignore rules applied)");
    return out;
  }
  const size_t shown = a.top > 0 ? std::min(grew.size(), static_cast<size_t>(a.top)) : grew.size();
  fmt::format_to(it, "\n{} group{} grew{}{}:\n", grew.size(), grew.size() == 1 ? "" : "s",
                 shown < grew.size() ? fmt::format(", the {} largest shown", shown) : "",
                 a.no_default_ignores ? "" : " (default ignore rules applied)");
  for (size_t i = 0; i < shown; ++i) {
    const auto& g = grew[i];
    out += "\n+" + probes::FormatGroup(g);
    if (!g.labels.empty()) fmt::format_to(it, "  labels: {}\n", LabelsOf(g));
    if (g.count <= a.tolerance) fmt::format_to(it, "  (within --tolerance {})\n", a.tolerance);
  }
  if (failing > 0) {
    fmt::format_to(it, "\nFAIL: {} group{} grew by more than {} goroutine{}\n", failing, failing == 1 ? "" : "s",
                   a.tolerance, a.tolerance == 1 ? "" : "s");
  } else {
    fmt::format_to(it, "\nok: no group grew by more than {} goroutine{}\n", a.tolerance, a.tolerance == 1 ? "" : "s");
  }
  return out;
}

std::string RenderJson(const LoadedDump& before, const LoadedDump& after, const std::vector<probes::GoroutineGroup>& grew,
                       const DiffArgs& a, size_t failing) {
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& g : grew) {
    groups.push_back({{"count", g.count},
                      {"function", g.function},
                      {"state", g.state},
                      {"created_by", g.created_by},
                      {"created_by_location", g.created_by_location},
                      {"labels", LabelsJson(g)},
                      {"stack", probes::FormatStack(g.representative.frames)},
                      {"beyond_tolerance", g.count > a.tolerance}});
  }
  const auto side = [](const LoadedDump& d) {
    return nlohmann::json{{"file", d.path},
                          {"goroutines", d.dump.goroutines.size()},
                          {"skipped_blocks", d.stats.skipped_blocks},
                          {"truncated", d.stats.truncated}};
  };
  const nlohmann::json j = {{"before", side(before)},     {"after", side(after)},
                            {"tolerance", a.tolerance},   {"default_ignores", !a.no_default_ignores},
                            {"grew", groups},             {"failed", failing > 0}};
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

int Diff(const DiffArgs& a) {
  const auto before = LoadDump(a.before, "BEFORE");
  if (!before.ok()) return Fail("diff", before.status().message(), reports::kExitBadInput);
  const auto after = LoadDump(a.after, "AFTER");
  if (!after.ok()) return Fail("diff", after.status().message(), reports::kExitBadInput);
  std::vector<probes::IgnoreRule> ignore;
  if (!a.no_default_ignores) ignore = probes::DefaultIgnoreRules();
  for (const auto& f : a.ignore_top) ignore.push_back({probes::IgnoreRule::kTopFunction, f});
  const auto grew = probes::DiffGoroutineGroups(before->dump, after->dump, ignore);
  const auto failing = static_cast<size_t>(
      std::count_if(grew.begin(), grew.end(), [&](const auto& g) { return g.count > a.tolerance; }));
  fmt::print("{}", a.json ? RenderJson(*before, *after, grew, a, failing) : RenderText(*before, *after, grew, a, failing));
  return failing > 0 ? reports::kExitLeak : reports::kExitPass;
}

}  // namespace

Command AddDiffCommand(CLI::App& app) {
  auto args = std::make_shared<DiffArgs>();
  auto* cmd = app.add_subcommand("diff", "compare two saved goroutine dumps (debug=2): the groups that grew");
  cmd->add_option("before", args->before, "goroutine?debug=2 dump taken first")->required();
  cmd->add_option("after", args->after, "goroutine?debug=2 dump taken later")->required();
  cmd->add_option("--tolerance", args->tolerance, "growth per group that still passes (default 0)")
      ->check(WholeNumberAtLeast(0));
  cmd->add_option("--top", args->top, "groups to print in text (default 20; 0: all); --json lists all")
      ->check(WholeNumberAtLeast(0));
  cmd->add_flag("--json", args->json, "print one JSON object instead of text");
  cmd->add_flag("--no-default-ignores", args->no_default_ignores,
                "also count the dump writer, idle net/http connections and gRPC transport goroutines");
  cmd->add_option("--ignore-top", args->ignore_top,
                  "leave out goroutines whose top function is this (exact, or a prefix ending in *; repeatable)");
  cmd->footer(kDiffExamples);
  return {cmd, [args] { return Diff(*args); }};
}

}  // namespace leakgate::cli
