#include "harness/faults/proxy/fault_log.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

namespace leakgate::faults::proxy {

void FaultLog::Add(FaultEvent event) {
  std::lock_guard lock(mu_);
  if (events_.size() >= max_events_) {
    ++dropped_;
    return;
  }
  events_.push_back(std::move(event));
}

std::vector<FaultEvent> FaultLog::Events() const {
  std::lock_guard lock(mu_);
  return events_;
}

int64_t FaultLog::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

Status FaultLog::WriteJsonLines(const std::string& path) const {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return Status::Unavailable("fault log " + tmp + ": " + std::strerror(errno));
    std::lock_guard lock(mu_);
    for (const FaultEvent& e : events_) {
      nlohmann::json line = {{"t_ms", std::chrono::duration<double, std::milli>(e.at).count()},
                             {"phase", e.phase},
                             {"dependency", e.dependency},
                             {"fault", e.fault},
                             {"what", e.what}};
      if (e.fault_index >= 0) line["fault_index"] = e.fault_index;
      if (e.connection != 0) line["connection"] = e.connection;
      out << line.dump() << '\n';
    }
    if (dropped_ > 0) out << nlohmann::json{{"dropped_events", dropped_}}.dump() << '\n';
    out.flush();
    if (!out) return Status::Unavailable("fault log " + tmp + ": write failed");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    return Status::Unavailable("fault log " + path + ": rename: " + why);
  }
  return Status::Ok();
}

}  // namespace leakgate::faults::proxy
