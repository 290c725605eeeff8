// debug=1 goroutine profiles (goroutine_dump.h): groups of goroutines by stack, and the
// "goroutine profile: total N" fast path.
#include "probes/goroutine_dump.h"

#include "probes/text_scan.h"

namespace leakgate::probes {
namespace {

using text::IsBlank;
using text::IsDigit;
using text::LineReader;
using text::ParseLeadingNumber;
using text::ParseNumber;
using text::Trim;
using text::TrimLeft;
using text::TrimRight;

using text::npos;

int64_t TotalFromLine(std::string_view line) {
  for (std::string_view prefix : {std::string_view("goroutine profile: total "),
                                  std::string_view("goroutineleak profile: total ")}) {
    if (!line.starts_with(prefix)) continue;
    int64_t total = 0;
    return ParseNumber(Trim(line.substr(prefix.size())), total) ? total : -1;
  }
  return -1;
}

// Cuts the next run of non-blank characters off the front of `s`.
std::string_view NextField(std::string_view& s) {
  s = TrimLeft(s);
  size_t end = 0;
  while (end < s.size() && !IsBlank(s[end])) ++end;
  const std::string_view field = s.substr(0, end);
  s = s.substr(end);
  return field;
}

// "\t0x4fe2a1\tmain.blockedSend.func1+0x65\t/path/main.go:42" (after the "#").
bool ParseDebug1Frame(std::string_view body, Frame& frame) {
  const std::string_view pc = NextField(body);
  std::string_view function = NextField(body);
  const std::string_view location = Trim(body);
  if (pc.empty() || function.empty() || location.empty()) return false;
  if (const size_t plus = function.rfind("+0x"); plus != npos && plus > 0) function = function.substr(0, plus);
  const size_t colon = location.rfind(':');
  int line = 0;
  if (colon == npos || !ParseNumber(location.substr(colon + 1), line)) return false;
  frame.function.assign(function);
  frame.file.assign(location.substr(0, colon));
  frame.line = line;
  return true;
}

}  // namespace

GroupedGoroutines ParseGoroutinesDebug1(std::string_view text, ParseStats* stats) {
  GroupedGoroutines out;
  ParseStats local;
  ParseStats& st = stats != nullptr ? *stats : local;
  st = ParseStats{};

  StackGroup* cur = nullptr;
  LineReader lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    const std::string_view t = TrimRight(line);
    if (t.empty()) {
      cur = nullptr;
      continue;
    }
    if (IsDigit(t.front())) {  // "1204 @ 0x43e8ee 0x40a3c5 ..."
      int64_t count = 0;
      const size_t n = ParseLeadingNumber(t, count);
      if (n == 0 || !t.substr(n).starts_with(" @")) {
        ++st.skipped_blocks;
        cur = nullptr;
        continue;
      }
      out.groups.push_back(StackGroup{count, {}, {}});
      cur = &out.groups.back();
      continue;
    }
    if (out.total < 0) {
      if (const int64_t total = TotalFromLine(TrimLeft(t)); total >= 0) {
        out.total = total;
        continue;
      }
    }
    if (t.front() != '#' || cur == nullptr) continue;
    const std::string_view body = t.substr(1);
    if (body.starts_with(" labels: ")) {
      const std::string_view set = Trim(body.substr(9));
      if (ParseLabelSet(set, cur->labels) != set.size()) {
        cur->labels.clear();
        ++st.malformed_labels;
      }
      continue;
    }
    Frame frame;
    if (ParseDebug1Frame(body, frame)) cur->frames.push_back(std::move(frame));
  }
  if (!lines.last_terminated() && cur != nullptr) st.truncated = true;
  return out;
}

int64_t GoroutineTotalFromDebug1(std::string_view text) {
  size_t start = 0;
  while (start < text.size() && (IsBlank(text[start]) || text[start] == '\n')) ++start;
  text = text.substr(start);
  return TotalFromLine(TrimRight(text.substr(0, text.find('\n'))));
}

}  // namespace leakgate::probes
