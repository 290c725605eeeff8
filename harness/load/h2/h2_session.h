// HTTP/2 sessions for the load engine (session.h): the HTTP traffic entries of a phase
// with `protocol: h2c` (cleartext, prior knowledge) or `protocol: h2` (TLS, ALPN h2),
// carried as streams on a few multiplexed connections (H2Connection) instead of
// HTTP/1.1's one request per connection at a time. The requests are HttpProtocol's
// (templates, replay, rendering: RequestFactory's bytes, re-expressed by H2Request), the
// arrivals, faults and accounting the engine's, as for every protocol.
//
// Connections: a request takes the least loaded open connection with a free stream slot
// (at most `streams_per_connection`, and never more than the server's
// SETTINGS_MAX_CONCURRENT_STREAMS); when every one is full a new connection opens, unless
// the phase's connections.max (split over the workers) is reached: then the request waits
// for a slot until its deadline. Requests arriving while a connection is being opened
// wait for it rather than opening their own.
//
// Thread-safety: none; a session belongs to one worker (see session.h).
#pragma once

#include <memory>

#include "harness/load/http/http_protocol.h"
#include "harness/load/session.h"

namespace leakgate::load::h2 {

// A session for `context.phase` (whose protocol is h2c or h2) over `protocol`'s entries.
std::unique_ptr<Session> NewH2Session(const http::HttpProtocol& protocol, const SessionContext& context);

}  // namespace leakgate::load::h2
