// libFuzzer target for the Prometheus text parser (probes/prometheus_text.h).
//
// Beyond "no crash, no sanitizer report", it traps when an invariant breaks:
//   * every sample has a non-empty name; strings other than label values and help carry
//     no line break;
//   * skipped_lines never exceeds the number of lines;
//   * the same text with "\r\n" line ends parses to the same page;
//   * round trip: the samples written back in exposition format (escaped, quoted names
//     where needed, values with 17 digits) parse to exactly the same samples;
//   * lookups agree with the sample list; resources are finite.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "probes/prometheus_text.h"

namespace {

using namespace leakgate::probes;

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

bool OneLine(std::string_view s) { return s.find('\n') == std::string_view::npos; }

bool IsName(std::string_view s, bool metric) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    (metric && c == ':');
    if (!ok) return false;
  }
  return true;
}

void AppendQuoted(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  out += '"';
}

void AppendValue(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    out += buf;
  }
}

std::string Format(const PrometheusPage& page) {
  std::string out;
  for (const MetricSample& s : page.samples) {
    const bool quoted_name = !IsName(s.name, true);
    if (!quoted_name) out += s.name;
    out += '{';
    if (quoted_name) {
      AppendQuoted(out, s.name);
      out += ',';
    }
    for (const auto& [name, value] : s.labels) {
      if (IsName(name, false)) {
        out += name;
      } else {
        AppendQuoted(out, name);
      }
      out += '=';
      AppendQuoted(out, value);
      out += ',';
    }
    out += "} ";
    AppendValue(out, s.value);
    if (s.timestamp_ms) out += " " + std::to_string(*s.timestamp_ms);
    out += '\n';
  }
  return out;
}

bool SameValue(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

bool SameSamples(const PrometheusPage& a, const PrometheusPage& b) {
  if (a.samples.size() != b.samples.size()) return false;
  for (size_t i = 0; i < a.samples.size(); ++i) {
    const MetricSample& x = a.samples[i];
    const MetricSample& y = b.samples[i];
    if (x.name != y.name || x.labels != y.labels || x.timestamp_ms != y.timestamp_ms || !SameValue(x.value, y.value)) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const PrometheusPage page = ParsePrometheusText(text);

  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  Check(page.skipped_lines <= lines + 1);
  Check(page.truncated == (!text.empty() && text.back() != '\n'));
  for (const MetricSample& s : page.samples) {
    Check(!s.name.empty());
    for (const auto& [name, value] : s.labels) Check(!name.empty());
  }
  for (const auto& [name, family] : page.families) {
    Check(!name.empty());
    Check(!MetricTypeName(family.type).empty());
  }

  if (text.find('\r') == std::string_view::npos) {
    std::string crlf;
    crlf.reserve(text.size() + lines);
    for (char c : text) {
      if (c == '\n') crlf += '\r';
      crlf += c;
    }
    const PrometheusPage again = ParsePrometheusText(crlf);
    Check(SameSamples(page, again));
    Check(again.skipped_lines == page.skipped_lines);
    Check(again.families.size() == page.families.size());
  }

  const PrometheusPage round_trip = ParsePrometheusText(Format(page));
  Check(round_trip.skipped_lines == 0);
  Check(SameSamples(page, round_trip));

  if (!page.samples.empty()) {
    const MetricSample& first = page.samples.front();
    Check(FindSample(page, first.name) == &page.samples.front());
    LabelMatchers all;
    for (const auto& [name, value] : first.labels) all.emplace_back(name, value);
    Check(FindSample(page, first.name, all) == &page.samples.front());
    (void)FamilyName(page, first.name);
  }
  for (const auto& [name, value] : PrometheusResources(page)) Check(std::isfinite(value) && OneLine(name));
  return 0;
}
