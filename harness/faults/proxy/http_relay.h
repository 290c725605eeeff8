// The HTTP/1.1 layer of a connection relayed in HTTP mode (internal to
// harness/faults/proxy): a request processor between the target's reader and the upstream
// leg's writer, a response processor between the upstream's reader and the downstream
// leg's writer, and the PendingExchange FIFO between them that keeps responses in request
// order (pipelining included).
//
// The request processor parses each request's head, draws its HTTP faults (probability
// per request, path glob, method), queues a PendingExchange and forwards the request's raw
// bytes, unless the fault answers it locally (http_error) or drops it (http_drop): then
// the request is read to its end and nothing reaches the upstream. The response processor
// takes the exchanges in order: a local answer is written in its turn; a drop closes the
// connection in its turn; a forwarded request's response is parsed and forwarded byte for
// byte, its head or body held by http_delay and its body trickled by http_slow_body.
// Anything that does not parse as HTTP/1.1 is relayed as bytes from there on, as are
// Upgrade and CONNECT tunnels after their response.
//
// Thread-safety: none; the connection's worker thread.
#pragma once

#include <memory>

#include <boost/asio/awaitable.hpp>

namespace leakgate::faults::proxy {

class Connection;

boost::asio::awaitable<void> RelayRequests(std::shared_ptr<Connection> self);
boost::asio::awaitable<void> RelayResponses(std::shared_ptr<Connection> self);

}  // namespace leakgate::faults::proxy
