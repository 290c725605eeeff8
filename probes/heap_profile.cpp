#include "probes/heap_profile.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <system_error>
#include <unordered_map>

#include "probes/text_scan.h"

namespace leakgate::probes {
namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

using text::IsDigit;
using text::IsWordChar;
using text::IsBlankLine;
using text::IsSpaceOrTab;
bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpaceOrTab(s.front())) s.remove_prefix(1);
  while (!s.empty() && (IsSpaceOrTab(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

int64_t SatAdd(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? kInt64Max : kInt64Min;
  return r;
}

int64_t SatSub(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_sub_overflow(a, b, &r)) return b < 0 ? kInt64Max : kInt64Min;
  return r;
}

// "0x4a1b2c": "0x" and at least one hex digit, nothing else.
bool IsHexAddress(std::string_view s) {
  if (s.size() < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return false;
  return std::all_of(s.begin() + 2, s.end(), IsHexDigit);
}

template <typename Int>
bool ParseWhole(std::string_view token, Int& out) {
  if (token.empty()) return false;
  const auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), out);
  return ec == std::errc() && ptr == token.data() + token.size();
}

// Cursor over one line.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool AtEnd() const { return pos_ >= s_.size(); }
  void SkipBlanks() {
    while (pos_ < s_.size() && IsSpaceOrTab(s_[pos_])) ++pos_;
  }
  bool Consume(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool ReadInt(int64_t& out) {
    const char* begin = s_.data() + pos_;
    const char* end = s_.data() + s_.size();
    const auto [ptr, ec] = std::from_chars(begin, end, out);
    if (ec != std::errc()) return false;
    pos_ += static_cast<size_t>(ptr - begin);
    return true;
  }
  std::string_view Rest() const { return s_.substr(std::min(pos_, s_.size())); }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

// "A: B [C: D]" (blanks optional around the numbers), leaving the cursor after "]".
bool ReadCounts(Cursor& cur, int64_t& a, int64_t& b, int64_t& c, int64_t& d) {
  cur.SkipBlanks();
  if (!cur.ReadInt(a) || !cur.Consume(':')) return false;
  cur.SkipBlanks();
  if (!cur.ReadInt(b)) return false;
  cur.SkipBlanks();
  if (!cur.Consume('[')) return false;
  cur.SkipBlanks();
  if (!cur.ReadInt(c) || !cur.Consume(':')) return false;
  cur.SkipBlanks();
  if (!cur.ReadInt(d)) return false;
  cur.SkipBlanks();
  return cur.Consume(']');
}

// "heap profile: A: B [C: D] @ heap/N".
bool ParseHeader(std::string_view line, HeapProfile& profile) {
  Cursor cur(line.substr(std::string_view("heap profile:").size()));
  int64_t a = 0, b = 0, c = 0, d = 0;
  if (!ReadCounts(cur, a, b, c, d)) return false;
  cur.SkipBlanks();
  if (!cur.Consume('@')) return false;
  const std::string_view kind_and_rate = Trim(cur.Rest());
  const size_t slash = kind_and_rate.find('/');
  const std::string_view kind = kind_and_rate.substr(0, slash);
  int64_t rate = 1;
  if (slash != std::string_view::npos) {
    int64_t n = 0;
    if (!ParseWhole(kind_and_rate.substr(slash + 1), n) || n < 0) return false;
    if (kind == "heap") {
      rate = n / 2;
    } else if (kind == "heap_v2" || kind == "heapz_v2") {
      rate = n;
    } else {
      return false;
    }
  } else if (kind.empty() || !std::all_of(kind.begin(), kind.end(), IsWordChar)) {
    return false;
  }
  profile.has_header = true;
  profile.inuse_objects = a;
  profile.inuse_bytes = b;
  profile.alloc_objects = c;
  profile.alloc_bytes = d;
  profile.sampling_rate = rate;
  return true;
}

// "A: B [C: D] @ 0x1 0x2 ...".
bool ParseRecordLine(std::string_view line, HeapRecord& record) {
  Cursor cur(line);
  if (!ReadCounts(cur, record.inuse_objects, record.inuse_bytes, record.alloc_objects, record.alloc_bytes)) {
    return false;
  }
  cur.SkipBlanks();
  if (!cur.Consume('@')) return false;
  std::string_view rest = cur.Rest();
  while (!rest.empty()) {
    while (!rest.empty() && IsSpaceOrTab(rest.front())) rest.remove_prefix(1);
    size_t n = 0;
    while (n < rest.size() && !IsSpaceOrTab(rest[n])) ++n;
    if (n > 0 && !IsHexAddress(rest.substr(0, n))) return false;
    rest.remove_prefix(n);
  }
  return true;
}

enum class FrameLine { kFrame, kNoSymbol, kMalformed };

// "#\t0x7e6454\tmain.fillCache+0xb4\t/src/main.go:25" (columns padded with tabs).
FrameLine ParseFrameLine(std::string_view line, Frame& frame) {
  std::string_view fields[3];
  size_t count = 0;
  std::string_view rest = line.substr(1);  // after '#'
  while (!rest.empty()) {
    while (!rest.empty() && rest.front() == '\t') rest.remove_prefix(1);
    if (rest.empty()) break;
    size_t n = rest.find('\t');
    if (n == std::string_view::npos) n = rest.size();
    if (count == 3) return FrameLine::kMalformed;
    fields[count++] = rest.substr(0, n);
    rest.remove_prefix(n);
  }
  if (count == 0 || !IsHexAddress(Trim(fields[0]))) return FrameLine::kMalformed;
  if (count == 1) return FrameLine::kNoSymbol;
  if (count != 3) return FrameLine::kMalformed;

  std::string_view function = Trim(fields[1]);
  if (const size_t plus = function.rfind('+');
      plus != std::string_view::npos && IsHexAddress(function.substr(plus + 1))) {
    function = function.substr(0, plus);
  }
  const std::string_view location = Trim(fields[2]);
  const size_t colon = location.rfind(':');
  if (function.empty() || colon == std::string_view::npos) return FrameLine::kMalformed;
  int line_number = 0;
  if (!ParseWhole(location.substr(colon + 1), line_number) || line_number < 0) return FrameLine::kMalformed;
  frame.function.assign(function);
  frame.file.assign(location.substr(0, colon));
  frame.line = line_number;
  return FrameLine::kFrame;
}

// "# Name = value" of the MemStats trailer. False when the line is not of that form;
// values that are recognized but not kept (floats, arrays) return true.
bool ParseMemStatsLine(std::string_view line, std::map<std::string, int64_t>& memstats) {
  std::string_view rest = Trim(line.substr(1));  // after '#'
  size_t n = 0;
  while (n < rest.size() && IsWordChar(rest[n])) ++n;
  const std::string_view name = rest.substr(0, n);
  rest = Trim(rest.substr(n));
  if (name.empty() || rest.empty() || rest.front() != '=') return false;
  const std::string_view value = Trim(rest.substr(1));
  if (value.empty()) return false;

  int64_t v = 0;
  if (ParseWhole(value, v)) {
    memstats[std::string(name)] = v;
    return true;
  }
  if (value == "true" || value == "false") {
    memstats[std::string(name)] = value == "true" ? 1 : 0;
    return true;
  }
  if (value.front() == '[') return true;  // PauseNs, PauseEnd
  if (const size_t slash = value.find('/'); slash != std::string_view::npos) {
    int64_t inuse = 0;
    int64_t sys = 0;
    if (!ParseWhole(Trim(value.substr(0, slash)), inuse) || !ParseWhole(Trim(value.substr(slash + 1)), sys)) {
      return false;
    }
    memstats[std::string(name) + "Inuse"] = inuse;
    memstats[std::string(name) + "Sys"] = sys;
    return true;
  }
  double d = 0;
  return ParseWhole(value, d);  // GCCPUFraction: recognized, not kept
}

// Runtime internals that allocate on behalf of their caller.
bool IsRuntimeInternal(std::string_view function) {
  return StartsWith(function, "runtime.") || StartsWith(function, "runtime/internal/") ||
         StartsWith(function, "internal/");
}

size_t SiteIndex(const std::vector<Frame>& frames) {
  for (size_t i = 0; i < frames.size(); ++i) {
    if (!IsRuntimeInternal(frames[i].function)) return i;
  }
  return 0;
}

std::string StackKey(const std::vector<Frame>& frames, size_t from) {
  std::string key;
  for (size_t i = from; i < frames.size(); ++i) {
    if (i != from) key += ';';
    key += frames[i].function;
    key += ':';
    key += std::to_string(frames[i].line);
  }
  return key;
}

struct SiteTotals {
  int64_t est_bytes = 0;
  int64_t est_objects = 0;
  int64_t sampled_bytes = 0;
  int64_t sampled_objects = 0;
  const HeapRecord* largest = nullptr;  // by sampled in-use bytes, first one on ties
  size_t site_index = 0;
};

std::unordered_map<std::string, SiteTotals> TotalsBySite(const HeapProfile& profile) {
  std::unordered_map<std::string, SiteTotals> out;
  for (const HeapRecord& r : profile.records) {
    const size_t site = SiteIndex(r.frames);
    SiteTotals& t = out[StackKey(r.frames, site)];
    const auto [objects, bytes] = ScaleHeapSample(r.inuse_objects, r.inuse_bytes, profile.sampling_rate);
    t.est_bytes = SatAdd(t.est_bytes, bytes);
    t.est_objects = SatAdd(t.est_objects, objects);
    t.sampled_bytes = SatAdd(t.sampled_bytes, r.inuse_bytes);
    t.sampled_objects = SatAdd(t.sampled_objects, r.inuse_objects);
    if (t.largest == nullptr || r.inuse_bytes > t.largest->inuse_bytes) {
      t.largest = &r;
      t.site_index = site;
    }
  }
  return out;
}

}  // namespace

HeapProfile ParseHeapProfileDebug1(std::string_view text) {
  HeapProfile profile;
  HeapRecord* current = nullptr;  // the record whose frame lines come next
  bool dropping_frames = false;   // after a malformed record line
  bool in_memstats = false;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      if (!IsBlankLine(text.substr(pos))) ++profile.skipped_lines;
      profile.truncated = true;
      break;
    }
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    if (IsBlankLine(line)) {
      current = nullptr;
      dropping_frames = false;
      continue;
    }
    if (line.front() == '#') {
      const bool frame_line = line.size() > 1 && line[1] == '\t';
      if (frame_line && (current != nullptr || dropping_frames)) {
        Frame frame;
        const FrameLine kind = dropping_frames ? FrameLine::kMalformed : ParseFrameLine(line, frame);
        if (kind == FrameLine::kFrame) {
          current->frames.push_back(std::move(frame));
        } else if (kind == FrameLine::kMalformed) {
          ++profile.skipped_lines;
        }
        continue;
      }
      current = nullptr;
      dropping_frames = false;
      if (!frame_line && Trim(line.substr(1)) == "runtime.MemStats") {
        in_memstats = true;
        continue;
      }
      if (frame_line || !in_memstats || !ParseMemStatsLine(line, profile.memstats)) ++profile.skipped_lines;
      continue;
    }
    current = nullptr;
    dropping_frames = false;
    if (StartsWith(line, "heap profile:")) {
      if (profile.has_header || !ParseHeader(line, profile)) ++profile.skipped_lines;
      continue;
    }
    HeapRecord record;
    if (!IsDigit(line.front()) || !ParseRecordLine(line, record)) {
      ++profile.skipped_lines;
      dropping_frames = IsDigit(line.front());
      continue;
    }
    current = &profile.records.emplace_back(std::move(record));
  }
  return profile;
}

std::pair<int64_t, int64_t> ScaleHeapSample(int64_t count, int64_t bytes, int64_t sampling_rate) {
  if (count <= 0 || bytes <= 0) return {0, 0};
  if (sampling_rate <= 1) return {count, bytes};
  const double avg = static_cast<double>(bytes) / static_cast<double>(count);
  const double scale = 1 / (1 - std::exp(-avg / static_cast<double>(sampling_rate)));
  const auto to_int = [](double v) {
    // 2^63 is exactly representable; anything at or above it (or NaN) saturates.
    if (!(v < 9223372036854775808.0)) return kInt64Max;
    return static_cast<int64_t>(v);
  };
  // The scale is >= 1, but a product near 2^63 rounds to a double below the exact input:
  // never report less than was sampled.
  return {std::max(count, to_int(static_cast<double>(count) * scale)),
          std::max(bytes, to_int(static_cast<double>(bytes) * scale))};
}

std::vector<HeapGrowth> DiffHeapProfiles(const HeapProfile& baseline, const HeapProfile& final, size_t top_n) {
  const auto before = TotalsBySite(baseline);
  const auto after = TotalsBySite(final);
  std::vector<HeapGrowth> out;
  for (const auto& [key, t] : after) {
    SiteTotals base;
    if (const auto it = before.find(key); it != before.end()) base = it->second;
    const int64_t bytes_delta = SatSub(t.est_bytes, base.est_bytes);
    if (bytes_delta <= 0) continue;
    HeapGrowth g;
    g.stack_key = key;
    g.frames = t.largest->frames;
    if (!g.frames.empty()) g.site = g.frames[t.site_index];
    g.bytes_delta = bytes_delta;
    g.objects_delta = SatSub(t.est_objects, base.est_objects);
    g.sampled_bytes_delta = SatSub(t.sampled_bytes, base.sampled_bytes);
    g.sampled_objects_delta = SatSub(t.sampled_objects, base.sampled_objects);
    g.final_bytes = t.est_bytes;
    g.final_objects = t.est_objects;
    out.push_back(std::move(g));
  }
  std::sort(out.begin(), out.end(), [](const HeapGrowth& a, const HeapGrowth& b) {
    if (a.bytes_delta != b.bytes_delta) return a.bytes_delta > b.bytes_delta;
    if (a.objects_delta != b.objects_delta) return a.objects_delta > b.objects_delta;
    return a.stack_key < b.stack_key;
  });
  if (top_n != 0 && out.size() > top_n) out.resize(top_n);
  return out;
}

std::map<std::string, double> HeapProfileResources(const HeapProfile& profile) {
  static constexpr std::pair<const char*, const char*> kNames[] = {
      {"HeapInuse", "heap_inuse_bytes"},
      {"HeapObjects", "heap_objects"},
      {"HeapAlloc", "heap_alloc_bytes"},
      {"NumGC", "gc_cycles"},
  };
  std::map<std::string, double> out;
  for (const auto& [field, resource] : kNames) {
    if (const auto it = profile.memstats.find(field); it != profile.memstats.end()) {
      out[resource] = static_cast<double>(it->second);
    }
  }
  return out;
}

}  // namespace leakgate::probes
