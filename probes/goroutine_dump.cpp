#include "probes/goroutine_dump.h"

#include <charconv>
#include <cstring>
#include <system_error>

namespace leakgate::probes {
namespace {

constexpr size_t npos = std::string_view::npos;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  return s;
}

std::string_view Trim(std::string_view s) { return TrimLeft(TrimRight(s)); }

// Parses the decimal number at the start of `s` into `out`; returns the number of
// characters used, 0 when `s` does not start with a digit or the value overflows.
template <typename T>
size_t ParseLeadingNumber(std::string_view s, T& out) {
  if (s.empty() || !IsDigit(s.front())) return 0;
  T value{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{}) return 0;
  out = value;
  return static_cast<size_t>(end - s.data());
}

// True when all of `s` is a decimal number that fits in T.
template <typename T>
bool ParseNumber(std::string_view s, T& out) {
  T value{};
  if (ParseLeadingNumber(s, value) != s.size() || s.empty()) return false;
  out = value;
  return true;
}

// Splits text into lines without copying. A line has its "\n" and one trailing "\r"
// removed; the last line may lack a "\n" (last_terminated() tells).
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}

  bool Next(std::string_view& line) {
    if (pos_ >= text_.size()) return false;
    const char* begin = text_.data() + pos_;
    const size_t left = text_.size() - pos_;
    const void* nl = std::memchr(begin, '\n', left);
    size_t len = left;
    if (nl != nullptr) {
      len = static_cast<size_t>(static_cast<const char*>(nl) - begin);
      pos_ += len + 1;
      terminated_ = true;
    } else {
      pos_ = text_.size();
      terminated_ = false;
    }
    line = std::string_view(begin, len);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return true;
  }

  bool last_terminated() const { return terminated_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  bool terminated_ = true;
};

// ---- debug=2 -------------------------------------------------------------------------

// Removes every occurrence of `marker` from `s`; true if there was one.
bool EraseAll(std::string& s, std::string_view marker) {
  bool found = false;
  for (size_t p = s.find(marker); p != npos; p = s.find(marker, p)) {
    s.erase(p, marker.size());
    found = true;
  }
  return found;
}

// Parses the text between "[" and "]:" of a goroutine header into `g`. False when there
// is no state at all.
bool ParseHeaderBracket(std::string_view content, Goroutine& g) {
  constexpr std::string_view kLabels = " labels:{";
  if (const size_t lab = content.find(kLabels); lab != npos) {
    g.labels.assign(content.substr(lab + kLabels.size() - 1));
    content = content.substr(0, lab);
  }
  size_t comma = content.find(", ");
  const std::string_view status = Trim(content.substr(0, comma));
  if (status.empty()) return false;
  g.state.assign(status);
  if (g.state.find(" (") != npos) {
    g.leaked = EraseAll(g.state, " (leaked)");
    EraseAll(g.state, " (scan)");
  }
  while (comma != npos) {
    content = content.substr(comma + 2);
    comma = content.find(", ");
    const std::string_view part = content.substr(0, comma);
    int minutes = 0;
    uint64_t bubble = 0;
    if (part == "locked to thread") {
      g.locked_to_thread = true;
    } else if (part.ends_with(" minutes") && ParseNumber(part.substr(0, part.size() - 8), minutes)) {
      g.wait_minutes = minutes;
    } else if (part.ends_with(" minute") && ParseNumber(part.substr(0, part.size() - 7), minutes)) {
      g.wait_minutes = minutes;
    } else if (part.starts_with("synctest bubble ") && ParseNumber(part.substr(16), bubble)) {
      g.synctest_bubble = bubble;
    } else {
      g.state += ", ";  // unknown decoration: keep it visible rather than guess
      g.state += part;
    }
  }
  return true;
}

enum class HeaderKind { kNotHeader, kHeader, kMalformed };

// "goroutine 18 [chan send, 5 minutes]:" or "goroutine 6 gp=0xc000 m=nil [GC worker (idle)]:".
// kNotHeader when the line does not start with "goroutine <digit>" (e.g. "goroutine
// profile: total 3").
HeaderKind ParseHeader(std::string_view line, Goroutine& g) {
  constexpr std::string_view kPrefix = "goroutine ";
  if (!line.starts_with(kPrefix)) return HeaderKind::kNotHeader;
  std::string_view rest = line.substr(kPrefix.size());
  if (rest.empty() || !IsDigit(rest.front())) return HeaderKind::kNotHeader;
  const size_t n = ParseLeadingNumber(rest, g.id);
  if (n == 0) return HeaderKind::kMalformed;  // id overflows uint64
  rest = TrimRight(rest.substr(n));
  if (rest.empty() || rest.front() != ' ') return HeaderKind::kMalformed;
  const size_t open = rest.find('[');
  if (open == npos || !rest.ends_with("]:") || open + 1 > rest.size() - 2) return HeaderKind::kMalformed;
  if (!ParseHeaderBracket(rest.substr(open + 1, rest.size() - 2 - (open + 1)), g)) return HeaderKind::kMalformed;
  return HeaderKind::kHeader;
}

// "\t/path/file.go:42 +0x65 fp=0x... sp=0x... pc=0x..." -> file, line.
bool ParseLocation(std::string_view line, std::string_view& file, int& line_number) {
  const std::string_view t = Trim(line);
  const size_t colon = t.rfind(':');
  if (colon == npos || colon == 0) return false;
  const std::string_view after = t.substr(colon + 1);
  int value = 0;
  const size_t n = ParseLeadingNumber(after, value);
  if (n == 0 || (n < after.size() && after[n] != ' ')) return false;
  file = t.substr(0, colon);
  line_number = value;
  return true;
}

// A frame's function line: "pkg.f(args)" with no blank in the name.
bool ParseFunctionLine(std::string_view line, std::string_view& name) {
  const std::string_view t = TrimRight(line);
  if (t.empty() || t.back() != ')') return false;
  name = StripArgumentsView(t);
  return !name.empty() && name.size() < t.size() && name.find(' ') == npos;
}

// "created by main.f in goroutine 7" (Go >= 1.21) or "created by main.f".
bool ParseCreatedBy(std::string_view line, Goroutine& g) {
  constexpr std::string_view kPrefix = "created by ";
  const std::string_view rest = Trim(line.substr(kPrefix.size()));
  const size_t space = rest.find(' ');
  const std::string_view function = StripArgumentsView(rest.substr(0, space));
  if (function.empty()) return false;
  g.created_by = Frame{std::string(function), {}, 0};
  g.creator_goroutine = 0;
  if (space != npos) {
    constexpr std::string_view kIn = " in goroutine ";
    const std::string_view tail = rest.substr(space);
    uint64_t creator = 0;
    if (tail.starts_with(kIn) && ParseNumber(tail.substr(kIn.size()), creator)) g.creator_goroutine = creator;
  }
  return true;
}

// ---- debug=1 -------------------------------------------------------------------------

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

std::string_view StripArgumentsView(std::string_view function_line) {
  const std::string_view s = Trim(function_line);
  if (!s.empty() && s.back() == ')') {
    int depth = 0;
    for (size_t i = s.size(); i-- > 0;) {
      if (s[i] == ')') {
        ++depth;
      } else if (s[i] == '(' && --depth == 0) {
        if (i > 0 && s[i - 1] != '.') return TrimRight(s.substr(0, i));
        break;
      }
    }
  }
  // No balanced argument list at the end (a cut line, or just a name): the arguments
  // start at the first "(" that is not a receiver's "pkg.(*T)".
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i] == '(' && s[i - 1] != '.') return TrimRight(s.substr(0, i));
  }
  return s;
}

GoroutineDump ParseGoroutinesDebug2(std::string_view text, ParseStats* stats) {
  GoroutineDump dump;
  ParseStats local;
  ParseStats& st = stats != nullptr ? *stats : local;
  st = ParseStats{};

  // kSkipping: inside a malformed block or an ancestor stack; ignore until the next
  // blank line or header.
  enum class Mode { kOutside, kInBlock, kSkipping } mode = Mode::kOutside;
  // Which record the next location line belongs to.
  enum class Pending { kNone, kFrame, kCreatedBy } pending = Pending::kNone;
  Goroutine* cur = nullptr;

  LineReader lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    // A last line without "\n" may be cut anywhere (runtime/pprof stops at 64 MB):
    // only what cannot be a prefix of something longer is taken from it.
    const bool partial = !lines.last_terminated();
    if (TrimRight(line).empty()) {
      mode = Mode::kOutside;
      pending = Pending::kNone;
      cur = nullptr;
      continue;
    }
    if (line.front() == 'g') {
      Goroutine g;
      const HeaderKind kind = ParseHeader(line, g);
      if (kind == HeaderKind::kHeader) {
        dump.goroutines.push_back(std::move(g));
        cur = &dump.goroutines.back();
        mode = Mode::kInBlock;
        pending = Pending::kNone;
        continue;
      }
      if (kind == HeaderKind::kMalformed) {
        if (partial) {
          st.truncated = true;
        } else {
          ++st.skipped_blocks;
        }
        cur = nullptr;
        mode = Mode::kSkipping;
        pending = Pending::kNone;
        continue;
      }
    }
    if (mode != Mode::kInBlock) continue;

    if (line.front() == '\t' || line.front() == ' ') {
      std::string_view file;
      int line_number = 0;
      if (pending != Pending::kNone && ParseLocation(line, file, line_number)) {
        Frame& target = pending == Pending::kFrame ? cur->frames.back() : *cur->created_by;
        target.file.assign(file);
        target.line = line_number;
      }
      pending = Pending::kNone;
      continue;
    }
    pending = Pending::kNone;

    std::string_view name;
    if (line.starts_with("created by ")) {
      // Cut short, "created by main.blockedSe" would name the wrong function.
      if ((!partial || line.find(" in goroutine ") != npos) && ParseCreatedBy(line, *cur)) {
        pending = Pending::kCreatedBy;
      }
    } else if (line.starts_with("...")) {
      if (TrimRight(line).ends_with("elided...")) cur->frames_elided = true;
    } else if (line.starts_with("[originating from goroutine ")) {
      mode = Mode::kSkipping;
    } else if (ParseFunctionLine(line, name)) {
      cur->frames.push_back(Frame{std::string(name), {}, 0});
      pending = Pending::kFrame;
    }
    // Anything else ("non-Go function at pc=...", "runtime: ..." diagnostics) is ignored.
  }
  if (cur != nullptr && mode == Mode::kInBlock && (pending != Pending::kNone || !lines.last_terminated())) {
    cur->truncated = true;
    st.truncated = true;
  }
  return dump;
}

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
      cur->labels.assign(Trim(body.substr(9)));
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
