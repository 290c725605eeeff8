// Completion tokens shared by the coroutines that do socket and timer I/O.
//
// Thread-safety: constants; nothing to guard.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace leakgate {

// `co_await op(kUseTuple)` resumes with a tuple (error_code first) instead of throwing, so
// an expected failure (a reset, a cancelled timer) is a value to look at, not an exception.
inline constexpr auto kUseTuple = boost::asio::as_tuple(boost::asio::use_awaitable);

}  // namespace leakgate
