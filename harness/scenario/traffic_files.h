// The files a traffic entry names, each read by its own pure parser over the file's text:
// CSV data (RFC 4180), HTTP recordings as JSON lines or HAR 1.2, and gRPC recordings as
// JSON lines (formats: scenarios/FORMAT.md, "traffic" and "gRPC").
//
// Contract shared by every parser here:
//  - A pure function of (text, file): no I/O (the caller reads the file), no state. `file`
//    is only used in messages.
//  - It returns the parsed records or throws ScenarioError whose mark is the traffic
//    file's own position — SourceMark{file, line} for line-based formats, {file} alone
//    otherwise — so what() reads "rec.jsonl:2: unknown key 'pth' (did you mean 'path'?)".
//    The scenario loader places that error at the YAML key that named the file.
//  - Lines end in "\n" or "\r\n"; JSON-lines formats skip blank lines and lines whose first
//    non-blank character is '#'. Any byte sequence is accepted as input (it is fuzzed).
// Thread-safety: none needed (no state).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/scenario.h"

namespace leakgate::scenario {

struct CsvTable {
  std::vector<std::string> columns;            // the header line, no name empty
  std::vector<std::vector<std::string>> rows;  // ≥ 1, each with columns.size() fields
};

// RFC 4180 CSV: a header line, then rows with as many fields; quoted fields may hold
// commas, "" and line breaks; blank lines are skipped. An empty file, an empty column
// name, a row with the wrong number of fields, no rows and an unterminated quote are errors.
CsvTable ParseCsv(std::string_view text, const std::string& file);

// JSON lines: one object per line {method?, url | path, headers?, body?, offset_ms?}; a URL
// is reduced to its path and query (the recording's host is dropped). Headers leakgate
// writes itself (Host, Content-Length, hop-by-hop) and HTTP/2 pseudo-headers are dropped.
// May return no requests (the caller decides whether that is an error).
std::vector<RecordedRequest> ParseJsonLinesReplay(std::string_view text, const std::string& file);

// HAR 1.2 (a browser's dev-tools export): log.entries[].request {method, url, headers,
// postData.text}; startedDateTime gives each request's offset from the first one (never
// negative). Headers as in ParseJsonLinesReplay. Errors name "log.entries[i]".
std::vector<RecordedRequest> ParseHar(std::string_view text, const std::string& file);

// gRPC replay: one JSON object per line {method, metadata?, request? | requests?,
// offset_ms?}; a call without messages sends one empty message ("{}"); offsets must not
// decrease. May return no calls (the caller decides whether that is an error).
std::vector<GrpcRecordedCall> ParseGrpcReplay(std::string_view text, const std::string& file);

}  // namespace leakgate::scenario
