#include "harness/faults/proxy/connection.h"

#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "harness/base/asio_tokens.h"
#include "harness/faults/proxy/http_relay.h"
#include "harness/faults/proxy/proxy_core.h"
#include "harness/faults/proxy/worker.h"
#include "harness/net/tls_context.h"

namespace leakgate::faults::proxy {

namespace asio = boost::asio;
using boost::system::error_code;
using K = scenario::DependencyFault::Kind;

Connection::Connection(Worker& worker, const DependencyRuntime& dependency, asio::ip::tcp::socket client)
    : worker_(worker),
      dependency_(dependency),
      id_(worker.core().next_connection_id.fetch_add(1)),
      client_(std::move(client)),
      upstream_(worker.executor()),
      up_(worker.executor(), worker.core().options.buffer_bytes, Leg::kUpstream),
      down_(worker.executor(), worker.core().options.buffer_bytes, Leg::kDownstream) {}

Connection::~Connection() { worker_.Unregister(id_); }

ProxyCore& Connection::core() { return worker_.core(); }
bool Connection::http() const { return dependency_.spec.http; }

DependencyCounters& Connection::counters() {
  return *faults_.set()->dependency_counters[static_cast<size_t>(dependency_.index)];
}

void Connection::RefreshFaults() { faults_.Refresh(worker_.faults(), dependency_.index, worker_.rng()); }

void Connection::Log(const ActiveFault* fault, std::string what) {
  core().Log(*faults_.set(), dependency_.index, fault, id_, std::move(what));
}

void Connection::Start() {
  worker_.Register(shared_from_this());
  RefreshFaults();
  Add(counters().connections, 1);
  if (worker_.stopping()) {
    Close(false);
    return;
  }
  // A new connection while the dependency is down (accepted just before the listener
  // paused, or probability < 1): reset at once, as a refused connect would look.
  if (CarriedFault* down = faults_.Find(K::kDown)) {
    down->CountConnection();
    Add(down->active->counters->connections_refused, 1);
    Close(true, down->active, "refused (reset at accept): dependency down");
    return;
  }
  asio::co_spawn(worker_.executor(), Run(shared_from_this()), asio::detached);
}

bool Connection::ActOnDown() {
  CarriedFault* down = faults_.Find(K::kDown);
  if (!down) return false;
  down->CountConnection();
  Add(down->active->counters->connections_closed, 1);
  Close(false, down->active, "closed: dependency down");
  return true;
}

void Connection::OnFaultsChanged() {
  if (closed_) return;
  if (faults_.Refresh(worker_.faults(), dependency_.index, worker_.rng()) && ActOnDown()) return;
  for (LegState* s : {&up_, &down_}) {
    s->inbox.consumer().Notify();
    s->outbox.consumer().Notify();
  }
}

void Connection::Close(bool reset, const ActiveFault* fault, std::string_view why) {
  if (closed_) return;
  closed_ = true;
  if (fault) Log(fault, std::string(why));
  for (asio::ip::tcp::socket* s : {&client_, &upstream_}) {
    error_code ignored;
    if (!s->is_open()) continue;
    if (reset) s->set_option(asio::socket_base::linger(true, 0), ignored);
    s->close(ignored);
  }
  for (LegState* s : {&up_, &down_}) {
    s->inbox.consumer().Notify();
    s->inbox.producer().Notify();
    s->outbox.consumer().Notify();
    s->outbox.producer().Notify();
  }
}

void Connection::CloseUpstreamOnly() {
  upstream_gone_ = true;
  error_code ignored;
  upstream_.close(ignored);
  up_.outbox.consumer().Notify();
}

void Connection::LegFinished(Leg which) {
  leg(which).finished = true;
  if (up_.finished && down_.finished) Close(false);
}

asio::awaitable<void> Connection::Run(std::shared_ptr<Connection> self) {
  Connection& c = *self;
  const asio::ip::tcp::endpoint& to = c.dependency_.upstream;
  error_code ec;
  c.upstream_.open(to.protocol(), ec);
  if (!ec) {
    asio::steady_timer deadline(c.worker_.executor());
    deadline.expires_after(c.core().options.connect_timeout);
    deadline.async_wait([self](const error_code& e) {
      error_code ignored;
      if (!e && !self->connected_) self->upstream_.close(ignored);
    });
    std::tie(ec) = co_await c.upstream_.async_connect(to, kUseTuple);
    const bool handshook = !ec && !c.closed_ && (!c.dependency_.tls_context || co_await UpstreamHandshake(c));
    deadline.cancel();
    if (!ec && !handshook) co_return;  // logged and closed
  }
  if (c.closed_) co_return;
  if (ec) {
    c.Log(nullptr, fmt::format("upstream {}:{}: connect failed: {}; closed the target's side",
                               to.address().to_string(), to.port(), ec.message()));
    c.Close(false);
    co_return;
  }
  c.connected_ = true;
  c.Touch();
  // Nagle would only add latency the scenario did not ask for (and merge slicer's segments).
  c.client_.set_option(asio::ip::tcp::no_delay(true), ec);
  c.upstream_.set_option(asio::ip::tcp::no_delay(true), ec);
  const auto ex = c.worker_.executor();
  asio::co_spawn(ex, Read(self, Leg::kUpstream), asio::detached);
  asio::co_spawn(ex, Read(self, Leg::kDownstream), asio::detached);
  asio::co_spawn(ex, WriteLeg(self, Leg::kUpstream), asio::detached);
  asio::co_spawn(ex, WriteLeg(self, Leg::kDownstream), asio::detached);
  if (c.http()) {
    asio::co_spawn(ex, RelayRequests(self), asio::detached);
    asio::co_spawn(ex, RelayResponses(self), asio::detached);
  }
}

asio::awaitable<bool> Connection::UpstreamHandshake(Connection& c) {
  const DependencyRuntime& d = c.dependency_;
  const std::string& name = d.spec.upstream_name.empty() ? d.spec.upstream_host : d.spec.upstream_name;
  c.upstream_tls_.emplace(c.upstream_, *d.tls_context);
  Status prepared = net::PrepareClientSsl(c.upstream_tls_->native_handle(), *d.spec.tls, name);
  error_code ec;
  if (prepared.ok()) std::tie(ec) = co_await c.upstream_tls_->async_handshake(asio::ssl::stream_base::client, kUseTuple);
  if (c.closed_) co_return false;
  if (prepared.ok() && !ec) co_return true;
  c.Log(nullptr, fmt::format("upstream {}:{}: TLS handshake failed: {}; closed the target's side", name,
                             d.upstream.port(),
                             prepared.ok() ? net::DescribeTlsError(c.upstream_tls_->native_handle(), ec) : prepared.message()));
  c.Close(false);
  co_return false;
}

asio::awaitable<std::tuple<error_code, size_t>> Connection::WriteTo(Leg which, asio::const_buffer bytes) {
  if (which == Leg::kUpstream && upstream_tls_) co_return co_await asio::async_write(*upstream_tls_, bytes, kUseTuple);
  co_return co_await asio::async_write(destination(which), bytes, kUseTuple);
}

asio::awaitable<void> Connection::Read(std::shared_ptr<Connection> self, Leg which) {
  Connection& c = *self;
  LegState& s = c.leg(which);
  ChunkQueue& q = c.http() ? s.inbox : s.outbox;
  asio::ip::tcp::socket& source = which == Leg::kUpstream ? c.client_ : c.upstream_;
  const size_t cap = c.core().options.read_bytes;
  for (;;) {
    while (!c.closed_ && q.full()) co_await q.producer().Wait();
    if (c.closed_) co_return;
    Chunk chunk = q.NewData(cap);
    const auto into = asio::buffer(chunk.bytes.get(), chunk.capacity);
    auto [ec, n] = which == Leg::kDownstream && c.upstream_tls_ ? co_await c.upstream_tls_->async_read_some(into, kUseTuple)
                                                               : co_await source.async_read_some(into, kUseTuple);
    // A TLS upstream that closes without close_notify (most do) ends like a TCP one.
    if (ec == asio::ssl::error::stream_truncated) ec = asio::error::eof;
    if (c.closed_ || (which == Leg::kDownstream && c.upstream_gone_)) co_return;
    if (n > 0) {
      c.Touch();
      chunk.size = n;
      q.Push(std::move(chunk));
    }
    if (ec == asio::error::eof) {
      q.Push(ChunkQueue::Marker(Chunk::Kind::kEof));
      co_return;
    }
    if (ec) {
      // A reset from one side reaches the other as a reset, as it would without the proxy.
      c.Close(ec == asio::error::connection_reset);
      co_return;
    }
  }
}

}  // namespace leakgate::faults::proxy
