#include "harness/load/http/connection_pool.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace leakgate::load::http {

namespace asio = boost::asio;

ConnectionPool::ConnectionPool(asio::any_io_executor executor, int pool_limit, int max_open, bool per_request)
    : executor_(std::move(executor)), pool_limit_(pool_limit), max_open_(max_open), per_request_(per_request) {}

Connection* ConnectionPool::NewConnection() {
  ++open_;
  if (!spare_.empty()) {
    auto* c = spare_.back();
    spare_.pop_back();
    return c;
  }
  all_.push_back(std::make_unique<Connection>(executor_));
  return all_.back().get();
}

Connection* ConnectionPool::TakeIdle(bool fresh) {
  if (fresh || per_request_ || idle_.empty()) return nullptr;
  auto* c = idle_.back().conn;
  idle_.pop_back();
  return c;
}

asio::awaitable<Connection*> ConnectionPool::Acquire(bool fresh, Clock::time_point deadline) {
  if (auto* c = TakeIdle(fresh)) co_return c;
  if (max_open_ == 0 || open_ < max_open_) co_return NewConnection();
  if (!idle_.empty()) {  // at the bound, but a fresh one is needed: retire an idle one
    auto* c = idle_.front().conn;
    idle_.pop_front();
    c->Close();
    co_return c;
  }
  if (closed_) co_return nullptr;
  Waiter w(executor_);
  w.timer.expires_at(deadline);
  waiters_.push_back(&w);
  co_await w.timer.async_wait(asio::as_tuple(asio::use_awaitable));
  if (w.conn == nullptr && !w.may_open) {
    const auto it = std::find(waiters_.begin(), waiters_.end(), &w);
    if (it != waiters_.end()) waiters_.erase(it);
    co_return nullptr;
  }
  if (w.may_open) co_return NewConnection();
  if (fresh) w.conn->Close();
  co_return w.conn;
}

void ConnectionPool::Release(Connection* c, bool reusable) {
  reusable = reusable && c->connected && !closed_ && !per_request_ &&
             (pool_limit_ == 0 || static_cast<int>(idle_.size()) < pool_limit_);
  if (reusable && !waiters_.empty()) {
    auto* w = waiters_.front();
    waiters_.pop_front();
    w->conn = c;
    w->timer.cancel();
    return;
  }
  if (reusable) {
    const auto now = Clock::now();
    idle_.push_back({c, now});
    CloseStaleIdle(now);
    return;
  }
  c->Close();
  spare_.push_back(c);
  --open_;
  if (!waiters_.empty()) {
    auto* w = waiters_.front();
    waiters_.pop_front();
    w->may_open = true;
    w->timer.cancel();
  }
}

void ConnectionPool::CloseStaleIdle(Clock::time_point now) {
  while (!idle_.empty() && now - idle_.front().since > kIdleTimeout) {
    auto* c = idle_.front().conn;
    idle_.pop_front();
    c->Close();
    spare_.push_back(c);
    --open_;
  }
}

void ConnectionPool::CloseAll() {
  closed_ = true;
  for (auto& c : all_) c->Close();
  for (const auto& idle : idle_) spare_.push_back(idle.conn);
  open_ -= static_cast<int>(idle_.size());
  idle_.clear();
  for (auto* w : waiters_) w->timer.cancel();  // they wake with neither conn nor may_open: none in time
  waiters_.clear();
}

}  // namespace leakgate::load::http
