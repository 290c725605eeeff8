// Awaitable gRPC calls: grpc++'s callback API bridged into Asio coroutines.
//
// gRPC completes operations on its own threads. Each operation here arms a one-shot slot
// with the awaiting coroutine's completion handler, starts the gRPC operation, and the
// gRPC callback posts the result back to the coroutine's executor (the worker's
// io_context), as route_guide_callback_client.cc signals a condition variable. No thread
// per call, no blocking wait; the io_context is kept busy (outstanding work) while an
// operation is pending, so a worker's run() does not return under a suspended call.
//
// Lifetimes: the ClientContext, the request/response buffers and a Stream must outlive
// the call, i.e. until Unary() / Stream::Finish() has returned to the coroutine.
#pragma once

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/client_callback.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace leakgate::load::grpc_load {

// One serialized message as a ByteBuffer (one slice, copied), and back: the whole buffer
// as bytes, "" when grpc++ cannot dump it.
inline ::grpc::ByteBuffer ToByteBuffer(const std::string& bytes) {
  ::grpc::Slice slice(bytes);
  return ::grpc::ByteBuffer(&slice, 1);
}

inline std::string FromByteBuffer(const ::grpc::ByteBuffer& buffer) {
  std::vector<::grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

// A reusable one-shot result slot: Wait() on the coroutine side, Fire() from any thread.
// At most one Wait() at a time. A Fire() before the Wait() is kept for it. Thread-safe.
template <typename T>
class OneShot {
 public:
  // Arms the slot, runs `start` (which must lead to exactly one Fire()), and resumes the
  // calling coroutine with the fired value on its own executor.
  template <typename Start>
  boost::asio::awaitable<T> Wait(Start start) {
    co_return co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(T)>(
        [this, &start](auto handler) {
          Arm(std::make_unique<Waiter<decltype(handler)>>(std::move(handler)));
          start();
        },
        boost::asio::use_awaitable);
  }

  // Completes the pending Wait() (or the next one). Touches nothing of `this` after
  // handing the value over, so the owner may be destroyed as soon as the waiter resumes.
  void Fire(T value) {
    std::unique_ptr<WaiterBase> waiter;
    {
      std::lock_guard lock(mu_);
      if (!waiter_) {
        early_ = std::move(value);
        return;
      }
      waiter = std::move(waiter_);
    }
    waiter->Complete(std::move(value));
  }

 private:
  struct WaiterBase {
    virtual ~WaiterBase() = default;
    virtual void Complete(T value) = 0;
  };
  template <typename Handler>
  struct Waiter final : WaiterBase {
    explicit Waiter(Handler h)
        : handler(std::move(h)),
          work(boost::asio::prefer(boost::asio::get_associated_executor(handler),
                                   boost::asio::execution::outstanding_work.tracked)) {}
    void Complete(T value) override {
      boost::asio::post(work, [h = std::move(handler), v = std::move(value)]() mutable { std::move(h)(std::move(v)); });
    }
    Handler handler;
    boost::asio::any_io_executor work;  // keeps the io_context running while we wait
  };

  void Arm(std::unique_ptr<WaiterBase> waiter) {
    std::optional<T> early;
    {
      std::lock_guard lock(mu_);
      if (!early_) {
        waiter_ = std::move(waiter);
        return;
      }
      early.swap(early_);
    }
    waiter->Complete(std::move(*early));
  }

  std::mutex mu_;
  std::unique_ptr<WaiterBase> waiter_;
  std::optional<T> early_;
};

// One unary call with serialized messages. `method` is "/package.Service/Method".
inline boost::asio::awaitable<::grpc::Status> UnaryCall(::grpc::GenericStub& stub, ::grpc::ClientContext& ctx,
                                                        const std::string& method, const ::grpc::ByteBuffer& request,
                                                        ::grpc::ByteBuffer& response) {
  OneShot<::grpc::Status> done;
  co_return co_await done.Wait([&] {
    stub.UnaryCall(&ctx, method, ::grpc::StubOptions(), &request, &response,
                   [&done](::grpc::Status status) { done.Fire(std::move(status)); });
  });
}

// A streaming call (any of client, server or bidi streaming: on the wire they are all a
// bidi stream; the method's handler decides how many messages each side sends).
// Not thread-safe: one coroutine writes, at most one (other) coroutine reads.
class Stream final : public ::grpc::ClientBidiReactor<::grpc::ByteBuffer, ::grpc::ByteBuffer> {
 public:
  Stream(::grpc::GenericStub& stub, ::grpc::ClientContext& ctx, const std::string& method) {
    stub.PrepareBidiStreamingCall(&ctx, method, ::grpc::StubOptions(), this);
  }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  // A hold keeps gRPC from finishing the call (OnDone) between two of our operations, e.g.
  // after a read completed and before we start the next one; Finish() releases it.
  void Start() {
    AddHold();
    StartCall();
  }
  // false: the stream is broken (cancelled, deadline, server ended it); write no more.
  boost::asio::awaitable<bool> Write(const ::grpc::ByteBuffer& message) {
    return write_.Wait([this, &message] { StartWrite(&message); });
  }
  // Half-close: tells the server no more messages come. Not awaited.
  void CloseSend() { StartWritesDone(); }
  // false: no more messages (the server finished, or the call failed).
  boost::asio::awaitable<bool> Read(::grpc::ByteBuffer* message) {
    return read_.Wait([this, message] { StartRead(message); });
  }
  // The final status; returns once gRPC is done with the call (the Stream may then go).
  // Call it once every Write() and Read() has returned; no operation may follow it.
  boost::asio::awaitable<::grpc::Status> Finish() {
    return done_.Wait([this] { RemoveHold(); });
  }

 private:
  void OnWriteDone(bool ok) override { write_.Fire(ok); }
  void OnReadDone(bool ok) override { read_.Fire(ok); }
  void OnDone(const ::grpc::Status& status) override { done_.Fire(status); }

  OneShot<bool> write_;
  OneShot<bool> read_;
  OneShot<::grpc::Status> done_;
};

}  // namespace leakgate::load::grpc_load
