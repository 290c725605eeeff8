// Status and StatusOr<T>: errors as values across module boundaries (LevelDB's Status,
// reduced to what leakgate needs). A function that can fail for reasons of the input,
// the network or the target returns one of these instead of throwing or filling a
// `std::string*` out-parameter; exceptions stay for setup errors caught at the top.
//
// A Status is OK or carries a code and a message; the message names the place (a URL, a
// flag, file:line:column) and reads as a sentence fragment ("GET http://…: timed out
// after 3s"). The code is coarse on purpose: it decides the exit code and whether a
// caller may retry, the message tells the user what happened.
//
// Thread-safety: plain values; distinct objects may be used from distinct threads.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace leakgate {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // bad input: scenario, flag, replay file (exit 2)
  kPermissionDenied,   // refused by policy, e.g. a non-loopback host not allowed (exit 2)
  kUnavailable,        // the target or a dependency cannot be reached or answered badly (exit 3)
  kDeadlineExceeded,   // an operation ran out of time
  kResourceExhausted,  // a size cap or a ceiling was hit
  kCancelled,          // run-wide stop (SIGINT/SIGTERM)
  kInternal,           // leakgate's own bug (exit 70)
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {
    assert(code != StatusCode::kOk);
  }

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status DeadlineExceeded(std::string m) { return {StatusCode::kDeadlineExceeded, std::move(m)}; }
  static Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
  static Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // "" when ok.
  const std::string& message() const { return message_; }

  // The same error with `context` in front: "probe goroutines: " + message.
  Status WithContext(const std::string& context) const {
    return ok() ? *this : Status(code_, context + message_);
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value, or the Status saying why there is none. Constructing from an OK Status is a
// programming error (asserted).
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT: implicit, like absl::StatusOr
  StatusOr(Status status) : status_(std::move(status)) { assert(!status_.ok()); }  // NOLINT

  bool ok() const { return value_.has_value(); }
  // OK when there is a value.
  const Status& status() const { return status_; }

  // Precondition for all accessors: ok().
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace leakgate
