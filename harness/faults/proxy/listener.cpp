#include "harness/faults/proxy/listener.h"

#include <sys/socket.h>

#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include "harness/faults/proxy/connection.h"
#include "harness/faults/proxy/proxy_core.h"
#include "harness/faults/proxy/worker.h"

namespace leakgate::faults::proxy {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {
constexpr int kBacklog = 1024;
}  // namespace

Listener::Listener(Worker& accepting, const DependencyRuntime& dependency)
    : worker_(accepting), dependency_(dependency), acceptor_(accepting.executor()), wake_(accepting.executor()) {}

Status Listener::Open(int port) {
  const std::string what = fmt::format("dependency \"{}\": listen on 127.0.0.1:{}", dependency_.spec.name, port);
  error_code ec;
  if (port == 0) {
    tcp::acceptor probe(worker_.executor());
    probe.open(tcp::v4(), ec);
    if (!ec) probe.bind({asio::ip::address_v4::loopback(), 0}, ec);
    if (ec) return Status::Unavailable(what + ": " + ec.message());
    port = probe.local_endpoint().port();
  }
  acceptor_.open(tcp::v4(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind({asio::ip::address_v4::loopback(), static_cast<unsigned short>(port)}, ec);
  if (!ec) acceptor_.listen(kBacklog, ec);
  if (ec) return Status::Unavailable(what + ": " + ec.message());
  port_ = port;
  return Status::Ok();
}

void Listener::Start() { asio::co_spawn(worker_.executor(), AcceptLoop(this), asio::detached); }

void Listener::SetDown(bool down, const FaultSet& set, const ActiveFault* fault) {
  if (closed_ || down == down_) return;
  down_ = down;
  error_code ec;
  if (down) {
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);  // stop listening, keep the port
    acceptor_.cancel(ec);
    worker_.core().Log(set, dependency_.index, fault, 0, fmt::format("listener 127.0.0.1:{} down: connects refused", port_));
  } else {
    acceptor_.listen(kBacklog, ec);
    worker_.core().Log(set, dependency_.index, nullptr, 0,
                       ec ? fmt::format("listener 127.0.0.1:{} could not listen again: {}", port_, ec.message())
                          : fmt::format("listener 127.0.0.1:{} up again", port_));
    wake_.Notify();
  }
}

void Listener::Close() {
  closed_ = true;
  error_code ignored;
  acceptor_.close(ignored);
  wake_.Notify();
}

asio::awaitable<void> Listener::AcceptLoop(Listener* self) {
  ProxyCore& core = self->worker_.core();
  for (;;) {
    if (self->closed_) co_return;
    if (self->down_) {
      co_await self->wake_.Wait();
      continue;
    }
    Worker& target = *core.workers[self->next_worker_++ % core.workers.size()];
    auto [ec, socket] = co_await self->acceptor_.async_accept(target.executor(), asio::as_tuple(asio::use_awaitable));
    if (self->closed_) co_return;
    if (ec) {
      // Paused by `down`, or out of descriptors (EMFILE): try again after a breath.
      if (!self->down_) co_await self->wake_.Wait(Clock::now() + std::chrono::milliseconds(20));
      continue;
    }
    asio::post(target.executor(), [&target, &dependency = self->dependency_, s = std::move(socket)]() mutable {
      std::make_shared<Connection>(target, dependency, std::move(s))->Start();
    });
  }
}

}  // namespace leakgate::faults::proxy
