// samples.csv: every probe sample of the run (RunResult::timeline), one row each, for
// spreadsheets and plotting tools.
//
// Columns: t_s (seconds since the sampler started), phase (the phase or step the sample
// was taken in: a phase name, "baseline" or "settle"), then one column per resource name
// seen in any sample, sorted by name. A cell is empty when its sample lacks that
// resource. Numbers are printed in their shortest exact form; text fields follow RFC
// 4180 (quoted when needed). Lines end with CRLF (RFC 4180). A result without samples
// gives the header "t_s,phase" alone. Pure function; thread-safe.
#pragma once

#include <string>

#include "reports/run_result.h"

namespace leakgate::reports {

std::string RenderSamplesCsv(const RunResult& result);

}  // namespace leakgate::reports
