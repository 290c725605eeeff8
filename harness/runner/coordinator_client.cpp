#include "harness/runner/coordinator_client.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "harness/runner/shard_board.h"
#include "probes/http_fetch.h"
#include "reports/json_report.h"

namespace leakgate::runner {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr auto kRetryPause = std::chrono::milliseconds(50);
constexpr std::uint64_t kAnswerCap = 64 << 10;

// One request: the JSON answer of a 200, or why not.
StatusOr<json> Exchange(const std::string& url, const std::optional<std::string>& post, const net::AllowList& allow) {
  probes::FetchOptions options;
  options.timeout = CoordinatorClient::kRequestTimeout;
  options.max_body_bytes = kAnswerCap;
  options.allow = allow;
  options.key = "--coordinator";
  auto r = post ? probes::HttpPost(url, *post, options) : probes::HttpGet(url, options);
  if (!r.ok()) return r.status();
  auto j = json::parse(r->body, nullptr, /*allow_exceptions=*/false);
  if (r->status != 200) {
    const std::string why = j.is_object() && j.contains("error") ? j["error"].dump() : r->body.substr(0, 200);
    return Status::InvalidArgument(fmt::format("{}: HTTP {}: {}", url, r->status, why));
  }
  if (!j.is_object()) return Status::Unavailable(fmt::format("{}: the answer is no JSON object", url));
  return j;
}

// Exchange, retried while the coordinator is unreachable, until `deadline`. Answers other
// than 200 are not retried (they will not change).
StatusOr<json> Retried(const std::string& url, const std::optional<std::string>& post, const net::AllowList& allow,
                       SteadyClock::time_point deadline, const std::atomic<bool>& stop) {
  while (true) {
    auto j = Exchange(url, post, allow);
    if (j.ok() || j.status().code() == StatusCode::kInvalidArgument ||
        j.status().code() == StatusCode::kPermissionDenied || SteadyClock::now() >= deadline || stop.load()) {
      return j;
    }
    std::this_thread::sleep_for(kRetryPause);
  }
}

std::optional<std::string> StopIn(const json& j) {
  const auto it = j.find("stop");
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

StatusOr<std::unique_ptr<CoordinatorClient>> CoordinatorClient::Connect(const std::string& address,
                                                                        scenario::ShardSpec shard, net::AllowList allow,
                                                                        std::chrono::nanoseconds register_timeout) {
  std::string base = address.starts_with("http://") ? address : "http://" + address;
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto parsed = net::ParseHttpUrl(base);
  if (!parsed.ok()) return parsed.status().WithContext("--coordinator: ");
  if (auto host = net::CheckHost(*parsed, "--coordinator", allow); !host.ok()) return host;
  std::unique_ptr<CoordinatorClient> client(new CoordinatorClient(base, shard, std::move(allow)));
  const std::atomic<bool> never{false};
  auto j = Retried(client->Url("register"), std::string("{}"), client->allow_, SteadyClock::now() + register_timeout, never);
  if (!j.ok()) return j.status().WithContext("registering with the coordinator: ");
  const int count = j->value("count", 0);
  if (count != shard.count) {
    return Status::InvalidArgument(fmt::format("the coordinator runs {} shards, this is shard {}", count, shard.str()));
  }
  client->target_url_ = j->value("target_url", "");
  if (const auto why = StopIn(*j)) client->NoteStop(*why);
  client->heartbeat_ = std::jthread([c = client.get()](std::stop_token token) { c->Heartbeat(token); });
  return client;
}

CoordinatorClient::~CoordinatorClient() = default;  // the jthread stops and joins

std::string CoordinatorClient::Url(const std::string& path) const {
  return fmt::format("{}/shards/{}/{}", base_, shard_.index, path);
}

void CoordinatorClient::NoteStop(const std::string& why) {
  std::lock_guard lock(mu_);
  if (stop_reason_.empty()) stop_reason_ = why.empty() ? "the coordinator said stop" : why;
  stop_ = true;
}

bool CoordinatorClient::ShouldStop(std::string& why) {
  if (!stop_) return false;
  std::lock_guard lock(mu_);
  why = stop_reason_;
  return true;
}

void CoordinatorClient::Heartbeat(const std::stop_token& token) {
  while (!token.stop_requested()) {
    const auto next = SteadyClock::now() + kHeartbeatPeriod;
    auto j = Exchange(Url("heartbeat"), std::string("{}"), allow_);
    if (j.ok()) {
      if (const auto why = StopIn(*j)) NoteStop(*why);
    }
    while (!token.stop_requested() && SteadyClock::now() < next) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

StatusOr<WallClock::time_point> CoordinatorClient::StartOf(size_t step) {
  const auto url = Url(fmt::format("steps/{}", step));
  // Between steps the coordinator takes its baseline or settles (assert.settle): wait as
  // long as it answers; fail once it stopped answering for kCoordinatorLostAfter.
  auto last_answer = SteadyClock::now();
  for (int64_t polls = 0;; ++polls) {
    auto j = Retried(url, std::nullopt, allow_, last_answer + kCoordinatorLostAfter, stop_);
    if (!j.ok()) return j.status().WithContext(fmt::format("coordinator lost waiting for step {}: ", step));
    last_answer = SteadyClock::now();
    if (const auto why = StopIn(*j)) {
      NoteStop(*why);
      return Status::Cancelled(*why);
    }
    if (j->contains("start_unix_ns") && (*j)["start_unix_ns"].is_number_integer()) {
      const std::chrono::nanoseconds since((*j)["start_unix_ns"].get<int64_t>());
      return WallClock::time_point(std::chrono::duration_cast<WallClock::duration>(since));
    }
    if (std::string why; ShouldStop(why)) return Status::Cancelled(why);
    if (polls > 10'000'000) return Status::Internal("step wait never ended");  // bound: ~6 days of polls
    std::this_thread::sleep_for(kRetryPause);
  }
}

Status CoordinatorClient::Report(size_t step, const reports::PhaseResult& result) {
  const std::atomic<bool> never{false};
  auto j = Retried(Url(fmt::format("steps/{}/result", step)), reports::PhaseToJson(result).dump(), allow_,
                   SteadyClock::now() + kCoordinatorLostAfter, never);
  if (!j.ok()) return j.status().WithContext(fmt::format("reporting step {} to the coordinator: ", step));
  if (const auto why = StopIn(*j)) NoteStop(*why);
  return Status::Ok();
}

}  // namespace leakgate::runner
