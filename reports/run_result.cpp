#include "reports/run_result.h"

namespace leakgate::reports {

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass: return "pass";
    case Verdict::kFail: return "fail";
    case Verdict::kError: return "error";
    case Verdict::kInterrupted: return "interrupted";
  }
  return "error";
}

std::string_view LeakEvidenceName(LeakEvidence evidence) {
  switch (evidence) {
    case LeakEvidence::kGrew: return "grew";
    case LeakEvidence::kProven: return "proven";
    case LeakEvidence::kBoth: return "both";
  }
  return "grew";
}

}  // namespace leakgate::reports
