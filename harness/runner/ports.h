// Free loopback ports for ${port} / ${port.NAME}.
#pragma once

namespace leakgate::runner {

// Returns a TCP port that was free on 127.0.0.1 a moment ago (bound without SO_REUSEADDR
// and released), never the same port twice within one leakgate process. Chosen at random
// below the kernel's ephemeral range when there is room (ports there are never handed to
// client sockets, so a busy load generator cannot take it before the target listens);
// otherwise the kernel's own choice. Throws std::runtime_error if nothing can be bound.
int AllocateLoopbackPort();

}  // namespace leakgate::runner
