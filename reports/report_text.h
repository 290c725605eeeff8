// Text helpers shared by the report writers: escaping for HTML/XML, Markdown and CSV,
// number formatting with the unit a resource name implies, and the goleak-shaped
// description of a leaked goroutine group.
//
// Contracts shared by every function here:
// - Input is whatever the result holds (goroutine names, labels, paths from a target):
//   any bytes. Invalid UTF-8 and control characters that the output format cannot carry
//   become U+FFFD, so the output is always valid UTF-8 and, for markup, well-formed.
// - Pure functions of their arguments; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "reports/run_result.h"

namespace leakgate::reports {

// `text` as valid UTF-8: every invalid sequence, and every C0 control character except
// tab, newline and carriage return (and DEL), replaced by U+FFFD.
std::string SanitizeUtf8(std::string_view text);

// Escaped for HTML or XML element content: & < > " ' become entities (after SanitizeUtf8).
std::string EscapeMarkup(std::string_view text);

// Escaped for a double-quoted HTML or XML attribute: as EscapeMarkup, and tab, newline
// and carriage return as character references so attribute normalization keeps them.
std::string EscapeMarkupAttribute(std::string_view text);

// One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF; quotes doubled.
std::string CsvField(std::string_view text);

// "12" for integral values, "12.35" otherwise.
std::string FormatNumber(double value);

// A resource or assertion value in the unit its name implies: *_bytes in MiB
// ("12.3 MiB"), error_rate and *_percent as a percentage, anything else a number.
std::string FormatResourceValue(std::string_view name, double value);

// One of an assertion's values (baseline, final or limit) in the assertion's unit: its
// `unit` when set (a phase threshold: "63.2ms", "0.52%", "98 req/s"), else the unit its
// name implies (FormatResourceValue). A threshold has no baseline: "" for kind kThreshold
// when `value` is its baseline (`is_baseline`).
std::string FormatAssertionValue(const AssertionResult& assertion, double value, bool is_baseline = false);

// "PASS", "FAIL", "ERROR", "INTERRUPTED".
std::string VerdictLabel(Verdict verdict);

// What the chaos proxy did to one dependency in one phase, on one line: "dependency quotes:
// 12 connections, 30 requests, 900 bytes to it, 4096 from it; blackhole: 12 connections,
// 900 bytes_dropped".
std::string DescribeDependencyPhase(const DependencyPhaseResult& d);

// "goroutines", or "p99 < 50ms [load]" for an assertion bound to a phase.
std::string AssertionTitle(const AssertionResult& assertion);

// A leaked group the way goleak prints one, so CI readers recognize it:
//
//   1199 goroutines in state chan send, with main.blockedSend.func1 on top of the stack:
//   labels: route=/leak/blocked-send
//   main.blockedSend.func1 /src/x.go:43
//   ...
//   created by main.blockedSend
//           /src/x.go:40
//
// At most `max_frames` frames of the representative stack ("..." when cut).
std::string DescribeGoroutineLeak(const GoroutineLeak& leak, int max_frames = 16);

// "route=/a, tenant=7" (labels in their order), "" when none.
std::string JoinLabels(const GoroutineLeak& leak);

}  // namespace leakgate::reports
