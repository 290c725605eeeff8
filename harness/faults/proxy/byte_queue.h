// Signal and ChunkQueue: the hand-over between the coroutines of one proxied connection.
//
// A connection's coroutines all run on one worker's single-threaded io_context, so these
// need no locks: a coroutine checks its condition, and only if it does not hold waits on
// its Signal; whoever changes the condition calls Notify(). Check-then-wait cannot race
// on one thread, and a Notify() with nobody waiting is harmless because the waiter
// checks first. Each Signal has exactly ONE waiting coroutine (a second Wait() would
// re-arm the timer and wake the first).
//
// Thread-safety: none; everything on the owning worker's thread.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace leakgate::faults::proxy {

using Clock = std::chrono::steady_clock;

// Wakes one waiting coroutine: Notify(), or the deadline passed to Wait().
class Signal {
 public:
  explicit Signal(const boost::asio::any_io_executor& ex) : timer_(ex) {}
  Signal(const Signal&) = delete;
  Signal& operator=(const Signal&) = delete;

  // Returns after Notify() or at `until`, whichever comes first (or spuriously: the
  // caller re-checks its condition).
  boost::asio::awaitable<void> Wait(Clock::time_point until = Clock::time_point::max()) {
    timer_.expires_at(until);
    co_await timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
  void Notify() { timer_.cancel(); }

 private:
  boost::asio::steady_timer timer_;
};

// Bytes read from one socket (or made up by the proxy), on their way to another.
struct Chunk {
  enum class Kind {
    kData,   // bytes[0, size)
    kEof,    // the source half-closed: shut down the destination's sending side
    kClose,  // close the connection once everything before it has been written
  };
  Kind kind = Kind::kData;
  std::unique_ptr<char[]> bytes;
  size_t size = 0;
  size_t capacity = 0;
  size_t written = 0;                          // of size, already passed on
  Clock::time_point arrived;                   // when the proxy got it (latency counts from here)
  std::optional<Clock::time_point> due;        // latency: drawn once, when first held
  bool held_counted = false;                   // stall: counted in bytes_held

  std::string_view rest() const { return {bytes.get() + written, size - written}; }
};

// A FIFO of chunks with a soft byte bound: the producer waits while bytes() ≥ capacity
// (so one chunk may overshoot it), which is how a slow destination pushes back to the
// source socket through TCP's window. Recycles up to a few buffers.
class ChunkQueue {
 public:
  ChunkQueue(const boost::asio::any_io_executor& ex, size_t capacity)
      : capacity_(capacity), consumer_(ex), producer_(ex) {}
  ChunkQueue(const ChunkQueue&) = delete;
  ChunkQueue& operator=(const ChunkQueue&) = delete;

  bool empty() const { return chunks_.empty(); }
  bool full() const { return bytes_ >= capacity_; }
  size_t bytes() const { return bytes_; }
  Chunk& front() { return chunks_.front(); }

  // A data chunk with room for `n` bytes (size 0), from the recycled buffers if possible.
  Chunk NewData(size_t n) {
    Chunk c;
    if (!spare_.empty() && spare_.back().capacity >= n) {
      c = std::move(spare_.back());
      spare_.pop_back();
    } else {
      c.bytes.reset(new char[n]);
      c.capacity = n;
    }
    return c;
  }
  // A data chunk holding a copy of `data`.
  Chunk Copy(std::string_view data) {
    Chunk c = NewData(data.size());
    std::copy(data.begin(), data.end(), c.bytes.get());
    c.size = data.size();
    return c;
  }
  static Chunk Marker(Chunk::Kind kind) {
    Chunk c;
    c.kind = kind;
    return c;
  }

  // Appends (stamping the arrival time) and wakes the consumer.
  void Push(Chunk c) {
    c.arrived = Clock::now();
    bytes_ += c.size;
    chunks_.push_back(std::move(c));
    consumer_.Notify();
  }
  // Removes the front chunk and wakes the producer.
  void Pop() {
    Chunk& c = chunks_.front();
    bytes_ -= c.size;
    if (c.bytes && spare_.size() < kSpareBuffers) {
      c.size = c.written = 0;
      c.due.reset();
      c.held_counted = false;
      spare_.push_back(std::move(c));
    }
    chunks_.pop_front();
    producer_.Notify();
  }

  Signal& consumer() { return consumer_; }  // the one coroutine taking chunks waits here
  Signal& producer() { return producer_; }  // the one coroutine adding chunks waits here

 private:
  static constexpr size_t kSpareBuffers = 4;
  size_t capacity_;
  size_t bytes_ = 0;
  std::deque<Chunk> chunks_;
  std::vector<Chunk> spare_;
  Signal consumer_;
  Signal producer_;
};

}  // namespace leakgate::faults::proxy
