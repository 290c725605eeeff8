#include "leakgate_process.h"

namespace leakgate::testing {

ProcessOutcome RunLeakgate(const std::vector<std::string>& args, std::chrono::seconds timeout,
                           std::chrono::milliseconds interrupt_after) {
  std::vector<std::string> argv{LEAKGATE_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunSubprocess(argv, {LEAKGATE_SOURCE_DIR, timeout, interrupt_after});
}

}  // namespace leakgate::testing
