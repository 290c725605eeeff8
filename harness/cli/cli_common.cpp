#include "harness/cli/cli_common.h"

#include <arpa/inet.h>
#include <boost/url/parse.hpp>
#include <fmt/format.h>

#include <iostream>
#include <stdexcept>

#include "harness/runner/ports.h"
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

scenario::Scenario LoadScenario(const std::string& path, const std::vector<std::string>& vars) {
  scenario::LoadOptions options;
  options.var_overrides = ParseVars(vars);
  options.allocate_port = [] { return runner::AllocateLoopbackPort(); };
  return scenario::LoadScenarioFile(path, options);
}

namespace {

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

}  // namespace

StatusOr<LoopbackUrl> ParseLoopbackUrl(const std::string& url, const std::string& flag) {
  const auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return Status::InvalidArgument(fmt::format("{}: \"{}\" is not a URL ({})", flag, url, parsed.error().message()));
  if (parsed->scheme() != "http") {
    return Status::InvalidArgument(fmt::format("{}: \"{}\": only http:// URLs are supported", flag, url));
  }
  LoopbackUrl out;
  out.host = std::string(parsed->host_address());
  if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  if (out.host.empty()) return Status::InvalidArgument(fmt::format("{}: \"{}\" has no host", flag, url));
  if (!IsLoopbackHost(out.host)) {
    return Status::PermissionDenied(fmt::format(
        "{}: \"{}\" is not a loopback address (127.0.0.0/8, ::1, localhost); leakgate talks to loopback only", flag,
        out.host));
  }
  if (parsed->has_port()) {
    const auto port = parsed->port_number();
    if (port == 0) return Status::InvalidArgument(fmt::format("{}: \"{}\" has no valid port", flag, url));
    out.port = port;
  }
  out.base = "http://" + std::string(parsed->encoded_authority());
  out.path = std::string(parsed->encoded_path());
  while (!out.path.empty() && out.path.back() == '/') out.path.pop_back();
  return out;
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
