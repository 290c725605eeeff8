// MessageCounter: counts length-prefixed messages (gRPC's framing: a flag byte, a 4-byte
// big-endian length, the message) in a byte stream that arrives in chunks of any size,
// e.g. the DATA frames of a gRPC response. Nothing is buffered but the 5-byte prefix: a
// message's bytes are skipped as they arrive, so memory does not grow with its size.
// Thread-safety: none; one per stream.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace leakgate::load::h2 {

class MessageCounter {
 public:
  // Consumes `len` bytes; returns how many messages they completed.
  int64_t Feed(const uint8_t* data, size_t len) {
    int64_t completed = 0;
    while (len > 0) {
      if (left_ > 0) {
        const size_t n = std::min<size_t>(len, left_);
        left_ -= static_cast<uint32_t>(n);
        data += n;
        len -= n;
        if (left_ == 0) ++completed;
        continue;
      }
      const size_t n = std::min<size_t>(len, sizeof(prefix_) - have_);
      std::memcpy(prefix_ + have_, data, n);
      have_ = static_cast<uint8_t>(have_ + n);
      data += n;
      len -= n;
      if (have_ < sizeof(prefix_)) break;
      have_ = 0;
      left_ = (uint32_t{prefix_[1]} << 24) | (uint32_t{prefix_[2]} << 16) | (uint32_t{prefix_[3]} << 8) | prefix_[4];
      if (left_ == 0) ++completed;  // an empty message
    }
    count_ += completed;
    return completed;
  }
  // Messages completed so far.
  int64_t count() const { return count_; }
  // True between messages (nothing of a message pending).
  bool at_boundary() const { return have_ == 0 && left_ == 0; }

 private:
  int64_t count_ = 0;
  uint32_t left_ = 0;   // bytes of the current message still to come
  uint8_t have_ = 0;    // bytes of the current prefix seen
  uint8_t prefix_[5] = {};
};

}  // namespace leakgate::load::h2
