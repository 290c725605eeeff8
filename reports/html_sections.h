// The sections of report.html (reports/html_report.h), one function each, split by what
// they draw: html_charts.cpp (SVG charts) and html_tables.cpp (tables and lists).
//
// Each returns a complete <section> (or "" when the result has nothing for it) with every
// string of the result escaped. Pure functions; thread-safe. Internal to reports/.
#pragma once

#include <string>

#include "reports/run_result.h"

namespace leakgate::reports::html {

// Charts (html_charts.cpp).
std::string ResourceChartsSection(const RunResult& result);
std::string LoadChartsSection(const RunResult& result);
std::string LatencySection(const RunResult& result);
std::string GcTraceSection(const RunResult& result);

// Tables (html_tables.cpp).
std::string AssertionsSection(const RunResult& result);
std::string PhasesSection(const RunResult& result);
std::string LeaksSection(const RunResult& result);
std::string HeapSection(const RunResult& result);
std::string FdSection(const RunResult& result);
std::string CyclesSection(const RunResult& result);

// The band kind of a phase label ("warmup", "baseline", "settle" or "load"), for charts
// and the phases table alike.
std::string PhaseKind(const RunResult& result, const std::string& phase_label);

}  // namespace leakgate::reports::html
