#include "harness/scenario/traffic_section.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "harness/scenario/grpc_section.h"
#include "harness/scenario/input_file.h"
#include "harness/scenario/limits.h"
#include "harness/scenario/messages.h"
#include "harness/scenario/protocol_syntax.h"
#include "harness/scenario/templates.h"
#include "harness/scenario/traffic_files.h"

namespace leakgate::scenario {
namespace {

// The whole of the recording or table `path` (`what` names it in messages), errors placed at `r`.
std::string ReadWholeFile(const Reader& r, const std::string& path, std::string_view what) {
  return r.Placed([&] { return ReadInputFile(path, fmt::format("{} {}", what, Quoted(path)), limits::kRecordingFileBytes); });
}

// A template of `text` (with the CSV table of `t`, if any), errors placed at `r`.
Template TemplateAt(const Reader& r, std::string_view text, const Traffic& t) {
  auto parsed = r.Placed([&] { return ParseTemplate(text, t.csv_columns); });
  std::size_t longest_cell = 0;
  for (const auto& row : t.csv_rows) {
    for (const auto& cell : row) longest_cell = std::max(longest_cell, cell.size());
  }
  if (const auto longest = LongestRendering(parsed, longest_cell); longest > limits::kRenderedTemplateBytes) {
    r.Fail(fmt::format("renders up to {}, more than {} (leakgate's ceiling)", FormatBytes(longest),
                       FormatBytes(limits::kRenderedTemplateBytes)));
  }
  return parsed;
}

Replay ReadReplay(const Reader& r) {
  Replay replay;
  std::optional<Reader> format;
  if (r.IsMap()) {
    const auto m = r.Map({"file", "format", "speed"});
    replay.file = NonEmptyString(m.Require("file"));
    format = m.Get("format");
    if (const auto v = m.Get("speed")) replay.speed = PositiveNumber(*v);
  } else {
    replay.file = NonEmptyString(r);
  }
  if (format) {
    replay.format = format->String();
    if (replay.format != "jsonl" && replay.format != "har") format->Fail(fmt::format("expected jsonl or har, got {}", Quoted(replay.format)));
  } else {
    replay.format = replay.file.ends_with(".har") ? "har" : "jsonl";
  }
  const bool har = replay.format == "har";
  const std::string text = ReadWholeFile(r, replay.file, har ? "HAR file" : "replay file");
  replay.requests = r.Placed([&] { return har ? ParseHar(text, replay.file) : ParseJsonLinesReplay(text, replay.file); });
  if (replay.requests.empty()) r.Fail(fmt::format("{}: no requests in the recording", replay.file));
  // Replayed in recorded order; an offset earlier than its predecessor's waits for it.
  for (size_t i = 1; i < replay.requests.size(); ++i) {
    replay.requests[i].offset = std::max(replay.requests[i].offset, replay.requests[i - 1].offset);
  }
  return replay;
}

std::string ReadMethod(const Reader& r) {
  std::string method = r.String();
  if (IsMethod(method)) return method;
  std::string upper = method;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](char c) { return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c; });
  r.Fail(IsMethod(upper)
             ? fmt::format("invalid HTTP method {} (methods are case-sensitive: did you mean '{}'?)", Quoted(method), upper)
             : fmt::format("invalid HTTP method {} (expected upper-case letters, digits, '-' or '_', e.g. GET, POST)",
                           Quoted(method)));
}

// path: "/p?q" relative to target.url, or "http://HOST:PORT/p?q" (another port of the
// service): then base_url is "http://HOST:PORT" and path the rest.
void ReadPath(const Reader& r, Traffic& t) {
  const std::string text = r.String();
  if (const auto scheme = UrlScheme(text)) {
    if (*scheme == "https") {
      r.Fail(fmt::format("https:// URLs are not supported yet (use http://, or a path relative to target.url), got {}", Quoted(text)));
    }
    if (*scheme != "http") {
      r.Fail(fmt::format("unsupported URL scheme '{}' (use a path starting with '/' or an http:// URL), got {}", Printable(*scheme),
                         Quoted(text)));
    }
    auto parts = SplitHttpUrl(text);
    if (!parts) r.Fail(fmt::format("expected an http://HOST:PORT/path URL (no user info or fragment), got {}", Quoted(text)));
    t.base_url = std::move(parts->origin);
    t.path = std::move(parts->path);
  } else {
    t.path = text;
  }
  if (!t.path.starts_with("/")) r.Fail(fmt::format("must start with '/', got {}", Quoted(t.path)));
  t.path_template = TemplateAt(r, t.path, t);
  // Spaces may separate a variable's arguments ({{randint 1 9}}), nowhere else.
  for (const auto& part : t.path_template) {
    if (part.kind == TemplatePart::kLiteral && HasSpaceOrControl(part.text)) {
      r.Fail(fmt::format("must not contain spaces or control characters (percent-encode them), got {}", Quoted(t.path)));
    }
  }
}

void ReadHeaders(const Reader& headers, Traffic& t) {
  for (const auto& [header, key_mark, value] : headers.Entries()) {
    if (header.empty() || !std::all_of(header.begin(), header.end(), IsTokenChar)) {
      headers.context().Fail(key_mark, headers.path(), fmt::format("invalid header name {}", Quoted(header)));
    }
    std::string text = value.String();
    if (text.find_first_of("\r\n", 0) != std::string::npos || text.find('\0') != std::string::npos) {
      value.Fail("header values must not contain line breaks");
    }
    t.header_templates.push_back(TemplateAt(value, text, t));
    t.headers.emplace_back(header, std::move(text));
  }
}

// An HTTP request template entry (neither grpc: nor replay:).
void ReadHttpTemplate(const Reader& item, const MapReader& m, Traffic& t) {
  if (const auto v = m.Get("csv")) {
    t.csv_file = NonEmptyString(*v);
    const std::string text = ReadWholeFile(*v, t.csv_file, "CSV file");
    auto table = v->Placed([&] { return ParseCsv(text, t.csv_file); });
    t.csv_columns = std::move(table.columns);
    t.csv_rows = std::move(table.rows);
  }
  if (const auto v = m.Get("method")) t.method = ReadMethod(*v);
  if (const auto v = m.Get("path")) {
    ReadPath(*v, t);
  } else {
    t.path_template = TemplateAt(item, t.path, t);
  }
  if (const auto headers = m.Get("headers")) ReadHeaders(*headers, t);
  if (const auto v = m.Get("body")) {
    t.body = v->String();
    t.body_template = TemplateAt(*v, t.body, t);
  }
}

}  // namespace

bool IsMixed(const std::vector<Traffic>& traffic) {
  return std::any_of(traffic.begin(), traffic.end(), IsGrpcTraffic) && std::any_of(traffic.begin(), traffic.end(), IsHttpTraffic);
}

std::vector<std::string> NamesOf(const std::vector<Traffic>& traffic, bool (*pred)(const Traffic&)) {
  std::vector<std::string> names;
  for (const auto& t : traffic) {
    if (pred(t)) names.push_back(t.name);
  }
  return names;
}

std::vector<Traffic> ReadTraffic(const Reader& r) {
  std::vector<Traffic> out;
  UniqueNames names("traffic");
  for (const auto& item : r.Items()) {
    const auto m = item.Map({"name", "method", "path", "headers", "body", "weight", "csv", "replay", "grpc"});
    Traffic t;
    t.mark = item.source_mark();
    const auto name = m.Require("name");
    t.name = NonEmptyString(name);
    names.Add(name, t.name);
    if (m.Get("grpc")) {
      ReadGrpcTraffic(m, t);
    } else if (const auto replay = m.Get("replay")) {
      for (const char* key : {"method", "path", "headers", "body", "csv"}) {
        if (const auto v = m.Get(key)) v->Fail(fmt::format("not allowed with replay: (the recording gives each request's {})", key));
      }
      t.replay = ReadReplay(*replay);
    } else {
      ReadHttpTemplate(item, m, t);
    }
    if (const auto v = m.Get("weight")) t.weight = PositiveNumber(*v);
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace leakgate::scenario
