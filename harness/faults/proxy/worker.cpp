#include "harness/faults/proxy/worker.h"

#include <algorithm>
#include <exception>
#include <future>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <boost/asio/post.hpp>

#include "harness/faults/proxy/connection.h"
#include "harness/faults/proxy/http_stub.h"
#include "harness/faults/proxy/listener.h"
#include "harness/faults/proxy/proxy_core.h"

namespace leakgate::faults::proxy {

namespace asio = boost::asio;

Worker::Worker(ProxyCore& core, int index, uint64_t seed, std::shared_ptr<const FaultSet> initial)
    : core_(core),
      index_(index),
      io_(std::make_unique<asio::io_context>(1)),
      rng_(seed),
      faults_(std::move(initial)) {
  guard_.emplace(io_->get_executor());
  idle_sweep_ = std::make_unique<asio::steady_timer>(*io_);
}

Worker::~Worker() {
  if (thread_.joinable()) {
    ForceStop();
    Join();
  }
  guard_.reset();
  idle_sweep_.reset();
  // Destroying the io_context destroys the frames of unfinished coroutines, whose
  // Connections unregister from connections_: it must go before the map.
  io_.reset();
}

void Worker::Run() {
  ArmIdleSweep();
  thread_ = std::thread([this] {
    for (;;) {
      try {
        io_->run();
        return;
      } catch (const std::exception& e) {
        // A coroutine let an exception escape (a bug: network errors are values here).
        // Keep the other connections going; the event says what happened.
        core_.Log(*faults_, -1, nullptr, 0, fmt::format("internal error in worker {}: {}", index_, e.what()));
      }
    }
  });
}

bool Worker::Apply(std::shared_ptr<const FaultSet> set, std::chrono::nanoseconds bound) {
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> applied = done->get_future();
  asio::post(*io_, [this, set = std::move(set), done] {
    ApplyHere(set);
    done->set_value();
  });
  return applied.wait_for(bound) == std::future_status::ready;
}

void Worker::ApplyHere(std::shared_ptr<const FaultSet> set) {
  faults_ = std::move(set);
  for (const auto& c : Live()) c->OnFaultsChanged();
  if (index_ != 0) return;
  for (size_t d = 0; d < core_.listeners.size(); ++d) {
    const ActiveFault* down = faults_->Down(static_cast<int>(d));
    core_.listeners[d]->SetDown(down && down->spec.probability >= 1.0, *faults_, down);
  }
}

void Worker::BeginStop() {
  asio::post(*io_, [this] { CloseAllHere(); });
  guard_.reset();
}

void Worker::CloseAllHere() {
  stopping_ = true;
  idle_sweep_->cancel();
  for (const auto& c : Live()) c->Close(false);
  if (index_ != 0) return;
  for (auto& l : core_.listeners) l->Close();
  for (auto& s : core_.http_stubs) s->Close();
}

bool Worker::WaitStopped(std::chrono::steady_clock::time_point deadline) {
  while (!io_->stopped()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

void Worker::ForceStop() { io_->stop(); }

void Worker::Join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::Register(const std::shared_ptr<Connection>& connection) { connections_[connection->id()] = connection; }

void Worker::Unregister(uint64_t id) { connections_.erase(id); }

std::vector<std::shared_ptr<Connection>> Worker::Live() {
  std::vector<std::shared_ptr<Connection>> live;
  live.reserve(connections_.size());
  for (const auto& [id, weak] : connections_) {
    if (auto c = weak.lock()) live.push_back(std::move(c));
  }
  return live;
}

void Worker::ArmIdleSweep() {
  const auto timeout = core_.options.idle_timeout;
  const auto period = std::clamp<std::chrono::nanoseconds>(timeout / 4, std::chrono::milliseconds(10), std::chrono::seconds(1));
  idle_sweep_->expires_after(period);
  idle_sweep_->async_wait([this, timeout](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    const auto now = Clock::now();
    for (const auto& c : Live()) {
      if (!c->closed() && now - c->last_activity() > timeout) {
        c->Log(nullptr, fmt::format("closed: no byte either way for {}", std::chrono::duration_cast<std::chrono::milliseconds>(timeout)));
        c->Close(false);
      }
    }
    ArmIdleSweep();
  });
}

}  // namespace leakgate::faults::proxy
