#include "harness/scenario/traffic_files.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "harness/scenario/protocol_syntax.h"
#include "harness/scenario/messages.h"
#include "harness/scenario/scenario_error.h"

namespace leakgate::scenario {
namespace {

// Where in a traffic file an error is: the file (and line), and a prefix for the message
// when the format has no lines worth naming ("log.entries[3]: ").
struct Where {
  SourceMark mark;
  std::string prefix;
};

[[noreturn]] void Fail(const Where& where, const std::string& message) {
  throw ScenarioError(where.mark, where.prefix + message);
}

// Calls each(line_number, line) for every line of `text` (1-based; "\r\n" and "\n" ends,
// the ending not included) that is neither blank nor a '#' comment.
template <typename Each>
void ForEachContentLine(std::string_view text, Each&& each) {
  int line_number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t newline = text.find('\n', pos);
    std::string_view line = text.substr(pos, newline == std::string_view::npos ? std::string_view::npos : newline - pos);
    pos = newline == std::string_view::npos ? text.size() : newline + 1;
    ++line_number;
    if (line.ends_with('\r')) line.remove_suffix(1);
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;
    each(line_number, line);
  }
}

nlohmann::json ParseJsonLine(std::string_view line) {
  return nlohmann::json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
}

// "http(s)://host[:port]/p?q" → "/p?q"; a path is kept. nullopt when neither.
std::optional<std::string> PathOfUrl(std::string_view url) {
  if (url.starts_with("/")) return std::string(url);
  for (std::string_view scheme : {"http://", "https://"}) {
    if (url.starts_with(scheme)) {
      const auto rest = url.substr(scheme.size());
      const size_t slash = rest.find_first_of("/?");
      if (slash == std::string_view::npos) return std::string("/");
      std::string path(rest.substr(slash));
      if (path.front() == '?') path.insert(path.begin(), '/');
      const size_t hash = path.find('#');
      if (hash != std::string::npos) path.resize(hash);
      return path;
    }
  }
  return std::nullopt;
}

// Headers leakgate writes itself, or that only make sense on the recorded connection.
bool IsManagedHeader(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; });
  return lower == "host" || lower == "content-length" || lower == "connection" || lower == "transfer-encoding" ||
         lower == "keep-alive" || lower == "upgrade" || lower == "te" || lower == "proxy-connection";
}

// Checks one recorded request and drops the headers leakgate manages.
void CheckRecorded(const Where& where, RecordedRequest& req) {
  if (!IsMethod(req.method)) Fail(where, fmt::format("invalid HTTP method {}", Quoted(req.method)));
  if (HasSpaceOrControl(req.path)) {
    Fail(where, fmt::format("the path must not contain spaces or control characters: {}", Quoted(req.path)));
  }
  std::vector<std::pair<std::string, std::string>> kept;
  for (auto& [name, value] : req.headers) {
    if (name.starts_with(":") || IsManagedHeader(name)) continue;  // HTTP/2 pseudo-headers, hop-by-hop
    if (name.empty() || !std::all_of(name.begin(), name.end(), IsTokenChar)) {
      Fail(where, fmt::format("invalid header name {}", Quoted(name)));
    }
    if (value.find_first_of("\r\n") != std::string::npos || value.find('\0') != std::string::npos) {
      Fail(where, fmt::format("header {} has a line break in its value", name));
    }
    kept.emplace_back(std::move(name), std::move(value));
  }
  req.headers = std::move(kept);
}

// Headers of a recorded request: {"Name": "v"} or [["Name","v"]] or [{"name":..,"value":..}].
std::vector<std::pair<std::string, std::string>> JsonHeaders(const Where& where, const nlohmann::json& h) {
  std::vector<std::pair<std::string, std::string>> out;
  if (h.is_object()) {
    for (const auto& [k, v] : h.items()) {
      if (!v.is_string()) Fail(where, fmt::format("header {} must be a string", Printable(k)));
      out.emplace_back(k, v.get<std::string>());
    }
  } else if (h.is_array()) {
    for (const auto& item : h) {
      if (item.is_array() && item.size() == 2 && item[0].is_string() && item[1].is_string()) {
        out.emplace_back(item[0].get<std::string>(), item[1].get<std::string>());
      } else if (item.is_object() && item.contains("name") && item.contains("value") && item["name"].is_string() &&
                 item["value"].is_string()) {
        out.emplace_back(item["name"].get<std::string>(), item["value"].get<std::string>());
      } else {
        Fail(where, "headers items must be [name, value] or {\"name\": ..., \"value\": ...}");
      }
    }
  } else if (!h.is_null()) {
    Fail(where, "headers must be an object or a list");
  }
  return out;
}

// The longest offset a recording may give: 1e12 ms, about 31.7 years — far beyond any
// phase and far inside Duration's range (about 292 years), so sums and quotients of
// offsets in the load engine cannot overflow.
constexpr double kMaxOffsetMs = 1e12;
constexpr int64_t kMaxOffsetSeconds = 1'000'000'000;

// An offset_ms value (a number in [0, kMaxOffsetMs]) as a Duration; `key` names it in messages.
Duration RecordedOffset(const Where& where, const nlohmann::json& value, std::string_view key) {
  if (!value.is_number() || value.get<double>() < 0) Fail(where, fmt::format("{} must be a number >= 0", key));
  const double ms = value.get<double>();
  if (!(ms <= kMaxOffsetMs)) Fail(where, fmt::format("{} must be at most 1e12 (about 31 years)", key));
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double, std::milli>(ms));
}

// A point in time as whole seconds since the epoch plus nanoseconds in [0, 1e9): exact,
// where a double of nanoseconds since 1970 would be off by up to ~200 ns.
struct Instant {
  int64_t seconds = 0;
  int64_t nanos = 0;
};

// ISO 8601 "2024-05-01T10:00:00.123Z", "...+02:00" or "...+0200" (no zone: UTC). nullopt
// when a field is out of range (month 1-12, day 1-31, hour 0-23, minute 0-59, second
// [0, 61)) or the zone is not ±HH:MM / ±HHMM.
std::optional<Instant> ParseIsoTime(std::string_view s) {
  int y, mo, d, h, mi;
  double sec;
  char tz[16] = {0};
  const std::string str(s);
  if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%lf%15s", &y, &mo, &d, &h, &mi, &sec, tz) < 6) return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || !(sec >= 0 && sec < 61)) {
    return std::nullopt;
  }
  // Days from civil (Howard Hinnant's algorithm).
  y -= mo <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = static_cast<int64_t>(era) * 146097 + doe - 719468;
  const double whole = std::floor(sec);
  Instant at{days * 86400 + h * 3600 + mi * 60 + static_cast<int64_t>(whole), std::llround((sec - whole) * 1e9)};
  if (at.nanos >= 1'000'000'000) {
    ++at.seconds;
    at.nanos -= 1'000'000'000;
  }
  const std::string_view zone(tz);
  if (!zone.empty() && (zone[0] == '+' || zone[0] == '-')) {
    std::string hhmm(zone.substr(1));
    if (hhmm.size() >= 3 && hhmm[2] == ':') hhmm.erase(2, 1);
    if (hhmm.size() < 4 || !std::all_of(hhmm.begin(), hhmm.begin() + 4, IsAsciiDigit)) return std::nullopt;
    const int zone_seconds = ((hhmm[0] - '0') * 10 + (hhmm[1] - '0')) * 3600 + ((hhmm[2] - '0') * 10 + (hhmm[3] - '0')) * 60;
    at.seconds -= (zone[0] == '+' ? 1 : -1) * zone_seconds;
  }
  return at;
}

// The offset of `at` from `first`: 0 when earlier, an error beyond kMaxOffsetSeconds.
Duration OffsetBetween(const Where& where, const Instant& first, const Instant& at) {
  const int64_t seconds = at.seconds - first.seconds;  // |seconds| < 1e12: years are 4 digits
  if (seconds < 0) return Duration::zero();
  if (seconds > kMaxOffsetSeconds) Fail(where, "startedDateTime is more than 1e12 ms (about 31 years) after the first entry's");
  const Duration offset = std::chrono::seconds(seconds) + std::chrono::nanoseconds(at.nanos - first.nanos);
  return std::max(offset, Duration::zero());
}

}  // namespace

CsvTable ParseCsv(std::string_view text, const std::string& file) {
  std::vector<std::vector<std::string>> records;
  std::vector<int> lines;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, field_started = false;
  int line = 1, record_line = 1;
  auto end_field = [&] {
    record.push_back(std::move(field));
    field.clear();
    field_started = false;
  };
  auto end_record = [&] {
    end_field();
    if (!(record.size() == 1 && record.front().empty())) {  // skip blank lines
      records.push_back(std::move(record));
      lines.push_back(record_line);
    }
    record.clear();
    record_line = line;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
    } else if (c == '"' && !field_started) {
      quoted = field_started = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\n' || c == '\r') {
      // "\r\n", "\n" and a lone "\r" end a record; lines are counted by their "\n" as
      // editors count them.
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (text[i] == '\n') ++line;
      end_record();
    } else {
      field += c;
      field_started = true;
    }
  }
  const Where whole{SourceMark{file, 0, 0}, ""};
  if (quoted) Fail(Where{SourceMark{file, record_line, 0}, ""}, "unterminated quoted field");
  if (!field.empty() || !record.empty()) end_record();
  if (records.empty()) Fail(whole, "the CSV file is empty (it needs a header line and at least one row)");
  CsvTable table;
  table.columns = records.front();
  for (const auto& name : table.columns) {
    if (name.empty()) Fail(Where{SourceMark{file, lines.front(), 0}, ""}, "empty column name in the header line");
  }
  for (size_t k = 1; k < records.size(); ++k) {
    if (records[k].size() != table.columns.size()) {
      Fail(Where{SourceMark{file, lines[k], 0}, ""},
           fmt::format("{} fields, but the header line has {}", records[k].size(), table.columns.size()));
    }
    table.rows.push_back(std::move(records[k]));
  }
  if (table.rows.empty()) Fail(whole, "the CSV file has a header line but no rows");
  return table;
}

std::vector<RecordedRequest> ParseJsonLinesReplay(std::string_view text, const std::string& file) {
  static const std::vector<std::string> kKeys{"method", "url", "path", "headers", "body", "offset_ms"};
  std::vector<RecordedRequest> out;
  ForEachContentLine(text, [&](int line_number, std::string_view line) {
    const Where where{SourceMark{file, line_number, 0}, ""};
    const auto j = ParseJsonLine(line);
    if (j.is_discarded() || !j.is_object()) Fail(where, "expected one JSON object per line");
    for (const auto& [key, value] : j.items()) {
      if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
        Fail(where, fmt::format("unknown key '{}'{}", Printable(key), DidYouMean(key, kKeys)));
      }
    }
    RecordedRequest req;
    if (j.contains("method")) {
      if (!j["method"].is_string()) Fail(where, "method must be a string");
      req.method = j["method"].get<std::string>();
    }
    const char* url_key = j.contains("url") ? "url" : j.contains("path") ? "path" : nullptr;
    if (url_key == nullptr) Fail(where, "needs \"url\" or \"path\"");
    if (!j[url_key].is_string()) Fail(where, fmt::format("{} must be a string", url_key));
    const auto p = PathOfUrl(j[url_key].get<std::string>());
    if (!p) Fail(where, fmt::format("{} must be an http(s):// URL or a path starting with '/'", url_key));
    req.path = *p;
    if (j.contains("headers")) req.headers = JsonHeaders(where, j["headers"]);
    if (j.contains("body")) {
      if (!j["body"].is_string()) Fail(where, "body must be a string");
      req.body = j["body"].get<std::string>();
    }
    if (j.contains("offset_ms")) req.offset = RecordedOffset(where, j["offset_ms"], "offset_ms");
    CheckRecorded(where, req);
    out.push_back(std::move(req));
  });
  return out;
}

std::vector<RecordedRequest> ParseHar(std::string_view text, const std::string& file) {
  const Where whole{SourceMark{file, 0, 0}, ""};
  const auto j = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) Fail(whole, "not valid JSON");
  if (!j.is_object() || !j.contains("log") || !j["log"].is_object() || !j["log"].contains("entries") ||
      !j["log"]["entries"].is_array()) {
    Fail(whole, "expected a HAR file (an object with log.entries[])");
  }
  std::vector<RecordedRequest> out;
  std::optional<Instant> first;
  const auto& entries = j["log"]["entries"];
  for (size_t i = 0; i < entries.size(); ++i) {
    const Where where{SourceMark{file, 0, 0}, fmt::format("log.entries[{}]: ", i)};
    const auto& e = entries[i];
    if (!e.is_object() || !e.contains("request") || !e["request"].is_object()) Fail(where, "needs request");
    const auto& q = e["request"];
    RecordedRequest req;
    if (!q.contains("method") || !q["method"].is_string() || !q.contains("url") || !q["url"].is_string()) {
      Fail(where, "request needs method and url strings");
    }
    req.method = q["method"].get<std::string>();
    const auto p = PathOfUrl(q["url"].get<std::string>());
    if (!p) Fail(where, "request.url must be an http(s):// URL");
    req.path = *p;
    if (q.contains("headers")) req.headers = JsonHeaders(where, q["headers"]);
    if (q.contains("postData") && q["postData"].is_object() && q["postData"].contains("text") &&
        q["postData"]["text"].is_string()) {
      req.body = q["postData"]["text"].get<std::string>();
    }
    if (e.contains("startedDateTime") && e["startedDateTime"].is_string()) {
      const auto at = ParseIsoTime(e["startedDateTime"].get<std::string>());
      if (!at) Fail(where, "startedDateTime is not an ISO 8601 time");
      if (!first) first = *at;
      req.offset = OffsetBetween(where, *first, *at);
    }
    CheckRecorded(where, req);
    out.push_back(std::move(req));
  }
  return out;
}

std::vector<GrpcRecordedCall> ParseGrpcReplay(std::string_view text, const std::string& file) {
  static const std::vector<std::string> kKeys{"method", "metadata", "request", "requests", "offset_ms"};
  std::vector<GrpcRecordedCall> calls;
  ForEachContentLine(text, [&](int line_number, std::string_view line) {
    const Where where{SourceMark{file, line_number, 0}, ""};
    const auto j = ParseJsonLine(line);
    if (j.is_discarded() || !j.is_object()) Fail(where, "expected one JSON object per line");
    GrpcRecordedCall call;
    call.line = line_number;
    for (const auto& [key, value] : j.items()) {
      if (key == "method") {
        if (!value.is_string()) Fail(where, "\"method\" must be a string");
        std::string m = value.get<std::string>();
        if (m.starts_with("/")) m.erase(0, 1);
        if (!IsGrpcMethodShape(m)) Fail(where, fmt::format("\"method\": expected \"package.Service/Method\", got {}", Quoted(m)));
        call.method = std::move(m);
      } else if (key == "metadata") {
        if (!value.is_object()) Fail(where, "\"metadata\" must be an object of strings");
        for (const auto& [mk, mv] : value.items()) {
          if (!mv.is_string()) Fail(where, fmt::format("\"metadata\".{} must be a string", Printable(mk)));
          call.metadata.emplace_back(mk, mv.get<std::string>());
        }
      } else if (key == "request") {
        if (!value.is_object()) Fail(where, "\"request\" must be a JSON object");
        call.requests.push_back(value.dump());
      } else if (key == "requests") {
        if (!value.is_array() || value.empty()) Fail(where, "\"requests\" must be a non-empty array of JSON objects");
        for (const auto& m : value) {
          if (!m.is_object()) Fail(where, "\"requests\" must be a non-empty array of JSON objects");
          call.requests.push_back(m.dump());
        }
      } else if (key == "offset_ms") {
        call.offset = RecordedOffset(where, value, "\"offset_ms\"");
      } else {
        Fail(where, fmt::format("unknown key '{}'{}", Printable(key), DidYouMean(key, kKeys)));
      }
    }
    if (call.method.empty()) Fail(where, "missing \"method\"");
    if (call.requests.empty()) call.requests.push_back("{}");
    if (!calls.empty() && call.offset < calls.back().offset) Fail(where, "\"offset_ms\" must not decrease from line to line");
    calls.push_back(std::move(call));
  });
  return calls;
}

}  // namespace leakgate::scenario
