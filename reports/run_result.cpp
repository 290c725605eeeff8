// RunResult is plain data; this file exists so the module has a translation unit of its
// own for future helpers (the writers live in json_report.cpp and console_report.cpp).
#include "reports/run_result.h"
