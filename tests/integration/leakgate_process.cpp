#include "leakgate_process.h"

namespace leakgate::testing {

ProcessOutcome RunCommand(const std::vector<std::string>& argv, std::chrono::seconds timeout,
                          std::chrono::milliseconds interrupt_after) {
  return RunSubprocess(argv, {LEAKGATE_SOURCE_DIR, timeout, interrupt_after});
}

ProcessOutcome RunLeakgate(const std::vector<std::string>& args, std::chrono::seconds timeout,
                           std::chrono::milliseconds interrupt_after) {
  std::vector<std::string> argv{LEAKGATE_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, timeout, interrupt_after);
}

ProcessOutcome RunLeakgateUnder(const std::vector<std::string>& wrapper, const std::vector<std::string>& args,
                                std::chrono::seconds timeout) {
  std::vector<std::string> argv = wrapper;
  argv.push_back(LEAKGATE_BIN);
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, timeout);
}

}  // namespace leakgate::testing
