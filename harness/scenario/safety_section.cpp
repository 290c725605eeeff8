#include "harness/scenario/safety_section.h"

#include <yaml-cpp/yaml.h>

#include "harness/net/address_policy.h"

namespace leakgate::scenario {

Safety ReadSafety(const Reader& r) {
  const auto m = r.Map({"allow_hosts"});
  Safety s;
  if (const auto hosts = m.Get("allow_hosts")) {
    for (const auto& item : hosts->Items()) {
      std::string host = NonEmptyString(item);
      if (const auto parsed = net::AllowList::Parse({host}, item.path()); !parsed.ok()) item.Fail(parsed.status().message());
      s.allow_hosts.push_back(std::move(host));
    }
  }
  return s;
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
