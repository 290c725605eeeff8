#include "harness/scenario/safety_section.h"

#include <yaml-cpp/yaml.h>

namespace leakgate::scenario {

std::vector<std::string> ReadSafety(const Reader& r) {
  const auto m = r.Map({"allow_hosts"});
  std::vector<std::string> hosts;
  if (const auto list = m.Get("allow_hosts")) {
    for (const Reader& item : list->Items()) {
      auto host = item.String();
      if (host.empty()) item.Fail("a host name or IP address, not an empty string");
      hosts.push_back(std::move(host));
    }
  }
  return hosts;
}

std::vector<std::string> SafetyAllowHosts(std::string_view yaml) {
  try {
    const auto root = YAML::Load(std::string(yaml));
    const auto list = root["safety"]["allow_hosts"];
    if (!list || !list.IsSequence()) return {};
    std::vector<std::string> hosts;
    for (const auto& item : list) hosts.push_back(item.as<std::string>());
    return hosts;
  } catch (const YAML::Exception&) {
    return {};
  }
}

}  // namespace leakgate::scenario
