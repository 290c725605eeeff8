#include "harness/cli/cli_common.h"

#include <fmt/format.h>

#include <charconv>
#include <iostream>
#include <stdexcept>

#include "harness/net/address_policy.h"
#include "harness/net/http_url.h"
#include "harness/runner/ports.h"
#include "harness/scenario/messages.h"
#include "harness/scenario/scenario_loader.h"
#include "reports/run_result.h"

namespace leakgate::cli {

std::map<std::string, std::string> ParseVars(const std::vector<std::string>& vars) {
  std::map<std::string, std::string> out;
  for (const auto& kv : vars) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw CLI::ValidationError("--var", fmt::format("expected NAME=VALUE, got \"{}\"", kv));
    }
    out[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return out;
}

scenario::Scenario LoadScenario(const std::string& path, const std::vector<std::string>& vars,
                                const std::vector<std::string>& allow_hosts) {
  scenario::LoadOptions options;
  options.var_overrides = ParseVars(vars);
  options.allow_hosts = allow_hosts;
  options.allocate_port = [] { return runner::AllocateLoopbackPort(); };
  return scenario::LoadScenarioFile(path, options);
}

StatusOr<LoopbackUrl> ParseLoopbackUrl(const std::string& url, const std::string& flag) {
  const auto parsed = net::ParseHttpUrl(url);
  if (!parsed.ok()) return parsed.status().WithContext(flag + ": ");
  if (parsed->scheme != "http") {
    return Status::InvalidArgument(fmt::format("{}: URL \"{}\": only http:// is supported", flag, url));
  }
  // No allow list yet: loopback only, in every spelling, and nothing looked up.
  if (auto allowed = net::CheckHost(*parsed, flag, net::AllowList{}); !allowed.ok()) return allowed;
  LoopbackUrl out;
  out.base = "http://" + parsed->authority;
  out.path = parsed->target;
  while (!out.path.empty() && out.path.back() == '/') out.path.pop_back();
  out.host = parsed->host;
  out.port = parsed->port;
  return out;
}

CLI::Validator WholeNumberAtLeast(int64_t min) {
  return CLI::Validator(
      [min](std::string& value) -> std::string {
        int64_t n = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (ec == std::errc() && end == value.data() + value.size() && n >= min) return "";
        return fmt::format("must be a whole number >= {}, got {}", min, scenario::Quoted(value));
      },
      fmt::format("INT>={}", min), "WholeNumberAtLeast");
}

std::string UnknownCommandMessage(const CLI::App& app, int argc, const char* const* argv) {
  if (argc < 2 || argv[1][0] == '-' || argv[1][0] == '\0') return "";
  const std::string word = argv[1];
  std::vector<std::string> names;
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_name() == word) return "";
    names.push_back(sub->get_name());
  }
  return fmt::format("unknown command {}{}; commands: {}", scenario::Quoted(word), scenario::DidYouMean(word, names),
                     scenario::Join(names, ", "));
}

int Fail(const std::string& command, const std::string& message, int exit_code) {
  std::cerr << "leakgate " << command << ": " << message << "\n";
  return exit_code;
}

int RunGuarded(const std::function<int()>& body) {
  try {
    return body();
  } catch (const scenario::ScenarioError& e) {
    std::cerr << "leakgate: " << e.what() << "\n";
    return reports::kExitBadInput;
  } catch (const CLI::ValidationError& e) {
    std::cerr << "leakgate: " << e.what() << "\n";
    return reports::kExitBadInput;
  } catch (const std::invalid_argument& e) {
    std::cerr << "leakgate: " << e.what() << "\n";
    return reports::kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "leakgate: internal error: " << e.what() << "\n";
    return reports::kExitInternal;
  }
}

}  // namespace leakgate::cli
