#include "reports/report_text.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <cstdint>

namespace leakgate::reports {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence at the start of `s`, or 0 when it is invalid (bad
// lead byte, bad continuation, overlong form, surrogate, beyond U+10FFFF, or one of the
// noncharacters U+FFFE/U+FFFF that XML forbids).
size_t ValidSequenceLength(std::string_view s) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(0);
  size_t length = 0;
  uint32_t code = 0;
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code = lead & 0x07;
  } else {
    return 0;
  }
  if (s.size() < length) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i) & 0x3F);
  }
  const bool overlong = (length == 3 && code < 0x800) || (length == 4 && code < 0x10000);
  const bool surrogate = code >= 0xD800 && code <= 0xDFFF;
  if (overlong || surrogate || code > 0x10FFFF || code == 0xFFFE || code == 0xFFFF) return 0;
  return length;
}

bool IsForbiddenControl(unsigned char c) {
  return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F;
}

std::string Escape(std::string_view text, bool attribute) {
  const std::string clean = SanitizeUtf8(text);
  std::string out;
  out.reserve(clean.size() + clean.size() / 8);
  for (const char c : clean) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\n': out += attribute ? "&#10;" : "\n"; break;
      case '\r': out += attribute ? "&#13;" : "\r"; break;
      case '\t': out += attribute ? "&#9;" : "\t"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string SanitizeUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const size_t n = ValidSequenceLength(text.substr(i));
    if (n == 0 || (n == 1 && IsForbiddenControl(static_cast<unsigned char>(text[i])))) {
      out += kReplacement;
      ++i;
      continue;
    }
    out.append(text.substr(i, n));
    i += n;
  }
  return out;
}

std::string EscapeMarkup(std::string_view text) { return Escape(text, /*attribute=*/false); }

std::string EscapeMarkupAttribute(std::string_view text) { return Escape(text, /*attribute=*/true); }

std::string CsvField(std::string_view text) {
  const std::string clean = SanitizeUtf8(text);
  if (clean.find_first_of(",\"\r\n") == std::string::npos) return clean;
  std::string out = "\"";
  for (const char c : clean) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string FormatNumber(double value) {
  if (!std::isfinite(value)) return fmt::format("{}", value);
  if (value == std::trunc(value) && std::fabs(value) < 1e15) return fmt::format("{}", static_cast<int64_t>(value));
  return fmt::format("{:.2f}", value);
}

std::string FormatResourceValue(std::string_view name, double value) {
  if (name.ends_with("_bytes")) return fmt::format("{:.1f} MiB", value / (1024.0 * 1024.0));
  if (name == "error_rate" || name.ends_with("_percent")) {
    return fmt::format("{:.2f}%", name == "error_rate" ? value * 100 : value);
  }
  return FormatNumber(value);
}

std::string FormatAssertionValue(const AssertionResult& assertion, double value, bool is_baseline) {
  if (is_baseline && assertion.kind == AssertionKind::kThreshold) return "";
  if (assertion.unit.empty()) return FormatResourceValue(assertion.name, value);
  return fmt::format("{:.4g}{}", value, assertion.unit);
}

std::string VerdictLabel(Verdict verdict) {
  std::string label(VerdictName(verdict));
  for (auto& c : label) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return label;
}

std::string DescribeDependencyPhase(const DependencyPhaseResult& d) {
  std::string out = fmt::format("dependency {}: {} connections, {} requests, {} bytes to it, {} from it", d.name,
                                d.connections, d.requests, d.bytes_upstream, d.bytes_downstream);
  for (const auto& [kind, counters] : d.faults) {
    std::string parts;
    for (const auto& [name, value] : counters) parts += fmt::format("{}{} {}", parts.empty() ? "" : ", ", value, name);
    out += fmt::format("; {}: {}", kind, parts);
  }
  return out;
}

std::string AssertionTitle(const AssertionResult& assertion) {
  return assertion.phase.empty() ? assertion.name : fmt::format("{} [{}]", assertion.name, assertion.phase);
}

std::string JoinLabels(const GoroutineLeak& leak) {
  std::string out;
  for (const auto& [key, value] : leak.labels) {
    if (!out.empty()) out += ", ";
    out += key + "=" + value;
  }
  return out;
}

std::string DescribeGoroutineLeak(const GoroutineLeak& leak, int max_frames) {
  std::string out = fmt::format("{} goroutine{} in state {}, with {} on top of the stack:\n", leak.count,
                                leak.count == 1 ? "" : "s", leak.state.empty() ? "unknown" : leak.state,
                                leak.function.empty() ? "(no user function)" : leak.function);
  if (!leak.labels.empty()) out += "labels: " + JoinLabels(leak) + "\n";
  int shown = 0;
  for (const auto& frame : leak.stack) {
    if (shown++ == max_frames) {
      out += "...\n";
      break;
    }
    out += frame + "\n";
  }
  if (!leak.created_by.empty()) {
    out += "created by " + leak.created_by + "\n";
    if (!leak.created_by_location.empty()) out += "\t" + leak.created_by_location + "\n";
  }
  return out;
}

}  // namespace leakgate::reports
