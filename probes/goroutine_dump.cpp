#include "probes/goroutine_dump.h"

#include <cstring>
#include <iterator>

#include "probes/text_scan.h"

namespace leakgate::probes {
namespace {

using text::IsDigit;
using text::LineReader;
using text::ParseLeadingNumber;
using text::ParseNumber;
using text::Trim;
using text::TrimRight;

using text::npos;

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

// The index of the "]" that closes the bracket opened at `open`, skipping quoted strings
// (Go 1.26 prints labels inside the bracket, and their values may hold "]"); npos if none.
size_t ClosingBracket(std::string_view s, size_t open) {
  bool quoted = false;
  for (size_t i = open + 1; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ']') {
      return i;
    }
  }
  return npos;
}

// Reads a label set that must make up all of `set`; false (and no labels) otherwise.
bool ReadWholeLabelSet(std::string_view set, PprofLabels& labels) {
  if (ParseLabelSet(set, labels) == set.size()) return true;
  labels.clear();
  return false;
}

// Parses the text between "[" and "]" of a goroutine header into `g`. False when there is
// no state at all.
bool ParseHeaderBracket(std::string_view content, Goroutine& g, ParseStats& st) {
  constexpr std::string_view kLabels = " labels:{";  // Go 1.26
  if (const size_t lab = content.find(kLabels); lab != npos) {
    if (!ReadWholeLabelSet(content.substr(lab + kLabels.size() - 1), g.labels)) ++st.malformed_labels;
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

enum class HeaderKind { kHeader, kMalformed };

constexpr std::string_view kHeaderPrefix = "goroutine ";

// A line that starts with "goroutine <digit>" is a header, good or malformed ("goroutine
// profile: total 3" is not one).
bool IsHeaderStart(std::string_view line) {
  return line.size() > kHeaderPrefix.size() && line.starts_with(kHeaderPrefix) && IsDigit(line[kHeaderPrefix.size()]);
}

// A line for which IsHeaderStart holds: "goroutine 18 [chan send, 5 minutes]:",
// "goroutine 6 gp=0xc000 m=nil [GC worker (idle)]:", "goroutine 8 [chan receive]
// {method: GET, route: "/x"}:" (Go 1.27 labels).
HeaderKind ParseHeader(std::string_view line, Goroutine& g, ParseStats& st) {
  std::string_view rest = line.substr(kHeaderPrefix.size());
  const size_t n = ParseLeadingNumber(rest, g.id);
  if (n == 0) return HeaderKind::kMalformed;  // id overflows uint64
  rest = TrimRight(rest.substr(n));
  if (rest.empty() || rest.front() != ' ' || !rest.ends_with(':')) return HeaderKind::kMalformed;
  const size_t open = rest.find('[');
  const size_t close = open == npos ? npos : ClosingBracket(rest, open);
  if (close == npos) return HeaderKind::kMalformed;
  const std::string_view after = rest.substr(close + 1, rest.size() - 1 - (close + 1));  // before the ":"
  if (!after.empty() && !after.starts_with(" {")) return HeaderKind::kMalformed;
  if (!ParseHeaderBracket(rest.substr(open + 1, close - open - 1), g, st)) return HeaderKind::kMalformed;
  if (!after.empty() && !ReadWholeLabelSet(after.substr(1), g.labels)) ++st.malformed_labels;
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

// The state of one debug=2 parse. Frames of the goroutine being read collect in `frames_`
// (reused for every goroutine) and move into the goroutine, at their exact count, when its
// block ends: one allocation per goroutine instead of one per doubling.
class Debug2Parser {
 public:
  explicit Debug2Parser(ParseStats& st) : st_(st) {}

  GoroutineDump Parse(std::string_view text) {
    LineReader lines(text);
    std::string_view line;
    while (lines.Next(line)) Line(line, !lines.last_terminated());
    if (cur_ != nullptr && mode_ == Mode::kInBlock && (pending_ != Pending::kNone || !lines.last_terminated())) {
      cur_->truncated = true;
      st_.truncated = true;
    }
    EndBlock(Mode::kOutside);
    return std::move(dump_);
  }

 private:
  // kSkipping: inside a malformed block or an ancestor stack; ignore until the next
  // blank line or header.
  enum class Mode { kOutside, kInBlock, kSkipping };
  // Which record the next location line belongs to.
  enum class Pending { kNone, kFrame, kCreatedBy };

  // `partial`: the last line, without "\n", may be cut anywhere (runtime/pprof stops at
  // 64 MB): only what cannot be a prefix of something longer is taken from it.
  void Line(std::string_view line, bool partial) {
    if (TrimRight(line).empty()) {
      EndBlock(Mode::kOutside);
      return;
    }
    if (line.front() == 'g' && Header(line, partial)) return;
    if (mode_ != Mode::kInBlock) return;

    if (line.front() == '\t' || line.front() == ' ') {
      std::string_view file;
      int line_number = 0;
      if (pending_ != Pending::kNone && ParseLocation(line, file, line_number)) {
        Frame& target = pending_ == Pending::kFrame ? frames_.back() : *cur_->created_by;
        target.file.assign(file);
        target.line = line_number;
      }
      pending_ = Pending::kNone;
      return;
    }
    pending_ = Pending::kNone;

    std::string_view name;
    if (line.starts_with("created by ")) {
      // Cut short, "created by main.blockedSe" would name the wrong function.
      if ((!partial || line.find(" in goroutine ") != npos) && ParseCreatedBy(line, *cur_)) {
        pending_ = Pending::kCreatedBy;
      }
    } else if (line.starts_with("...")) {
      if (TrimRight(line).ends_with("elided...")) cur_->frames_elided = true;
    } else if (line.starts_with("[originating from goroutine ")) {
      EndBlock(Mode::kSkipping);
    } else if (ParseFunctionLine(line, name)) {
      frames_.emplace_back();
      frames_.back().function.assign(name);
      pending_ = Pending::kFrame;
    }
    // Anything else ("non-Go function at pc=...", "runtime: ..." diagnostics) is ignored.
  }

  // A line starting with 'g': true when it was a header (good or malformed). The
  // goroutine is parsed in place at the end of the dump, and removed again if the line is
  // not a good header.
  bool Header(std::string_view line, bool partial) {
    if (!IsHeaderStart(line)) return false;
    EndBlock(Mode::kSkipping);
    Goroutine& g = dump_.goroutines.emplace_back();
    if (ParseHeader(line, g, st_) == HeaderKind::kHeader) {
      cur_ = &g;
      mode_ = Mode::kInBlock;
      return true;
    }
    dump_.goroutines.pop_back();
    if (partial) {
      st_.truncated = true;
    } else {
      ++st_.skipped_blocks;
    }
    return true;
  }

  // Gives the collected frames to the current goroutine and leaves its block.
  void EndBlock(Mode next) {
    if (cur_ != nullptr && !frames_.empty()) {
      cur_->frames.assign(std::make_move_iterator(frames_.begin()), std::make_move_iterator(frames_.end()));
    }
    frames_.clear();
    cur_ = nullptr;
    mode_ = next;
    pending_ = Pending::kNone;
  }

  ParseStats& st_;
  GoroutineDump dump_;
  Goroutine* cur_ = nullptr;
  std::vector<Frame> frames_;
  Mode mode_ = Mode::kOutside;
  Pending pending_ = Pending::kNone;
};

}  // namespace

std::string_view StripArgumentsView(std::string_view function_line) {
  const std::string_view s = Trim(function_line);
  if (!s.empty() && s.back() == ')') {
    // Fast path, almost every frame: the last "(" opens an argument list without nested
    // parentheses ("runtime.gopark(0xc000?, 0x2?, {0x1, 0x2})").
    if (const void* p = memrchr(s.data(), '(', s.size()); p != nullptr) {  // glibc's vectorized memrchr
      const auto open = static_cast<size_t>(static_cast<const char*>(p) - s.data());
      if (open > 0 && s[open - 1] != '.' && std::memchr(s.data() + open + 1, ')', s.size() - 1 - (open + 1)) == nullptr) {
        return TrimRight(s.substr(0, open));
      }
    }
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
  ParseStats local;
  ParseStats& st = stats != nullptr ? *stats : local;
  st = ParseStats{};
  return Debug2Parser(st).Parse(text);
}

}  // namespace leakgate::probes
