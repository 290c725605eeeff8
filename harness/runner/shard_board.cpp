#include "harness/runner/shard_board.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <charconv>
#include <thread>

#include "reports/result_reader.h"

namespace leakgate::runner {

using nlohmann::json;

namespace {

constexpr auto kWaitPoll = std::chrono::milliseconds(20);

ControlResponse Answer(unsigned status, const json& body) { return {status, body.dump()}; }
ControlResponse Error(unsigned status, const std::string& why) { return Answer(status, {{"error", why}}); }

std::vector<std::string> SplitPath(std::string_view target) {
  target = target.substr(0, target.find('?'));
  std::vector<std::string> parts;
  size_t at = 0;
  while (at < target.size() && parts.size() < 8) {
    if (target[at] == '/') {
      ++at;
      continue;
    }
    const auto next = target.find('/', at);
    parts.emplace_back(target.substr(at, next == std::string_view::npos ? std::string_view::npos : next - at));
    at = next == std::string_view::npos ? target.size() : next;
  }
  return parts;
}

std::optional<int64_t> ParseIndex(const std::string& text) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || v < 0) return std::nullopt;
  return v;
}

int64_t UnixNanos(WallClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

}  // namespace

ShardBoard::ShardBoard(ShardBoardOptions options)
    : options_(std::move(options)), shards_(static_cast<size_t>(options_.count)) {}

std::string ShardBoard::Label(int index) const { return fmt::format("shard {} of {}", index, options_.count); }

ControlResponse ShardBoard::Handle(const ControlRequest& request) {
  const auto parts = SplitPath(request.target);
  if (parts.size() < 3 || parts[0] != "shards") return Error(404, "no such route");
  const auto index = ParseIndex(parts[1]);
  if (!index || *index >= options_.count) {
    return Error(400, fmt::format("shard index {} is not in [0, {})", parts[1], options_.count));
  }
  std::lock_guard lock(mu_);
  return HandleLocked(request.method, static_cast<int>(*index), std::vector<std::string>(parts.begin() + 2, parts.end()), request.body);
}

ControlResponse ShardBoard::HandleLocked(const std::string& method, int index, const std::vector<std::string>& rest,
                                         const std::string& body) {
  auto& shard = shards_[static_cast<size_t>(index)];
  shard.last_seen = SteadyClock::now();
  const json stop = stop_ ? json(*stop_) : json(nullptr);
  if (stop_) shard.told_stop = true;
  if (method == "POST" && rest.size() == 1 && rest[0] == "register") {
    shard.registered = true;
    return Answer(200, {{"count", options_.count}, {"target_url", options_.target_url}, {"steps", options_.steps}, {"stop", stop}});
  }
  if (method == "POST" && rest.size() == 1 && rest[0] == "heartbeat") return Answer(200, {{"stop", stop}});
  if (rest.size() < 2 || rest[0] != "steps") return Error(404, "no such route");
  const auto step = ParseIndex(rest[1]);
  if (!step || static_cast<size_t>(*step) >= options_.steps) return Error(400, fmt::format("no step {}", rest[1]));
  const auto k = static_cast<size_t>(*step);
  if (method == "GET" && rest.size() == 2) {
    if (stop_) return Answer(200, {{"stop", *stop_}});
    const auto it = starts_.find(k);
    if (it == starts_.end()) return Answer(200, {{"wait", true}});
    return Answer(200, {{"start_unix_ns", UnixNanos(it->second)}});
  }
  if (method == "POST" && rest.size() == 3 && rest[2] == "result") {
    const auto j = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return Error(400, "result body is not JSON");
    auto phase = reports::PhaseFromJson(j);
    if (!phase.ok()) return Error(400, phase.status().message());
    shard.results[k] = std::move(*phase);
    return Answer(200, {{"stop", stop}});
  }
  return Error(404, "no such route");
}

Status ShardBoard::WaitRegistered(SteadyClock::time_point deadline, const std::atomic<bool>* stop) {
  while (true) {
    {
      std::lock_guard lock(mu_);
      std::vector<std::string> missing;
      for (int i = 0; i < options_.count; ++i) {
        if (!shards_[static_cast<size_t>(i)].registered) missing.push_back(std::to_string(i));
      }
      if (missing.empty()) return Status::Ok();
      if (SteadyClock::now() >= deadline) {
        return Status::Unavailable(fmt::format("shard{} {} of {} never registered", missing.size() > 1 ? "s" : "",
                                               fmt::join(missing, ", "), options_.count));
      }
    }
    if (stop != nullptr && stop->load()) return Status::Cancelled("interrupted");
    std::this_thread::sleep_for(kWaitPoll);
  }
}

void ShardBoard::Announce(size_t step, WallClock::time_point start) {
  std::lock_guard lock(mu_);
  starts_[step] = start;
}

StatusOr<std::vector<reports::PhaseResult>> ShardBoard::WaitResults(size_t step, const std::string& phase_name,
                                                                    WallClock::time_point phase_end,
                                                                    const std::atomic<bool>* stop) {
  const auto lost = [&](int i, const std::string& why) {
    shards_[static_cast<size_t>(i)].lost = true;
    return Status::Unavailable(fmt::format("{} lost during phase {} ({})", Label(i), phase_name, why));
  };
  while (true) {
    {
      std::lock_guard lock(mu_);
      const auto now = SteadyClock::now();
      bool all = true;
      for (int i = 0; i < options_.count; ++i) {
        const auto& shard = shards_[static_cast<size_t>(i)];
        if (shard.results.contains(step)) continue;
        all = false;
        if (now - shard.last_seen > options_.lost_after) {
          return lost(i, fmt::format("no word from it for {:.1f}s", std::chrono::duration<double>(now - shard.last_seen).count()));
        }
        if (WallClock::now() > phase_end + options_.result_grace) {
          return lost(i, fmt::format("no result {:.1f}s after the phase's end",
                                     std::chrono::duration<double>(options_.result_grace).count()));
        }
      }
      if (all) {
        std::vector<reports::PhaseResult> out;
        for (auto& shard : shards_) out.push_back(shard.results.at(step));
        return out;
      }
    }
    if (stop != nullptr && stop->load()) return Status::Cancelled("interrupted");
    std::this_thread::sleep_for(kWaitPoll);
  }
}

void ShardBoard::Stop(const std::string& why) {
  std::lock_guard lock(mu_);
  if (!stop_) stop_ = why;
}

void ShardBoard::WaitStopsDelivered(SteadyClock::time_point deadline) {
  while (SteadyClock::now() < deadline) {
    {
      std::lock_guard lock(mu_);
      bool all = true;
      for (const auto& shard : shards_) {
        const bool finished = options_.steps > 0 && shard.results.contains(options_.steps - 1);
        all = all && (shard.lost || !shard.registered || shard.told_stop || finished);
      }
      if (all) return;
    }
    std::this_thread::sleep_for(kWaitPoll);
  }
}

}  // namespace leakgate::runner
