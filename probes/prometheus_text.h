// Parser for the Prometheus text exposition format 0.0.4: what Go's client_golang
// (promhttp) serves on /metrics when the scraper sends no OpenMetrics Accept header.
//
//   # HELP http_requests_total Requests by handler.\nSecond line.
//   # TYPE http_requests_total counter
//   http_requests_total{code="200",path="/a,b{c}"} 1.5e+06
//   http_requests_total{code="500",path="say \"hi\"\\"} 3 1795419723713
//
// Contracts:
//   * Lenient and total: never throws (except std::bad_alloc) and never reads outside
//     `text`. A line that is not a comment, a blank line or a well-formed sample is skipped
//     and counted in PrometheusPage::skipped_lines; parsing goes on with the next line.
//   * "\r\n" line ends are accepted.
//   * A last line without "\n" may have been cut by a size limit ("go_goroutines 1" of
//     "go_goroutines 123"), so it is never used: it is counted in skipped_lines (unless
//     blank) and PrometheusPage::truncated is set. Go always ends the page with "\n".
//   * Values are parsed as Go's strconv.ParseFloat would: integers, "1.5e+06", "NaN",
//     "+Inf", "-Inf" (case-insensitive). A value out of double range is a malformed line.
//   * Label values are unescaped (\\ -> \, \" -> ", \n -> newline); any other escape makes
//     the line malformed, as in Prometheus. Commas, braces and "=" inside the quotes are
//     part of the value.
//   * Also accepted: the quoted UTF-8 names of newer exposition
//     ({"my.metric","label.x"="v"} 1), a trailing comma in the label set, blanks around
//     label tokens, and an OpenMetrics exemplar (" # {...} v") after the value, which is
//     ignored.
//   * Results do not refer to `text` after return. All functions are pure and safe to call
//     concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leakgate::probes {

// One sample line. `name` is the series name as printed: for histograms and summaries it
// carries the suffix ("http_request_duration_seconds_bucket", "..._sum", "..._count").
struct MetricSample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;  // page order, values unescaped
  double value = 0;
  std::optional<int64_t> timestamp_ms;  // the optional third column, ms since the epoch
};

enum class MetricType { kUntyped, kCounter, kGauge, kHistogram, kSummary };

// "counter", "gauge", "histogram", "summary", "untyped".
std::string_view MetricTypeName(MetricType type);

// What "# TYPE" and "# HELP" said about a family. A family seen in only one of them has
// the other left at its default.
struct MetricFamilyInfo {
  MetricType type = MetricType::kUntyped;
  std::string help;  // unescaped (\\ -> \, \n -> newline)
};

struct PrometheusPage {
  std::vector<MetricSample> samples;                 // page order
  std::map<std::string, MetricFamilyInfo> families;  // by family name (no _bucket/_sum/_count)
  // Lines that were neither blank, a comment, nor a well-formed sample, plus malformed
  // "# HELP"/"# TYPE" lines and a cut last line. Other "#" comments are not counted.
  size_t skipped_lines = 0;
  bool truncated = false;  // the text did not end with "\n" (its last line was dropped)
};

// Parses a whole /metrics page. A later "# HELP"/"# TYPE" for a family replaces an earlier
// one; an unknown type ("# TYPE x enum") is a malformed line and leaves the type unset.
PrometheusPage ParsePrometheusText(std::string_view text);

// Label constraints for lookups: every pair must be present with exactly that value;
// other labels of the sample are ignored.
using LabelMatchers = std::vector<std::pair<std::string_view, std::string_view>>;

// The first sample in page order named exactly `name` (suffix included) whose labels
// satisfy `labels`; nullptr if none. The pointer is into `page.samples`.
const MetricSample* FindSample(const PrometheusPage& page, std::string_view name, const LabelMatchers& labels = {});

// FindSample's value; nullopt when there is no such sample. Works for any sample type
// (the name reflects its main use: reading a gauge such as go_goroutines).
std::optional<double> FindGauge(const PrometheusPage& page, std::string_view name, const LabelMatchers& labels = {});

// The family a series belongs to: `sample_name` without "_bucket"/"_sum"/"_count" when the
// page typed the base name as a histogram or summary, else `sample_name` itself. The
// result views into `sample_name`.
std::string_view FamilyName(const PrometheusPage& page, std::string_view sample_name);

// The standard Go runtime and process collectors' readings under leakgate's resource
// names (the keys of a probes::ResourceSample):
//   go_goroutines -> "goroutines"                  go_threads -> "threads"
//   go_memstats_heap_inuse_bytes -> "heap_inuse_bytes"
//   go_memstats_heap_objects -> "heap_objects"     go_memstats_heap_alloc_bytes -> "heap_alloc_bytes"
//   process_open_fds -> "fds"                      process_resident_memory_bytes -> "rss_bytes"
// From the first sample of each name (labels ignored). A metric the page lacks, or whose
// value is NaN or infinite, is left out of the map.
std::map<std::string, double> PrometheusResources(const PrometheusPage& page);

}  // namespace leakgate::probes
