// Free loopback ports for ${port} / ${port.NAME}.
#pragma once

namespace leakgate::runner {

// Returns a TCP port that was free on 127.0.0.1 a moment ago (bound to port 0 and
// released), never the same port twice within one leakgate process. Throws
// std::runtime_error if no socket can be bound.
int AllocateLoopbackPort();

}  // namespace leakgate::runner
