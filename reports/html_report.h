// report.html: the whole RunResult as one self-contained page for people.
//
// The page holds its stylesheet and its charts (inline SVG, reports/svg_chart.h) and
// nothing else: no script, no font, no image or stylesheet fetched from anywhere (a
// Content-Security-Policy of default-src 'none' says so to the browser too). Links go
// only to the artifacts beside it (relative paths). Every string taken from the result
// is escaped, so a goroutine name, a label or a path cannot inject markup.
//
// Sections, top to bottom: the verdict (colour, message, exit code) and the run's facts;
// assertions; resource charts over the whole run (goroutines, heap in use, fds, sockets,
// RSS, and any other asserted resource) with phase bands, baseline and limit; load per
// second (throughput, errors, p99) with phases end to end; the latency distribution
// (percentiles on a "nines" axis, corrected and uncorrected); phases with per-traffic
// and dependency rows; leaked and proven-leaked goroutine groups; heap growth sites; fd
// targets and fds closed by GC; cycles; GC trace; warnings; artifacts. A section whose
// data is absent says so in one line or is left out; nothing fails on a partial result.
//
// Pure function; thread-safe.
#pragma once

#include <string>

#include "reports/run_result.h"

namespace leakgate::reports {

std::string RenderHtmlReport(const RunResult& result);

}  // namespace leakgate::reports
