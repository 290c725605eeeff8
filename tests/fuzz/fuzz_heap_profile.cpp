// libFuzzer target for the heap profile parser and diff (probes/heap_profile.h).
//
// Beyond "no crash, no sanitizer report" (including signed overflow in the sums), it
// traps when an invariant breaks:
//   * frames have a non-empty function without a line break and a line >= 0;
//   * skipped_lines never exceeds the number of lines;
//   * the same text with "\r\n" line ends parses to the same profile;
//   * a profile diffed against itself shows no growth;
//   * the first half of the input diffed against the whole: every entry grew, entries are
//     sorted by bytes_delta descending, top_n is honoured, and each site is a frame of
//     the entry's stack;
//   * ScaleHeapSample never shrinks a sample.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "probes/heap_profile.h"

namespace {

using namespace leakgate::probes;

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

bool OneLine(std::string_view s) { return s.find('\n') == std::string_view::npos; }

bool SameProfile(const HeapProfile& a, const HeapProfile& b) {
  if (a.records.size() != b.records.size() || a.memstats != b.memstats || a.has_header != b.has_header ||
      a.inuse_bytes != b.inuse_bytes || a.sampling_rate != b.sampling_rate || a.skipped_lines != b.skipped_lines) {
    return false;
  }
  for (size_t i = 0; i < a.records.size(); ++i) {
    const HeapRecord& x = a.records[i];
    const HeapRecord& y = b.records[i];
    if (x.inuse_objects != y.inuse_objects || x.inuse_bytes != y.inuse_bytes || x.alloc_objects != y.alloc_objects ||
        x.alloc_bytes != y.alloc_bytes || x.frames != y.frames) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const HeapProfile profile = ParseHeapProfileDebug1(text);

  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  Check(profile.skipped_lines <= lines + 1);
  Check(profile.truncated == (!text.empty() && text.back() != '\n'));
  for (const HeapRecord& r : profile.records) {
    for (const Frame& f : r.frames) Check(!f.function.empty() && OneLine(f.function) && OneLine(f.file) && f.line >= 0);
    const auto [objects, bytes] = ScaleHeapSample(r.inuse_objects, r.inuse_bytes, profile.sampling_rate);
    if (r.inuse_objects > 0 && r.inuse_bytes > 0) Check(objects >= r.inuse_objects && bytes >= r.inuse_bytes);
  }
  Check(HeapProfileResources(profile).size() <= 4);

  if (text.find('\r') == std::string_view::npos) {
    std::string crlf;
    for (char c : text) {
      if (c == '\n') crlf += '\r';
      crlf += c;
    }
    Check(SameProfile(profile, ParseHeapProfileDebug1(crlf)));
  }

  Check(DiffHeapProfiles(profile, profile, 0).empty());
  const HeapProfile half = ParseHeapProfileDebug1(text.substr(0, text.size() / 2));
  const std::vector<HeapGrowth> growth = DiffHeapProfiles(half, profile, 0);
  for (size_t i = 0; i < growth.size(); ++i) {
    const HeapGrowth& g = growth[i];
    Check(g.bytes_delta > 0);
    Check(g.final_bytes >= g.bytes_delta || g.final_bytes == INT64_MAX || g.bytes_delta == INT64_MAX);
    if (i > 0) Check(growth[i - 1].bytes_delta >= g.bytes_delta);
    bool site_in_stack = g.frames.empty() && g.site == Frame{};
    for (const Frame& f : g.frames) site_in_stack = site_in_stack || f == g.site;
    Check(site_in_stack);
    Check(g.stack_key.find(g.site.function) != std::string::npos);
  }
  const size_t top = size % 4;
  const std::vector<HeapGrowth> limited = DiffHeapProfiles(half, profile, top);
  Check(top == 0 ? limited.size() == growth.size() : limited.size() == std::min(top, growth.size()));
  return 0;
}
