#include "probes/prometheus_text.h"

#include <charconv>
#include <cmath>
#include <system_error>

#include "probes/text_scan.h"

namespace leakgate::probes {
namespace {

using text::IsBlankLine;
using text::IsDigit;
using text::IsSpaceOrTab;
bool IsLabelNameChar(char c) { return text::IsWordChar(c); }
bool IsMetricNameChar(char c) { return IsLabelNameChar(c) || c == ':'; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// A float as Go's strconv.ParseFloat accepts it in practice: optional sign (std::from_chars
// takes no "+"), decimal or exponent form, "NaN", "Inf"/"Infinity" (any case). The whole
// token must be consumed; out-of-range values are rejected.
bool ParseGoFloat(std::string_view token, double& out) {
  const char* begin = token.data();
  const char* const end = begin + token.size();
  if (begin != end && *begin == '+') {
    ++begin;
    if (begin == end || *begin == '-' || *begin == '+') return false;
  }
  if (begin == end) return false;
  const auto [ptr, ec] = std::from_chars(begin, end, out);
  return ec == std::errc() && ptr == end;
}

bool ParseInt64(std::string_view token, int64_t& out) {
  const char* begin = token.data();
  const char* const end = begin + token.size();
  if (begin != end && *begin == '+') {
    ++begin;
    if (begin == end || *begin == '-') return false;
  }
  if (begin == end) return false;
  const auto [ptr, ec] = std::from_chars(begin, end, out);
  return ec == std::errc() && ptr == end;
}

// Cursor over one line (no line break inside).
class LineCursor {
 public:
  explicit LineCursor(std::string_view line) : line_(line) {}

  bool AtEnd() const { return pos_ >= line_.size(); }
  char Peek() const { return line_[pos_]; }  // only when !AtEnd()
  void Advance() { ++pos_; }
  void SkipBlanks() {
    while (pos_ < line_.size() && IsSpaceOrTab(line_[pos_])) ++pos_;
  }
  // Consumes `c` if it is next.
  bool Consume(char c) {
    if (pos_ < line_.size() && line_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  // The longest run of characters satisfying `pred` (possibly empty).
  template <typename Pred>
  std::string_view TakeWhile(Pred pred) {
    const size_t start = pos_;
    while (pos_ < line_.size() && pred(line_[pos_])) ++pos_;
    return line_.substr(start, pos_ - start);
  }
  std::string_view TakeToken() {
    return TakeWhile([](char c) { return !IsSpaceOrTab(c); });
  }
  std::string_view Rest() const { return line_.substr(pos_ < line_.size() ? pos_ : line_.size()); }

  // At an opening '"': reads the quoted string into `out`, unescaping \\, \" and \n; any
  // other escape, or a missing closing quote, fails.
  bool ReadQuoted(std::string& out) {
    if (!Consume('"')) return false;
    out.clear();
    size_t run_start = pos_;
    while (pos_ < line_.size()) {
      const char c = line_[pos_];
      if (c == '"') {
        out.append(line_.substr(run_start, pos_ - run_start));
        ++pos_;
        return true;
      }
      if (c != '\\') {
        ++pos_;
        continue;
      }
      out.append(line_.substr(run_start, pos_ - run_start));
      if (pos_ + 1 >= line_.size()) return false;
      const char e = line_[pos_ + 1];
      if (e == '\\' || e == '"') {
        out += e;
      } else if (e == 'n') {
        out += '\n';
      } else {
        return false;
      }
      pos_ += 2;
      run_start = pos_;
    }
    return false;  // no closing quote
  }

 private:
  std::string_view line_;
  size_t pos_ = 0;
};

// "{a="x",b="y",}" with the cursor on '{'. A quoted string not followed by '=' is the
// metric name (UTF-8 names); it may appear only when `name` is still empty.
bool ParseLabelSet(LineCursor& cur, MetricSample& sample) {
  if (!cur.Consume('{')) return false;
  std::string quoted;
  for (;;) {
    cur.SkipBlanks();
    if (cur.Consume('}')) return true;
    if (cur.AtEnd()) return false;
    std::string label_name;
    bool was_quoted = false;
    if (cur.Peek() == '"') {
      if (!cur.ReadQuoted(quoted)) return false;
      label_name = std::move(quoted);
      was_quoted = true;
    } else {
      const std::string_view ident = cur.TakeWhile(IsLabelNameChar);
      if (ident.empty() || IsDigit(ident.front())) return false;
      label_name.assign(ident);
    }
    cur.SkipBlanks();
    if (was_quoted && !cur.AtEnd() && (cur.Peek() == ',' || cur.Peek() == '}')) {
      if (!sample.name.empty() || label_name.empty()) return false;
      sample.name = std::move(label_name);
    } else {
      if (label_name.empty() || !cur.Consume('=')) return false;
      cur.SkipBlanks();
      std::string value;
      if (cur.AtEnd() || cur.Peek() != '"' || !cur.ReadQuoted(value)) return false;
      sample.labels.emplace_back(std::move(label_name), std::move(value));
      cur.SkipBlanks();
    }
    if (cur.Consume(',')) continue;
    if (cur.Consume('}')) return true;
    return false;
  }
}

// A sample line (not blank, not a comment) into `sample`; false when malformed.
bool ParseSampleLine(std::string_view line, MetricSample& sample) {
  LineCursor cur(line);
  cur.SkipBlanks();
  if (cur.AtEnd()) return false;
  // The value must be set apart from what precedes it: by blanks, or by the closing "}".
  bool separated = false;
  if (cur.Peek() != '{') {
    const std::string_view name = cur.TakeWhile(IsMetricNameChar);
    if (name.empty() || IsDigit(name.front())) return false;
    sample.name.assign(name);
    separated = !cur.AtEnd() && IsSpaceOrTab(cur.Peek());
    cur.SkipBlanks();
  }
  if (!cur.AtEnd() && cur.Peek() == '{') {
    if (!ParseLabelSet(cur, sample) || sample.name.empty()) return false;
    separated = true;
  }
  if (!separated) return false;
  cur.SkipBlanks();
  if (!ParseGoFloat(cur.TakeToken(), sample.value)) return false;
  cur.SkipBlanks();
  if (cur.AtEnd() || cur.Peek() == '#') return true;  // "#": an OpenMetrics exemplar
  int64_t ts = 0;
  if (!ParseInt64(cur.TakeToken(), ts)) return false;
  sample.timestamp_ms = ts;
  cur.SkipBlanks();
  return cur.AtEnd() || cur.Peek() == '#';
}

std::optional<MetricType> ParseMetricType(std::string_view token) {
  if (EqualsIgnoreCase(token, "counter")) return MetricType::kCounter;
  if (EqualsIgnoreCase(token, "gauge")) return MetricType::kGauge;
  if (EqualsIgnoreCase(token, "histogram")) return MetricType::kHistogram;
  if (EqualsIgnoreCase(token, "summary")) return MetricType::kSummary;
  if (EqualsIgnoreCase(token, "untyped") || EqualsIgnoreCase(token, "unknown")) return MetricType::kUntyped;
  return std::nullopt;
}

// Unescapes a HELP docstring: \\ -> \, \n -> newline; other backslashes stay as they are.
std::string UnescapeHelp(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == '\\' || text[i + 1] == 'n')) {
      out += text[i + 1] == 'n' ? '\n' : '\\';
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

// A "#" line. Returns false only for a malformed "# HELP" / "# TYPE" line; any other
// comment is accepted and ignored.
bool ParseCommentLine(std::string_view line, PrometheusPage& page) {
  LineCursor cur(line);
  cur.SkipBlanks();
  cur.Consume('#');
  cur.SkipBlanks();
  const std::string_view keyword = cur.TakeToken();
  const bool is_help = keyword == "HELP";
  if (!is_help && keyword != "TYPE") return true;
  if (cur.AtEnd()) return false;  // "# HELP" alone
  cur.SkipBlanks();
  std::string name;
  if (!cur.AtEnd() && cur.Peek() == '"') {
    if (!cur.ReadQuoted(name) || name.empty()) return false;
  } else {
    const std::string_view ident = cur.TakeWhile(IsMetricNameChar);
    if (ident.empty() || IsDigit(ident.front())) return false;
    name.assign(ident);
  }
  if (!cur.AtEnd() && !IsSpaceOrTab(cur.Peek())) return false;
  cur.SkipBlanks();
  if (is_help) {
    page.families[name].help = UnescapeHelp(cur.Rest());
    return true;
  }
  const std::optional<MetricType> type = ParseMetricType(cur.TakeToken());
  cur.SkipBlanks();
  if (!type || !cur.AtEnd()) return false;
  page.families[name].type = *type;
  return true;
}

bool HasSuffix(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string_view MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
    case MetricType::kSummary:
      return "summary";
    case MetricType::kUntyped:
      break;
  }
  return "untyped";
}

PrometheusPage ParsePrometheusText(std::string_view text) {
  PrometheusPage page;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      // A cut last line: never trusted (see the header).
      if (!IsBlankLine(text.substr(pos))) ++page.skipped_lines;
      page.truncated = true;
      break;
    }
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    size_t first = 0;
    while (first < line.size() && IsSpaceOrTab(line[first])) ++first;
    if (first == line.size()) continue;  // blank
    if (line[first] == '#') {
      if (!ParseCommentLine(line, page)) ++page.skipped_lines;
      continue;
    }
    MetricSample& sample = page.samples.emplace_back();
    if (!ParseSampleLine(line, sample)) {
      page.samples.pop_back();
      ++page.skipped_lines;
    }
  }
  return page;
}

const MetricSample* FindSample(const PrometheusPage& page, std::string_view name, const LabelMatchers& labels) {
  for (const MetricSample& sample : page.samples) {
    if (sample.name != name) continue;
    bool all = true;
    for (const auto& [label, value] : labels) {
      bool found = false;
      for (const auto& [have_label, have_value] : sample.labels) {
        if (have_label == label && have_value == value) {
          found = true;
          break;
        }
      }
      if (!found) {
        all = false;
        break;
      }
    }
    if (all) return &sample;
  }
  return nullptr;
}

std::optional<double> FindGauge(const PrometheusPage& page, std::string_view name, const LabelMatchers& labels) {
  const MetricSample* sample = FindSample(page, name, labels);
  if (!sample) return std::nullopt;
  return sample->value;
}

std::string_view FamilyName(const PrometheusPage& page, std::string_view sample_name) {
  struct Suffix {
    std::string_view text;
    bool for_summary;
  };
  static constexpr Suffix kSuffixes[] = {{"_bucket", false}, {"_sum", true}, {"_count", true}};
  for (const Suffix& suffix : kSuffixes) {
    if (!HasSuffix(sample_name, suffix.text)) continue;
    const std::string_view base = sample_name.substr(0, sample_name.size() - suffix.text.size());
    const auto it = page.families.find(std::string(base));
    if (it == page.families.end()) continue;
    if (it->second.type == MetricType::kHistogram ||
        (suffix.for_summary && it->second.type == MetricType::kSummary)) {
      return base;
    }
  }
  return sample_name;
}

std::map<std::string, double> PrometheusResources(const PrometheusPage& page) {
  static constexpr std::pair<std::string_view, const char*> kNames[] = {
      {"go_goroutines", "goroutines"},
      {"go_threads", "threads"},
      {"go_memstats_heap_inuse_bytes", "heap_inuse_bytes"},
      {"go_memstats_heap_objects", "heap_objects"},
      {"go_memstats_heap_alloc_bytes", "heap_alloc_bytes"},
      {"process_open_fds", "fds"},
      {"process_resident_memory_bytes", "rss_bytes"},
  };
  std::map<std::string, double> out;
  for (const auto& [metric, resource] : kNames) {
    const std::optional<double> value = FindGauge(page, metric);
    if (value && std::isfinite(*value)) out[resource] = *value;
  }
  return out;
}

}  // namespace leakgate::probes
