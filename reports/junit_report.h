// junit.xml: the verdict as JUnit XML, the format CI systems (Jenkins, GitLab, GitHub
// test reporters, Azure) show natively.
//
// One <testsuite> named after the scenario, one <testcase> per assertion, leak or
// threshold (classname = scenario name, name = assertion name, "name [phase]" for a
// threshold bound to a phase). A failed assertion carries <failure message=... type=...>:
// for goroutines and proven_leaks the message is the top leaked group in goleak's shape
// (count, state, top function, labels, created by, one stack) and the element's text
// every group; for the others the baseline, final value and limit with what grew (fd
// targets, heap sites). An interrupted run adds a failing test case "run", a run that
// ended in error (target failed, leakgate's own failure) an erroring one, each with the
// run's message; a run without any assertion gets a "run" test case carrying its verdict,
// so no suite is empty. The console summary goes to <system-out>.
//
// Every string is escaped (reports/report_text.h): the document is well-formed XML 1.0 in
// UTF-8 whatever the result holds. Pure function; thread-safe.
#pragma once

#include <string>

#include "reports/run_result.h"

namespace leakgate::reports {

std::string RenderJunitXml(const RunResult& result);

}  // namespace leakgate::reports
