#include "harness/scenario/scenario_hosts.h"

#include <fmt/format.h>

#include <string>
#include <string_view>

#include "harness/net/http_url.h"
#include "harness/scenario/protocol_syntax.h"

namespace leakgate::scenario {
namespace {

// `url` (absolute) set at `key`: allowed by either list, or why not.
Status CheckUrl(std::string_view key, const std::string& url, const net::AllowList& scenario_allow,
                const net::AllowList& extra) {
  const auto parsed = net::ParseHttpUrl(url);
  if (!parsed.ok()) return parsed.status().WithContext(fmt::format("{}: ", key));
  const std::string where = fmt::format("{}: URL \"{}\"", key, url);
  Status checked = net::CheckHost(*parsed, where, scenario_allow);
  if (!checked.ok() && checked.code() == StatusCode::kPermissionDenied && !extra.empty() &&
      net::CheckHost(*parsed, where, extra).ok()) {
    checked = Status::Ok();
  }
  return checked;
}

}  // namespace

Status CheckScenarioHosts(const Scenario& s, const net::AllowList& extra) {
  const auto allow = net::AllowList::Parse(s.safety.allow_hosts, "safety.allow_hosts");
  if (!allow.ok()) return allow.status();
  if (Status st = CheckUrl("target.url", s.target.url, *allow, extra); !st.ok()) return st;
  if (s.target.ready && UrlScheme(*s.target.ready)) {
    if (Status st = CheckUrl("target.ready", *s.target.ready, *allow, extra); !st.ok()) return st;
  }
  const std::pair<std::string_view, const std::string*> sources[] = {
      {"probe.pprof", &s.probe.pprof}, {"probe.expvar", &s.probe.expvar}, {"probe.metrics", &s.probe.metrics}};
  for (const auto& [key, url] : sources) {
    if (!UrlScheme(*url)) continue;
    if (Status st = CheckUrl(key, *url, *allow, extra); !st.ok()) return st;
  }
  for (size_t i = 0; i < s.traffic.size(); ++i) {
    if (s.traffic[i].base_url.empty()) continue;
    if (Status st = CheckUrl(fmt::format("traffic[{}].path", i), s.traffic[i].base_url, *allow, extra); !st.ok()) {
      return st;
    }
  }
  return Status::Ok();
}

}  // namespace leakgate::scenario
