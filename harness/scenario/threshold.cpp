#include "harness/scenario/threshold.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <optional>
#include <utility>
#include <vector>

#include "harness/scenario/duration.h"
#include "harness/scenario/messages.h"

namespace leakgate::scenario {
namespace {

using Metric = Threshold::Metric;
using Comparison = Threshold::Comparison;

struct MetricSpelling {
  std::string_view name;
  Metric metric;
};

// Canonical names first (MetricName returns the first spelling of each metric).
constexpr std::array<MetricSpelling, 20> kSpellings{{
    {"p50", Metric::kP50},       {"p90", Metric::kP90},       {"p95", Metric::kP95},
    {"p99", Metric::kP99},       {"p99.9", Metric::kP999},    {"p99.99", Metric::kP9999},
    {"max", Metric::kMax},       {"mean", Metric::kMean},     {"errors", Metric::kErrors},
    {"rate", Metric::kRate},     {"req/s", Metric::kRequestsPerSecond},
    {"rps", Metric::kRequestsPerSecond},                      {"avg", Metric::kMean},
    {"med", Metric::kP50},       {"p(50)", Metric::kP50},     {"p(90)", Metric::kP90},
    {"p(95)", Metric::kP95},     {"p(99)", Metric::kP99},     {"p(99.9)", Metric::kP999},
    {"p(99.99)", Metric::kP9999},
}};

constexpr std::string_view kKnownMetrics = "p50, p90, p95, p99, p99.9, p99.99, max, mean, errors, rate, req/s";
constexpr std::string_view kExample = "write e.g. \"p99 < 50ms\", \"errors < 1%\" or \"rate > 95%\"";

bool IsSpace(char c) { return c == ' ' || c == '\t'; }
bool IsComparisonChar(char c) { return c == '<' || c == '>' || c == '=' || c == '!'; }

// A cursor over the expression that records the offset of each error.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  size_t pos() const { return pos_; }
  bool AtEnd() const { return pos_ >= text_.size(); }
  void SkipSpace() {
    while (!AtEnd() && IsSpace(text_[pos_])) ++pos_;
  }
  // The longest run from here of characters for which `in_token` holds.
  template <typename Predicate>
  std::string_view Take(Predicate in_token) {
    const size_t start = pos_;
    while (!AtEnd() && in_token(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

std::optional<Metric> LookUpMetric(std::string_view word) {
  for (const auto& s : kSpellings) {
    if (s.name == word) return s.metric;
  }
  return std::nullopt;
}

std::optional<Comparison> LookUpComparison(std::string_view symbol) {
  if (symbol == "<") return Comparison::kLess;
  if (symbol == "<=") return Comparison::kLessOrEqual;
  if (symbol == ">") return Comparison::kGreater;
  if (symbol == ">=") return Comparison::kGreaterOrEqual;
  return std::nullopt;
}

std::optional<double> FiniteNumber(std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

// The limit in the metric's unit, or the message saying what the value should look like.
std::variant<double, std::string> ParseLimit(Metric metric, std::string_view value) {
  const std::string shown = Quoted(value);
  if (metric <= Metric::kMean) {
    if (const auto d = ParseDuration(value)) return std::chrono::duration<double, std::milli>(*d).count();
    if (FiniteNumber(value)) return fmt::format("{} needs a unit: a latency is a duration such as 50ms or 1.5s", shown);
    return fmt::format("{} is not a duration (a latency is written like 50ms, 200us or 1.5s)", shown);
  }
  if (metric == Metric::kRequestsPerSecond) {
    const auto n = FiniteNumber(value);
    if (!n || *n < 0) return fmt::format("{} is not a number of requests per second (write e.g. 100)", shown);
    return *n;
  }
  const std::string_view what = metric == Metric::kErrors ? "errors" : "rate";
  if (!value.ends_with('%')) {
    if (FiniteNumber(value)) return fmt::format("{} is compared as a percentage: write {}%", what, value);
    return fmt::format("{} is not a percentage (write e.g. {})", shown, metric == Metric::kErrors ? "1%" : "95%");
  }
  const auto n = FiniteNumber(value.substr(0, value.size() - 1));
  if (!n || *n < 0 || *n > 100) return fmt::format("{} is not a percentage between 0% and 100%", shown);
  return *n;
}

}  // namespace

bool Threshold::Holds(double value) const {
  switch (comparison) {
    case Comparison::kLess: return value < limit;
    case Comparison::kLessOrEqual: return value <= limit;
    case Comparison::kGreater: return value > limit;
    case Comparison::kGreaterOrEqual: return value >= limit;
  }
  return false;
}

std::string_view MetricName(Metric metric) {
  for (const auto& s : kSpellings) {
    if (s.metric == metric) return s.name;
  }
  return "?";
}

std::string_view ComparisonSymbol(Comparison comparison) {
  switch (comparison) {
    case Comparison::kLess: return "<";
    case Comparison::kLessOrEqual: return "<=";
    case Comparison::kGreater: return ">";
    case Comparison::kGreaterOrEqual: return ">=";
  }
  return "?";
}

std::string_view MetricUnit(Metric metric) {
  if (metric <= Metric::kMean) return "ms";
  return metric == Metric::kRequestsPerSecond ? " req/s" : "%";
}

std::variant<Threshold, ThresholdSyntaxError> ParseThreshold(std::string_view text) {
  auto error = [](size_t offset, std::string message) { return ThresholdSyntaxError{offset, std::move(message)}; };
  Scanner s(text);
  s.SkipSpace();
  if (s.AtEnd()) return error(s.pos(), fmt::format("empty threshold; {}", kExample));

  const size_t metric_at = s.pos();
  const auto word = s.Take([](char c) { return !IsSpace(c) && !IsComparisonChar(c); });
  if (word.empty()) return error(metric_at, fmt::format("expected a metric before the comparison; {}", kExample));
  const auto metric = LookUpMetric(word);
  if (!metric) {
    std::vector<std::string_view> names;
    for (const auto& sp : kSpellings) names.push_back(sp.name);
    return error(metric_at, fmt::format("unknown metric {}{} (known: {})", Quoted(word), DidYouMean(word, names),
                                        kKnownMetrics));
  }

  s.SkipSpace();
  const size_t comparison_at = s.pos();
  const auto symbol = s.Take(IsComparisonChar);
  if (symbol.empty()) {
    return error(comparison_at, fmt::format("expected a comparison (<, <=, > or >=) after {}", Quoted(word)));
  }
  const auto comparison = LookUpComparison(symbol);
  if (!comparison) return error(comparison_at, fmt::format("unknown comparison {}; use <, <=, > or >=", Quoted(symbol)));

  s.SkipSpace();
  const size_t value_at = s.pos();
  const auto value = s.Take([](char c) { return !IsSpace(c); });
  if (value.empty()) {
    return error(value_at, fmt::format("expected a value after {} {}", Quoted(word), symbol));
  }
  auto limit = ParseLimit(*metric, value);
  if (const auto* message = std::get_if<std::string>(&limit)) return error(value_at, *message);

  s.SkipSpace();
  if (!s.AtEnd()) return error(s.pos(), fmt::format("unexpected {} after the value", Quoted(text.substr(s.pos()))));

  Threshold t;
  t.metric = *metric;
  t.comparison = *comparison;
  t.limit = std::get<double>(limit);
  t.text = std::string(text.substr(metric_at, value_at + value.size() - metric_at));
  return t;
}

}  // namespace leakgate::scenario
