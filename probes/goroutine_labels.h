// pprof label sets as Go prints them in goroutine dumps, and Go's quoted strings.
//
//   debug=1 group (runtime/pprof labelMap.String, every Go version):
//       # labels: {"method":"GET", "route":"/leak/x"}
//     keys and values always quoted with fmt's %q (strconv.Quote); pairs sorted by their
//     `"key":"value"` text.
//   debug=2 header with GODEBUG=tracebacklabels=1 (runtime goroutineheader):
//     Go 1.26, inside the bracket:  goroutine 7 [select labels:{"method": "GET"}]:
//       keys and values always quoted (runtime printquoted);
//     Go 1.27+, after the bracket:  goroutine 7 [select] {method: GET, route: "/leak/x"}:
//       a key or value is quoted only when it has a character outside [A-Za-z0-9./_]; an
//       empty one prints as nothing ("{empty: , k: v}"). The default for `go 1.27` modules.
//     Pairs in label.Set order: sorted by key.
//
// The parsers accept both separators (":" and ": "), quoted and bare tokens anywhere, and
// keep the pairs in the order printed. They never throw (beyond std::bad_alloc), never read
// outside their argument, and return 0 for anything they cannot read completely — such as
// a set cut off by the end of a truncated dump.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leakgate::probes {

// A goroutine's pprof labels, (key, value) in the order Go printed them, unescaped.
using PprofLabels = std::vector<std::pair<std::string, std::string>>;

// Parses the label set "{...}" at the start of `text` into `out` (cleared first). Returns
// the number of characters of the set, through its closing "}"; 0 when `text` does not
// start with a complete, well-formed set (then `out` is empty). "{}" is an empty set.
// Tokens are quoted ("...", see UnquoteGoString) or bare: a bare key ends at ":", a bare
// value at "," or "}".
size_t ParseLabelSet(std::string_view text, PprofLabels& out);

// Unquotes the Go double-quoted string at the start of `text` into `out` (cleared first).
// Escapes as strconv.Quote and the runtime's printquoted write them: \a \b \f \n \r \t \v
// \\ \" \', \xHH and \ooo (one raw byte each: Go's escape of an invalid UTF-8 byte),
// \uHHHH and \UHHHHHHHH (UTF-8; a surrogate or a value above U+10FFFF becomes U+FFFD).
// An unknown escape is kept as written. Returns the number of characters through the
// closing quote, 0 when there is no complete quoted string at the start of `text`.
size_t UnquoteGoString(std::string_view text, std::string& out);

}  // namespace leakgate::probes
