// HTTP/2 client faults (h2_rst_stream, h2_stall, h2_abandon, h2_goaway; FORMAT.md,
// "HTTP/2 faults") through the load engine against the real Go example target's h2c
// listener (net/http's own HTTP/2 server). Each test asserts what the Go server saw, from
// its expvar counters: /stream handlers whose writes failed or that completed, how long
// the longest took, how many are still writing, connections accepted and closed by the
// server. One target per suite; the counters are read as differences.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "go_tls_target.h"
#include "harness/load/load_engine.h"

namespace leakgate::load {
namespace h2_faults_test {

using namespace std::chrono_literals;
using scenario::Fault;

constexpr const char* kBigStream = "/stream?chunks=64&size=32768";  // 2 MiB, written 32 KiB at a time

class H2FaultsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = std::make_unique<testing::GoTlsTarget>(/*mutual=*/false); }
  static void TearDownTestSuite() { server_.reset(); }

  static scenario::Phase Phase(double rate, scenario::Duration duration, Fault fault) {
    scenario::Phase p;
    p.name = "t";
    p.rate = rate;
    p.duration = duration;
    p.protocol = scenario::Phase::Wire::kH2c;
    p.timeout = 5s;
    p.connections.max = 1;
    p.workers = 1;
    p.faults.push_back(std::move(fault));
    return p;
  }
  static Fault Of(Fault::Kind kind) {
    Fault f;
    f.kind = kind;
    return f;
  }
  PhaseLoadResult Run(const scenario::Phase& phase, const std::string& path) {
    scenario::Traffic t;
    t.name = "t";
    t.path = path;
    const LoadEngine engine({t}, server_->h2c_url);
    return engine.RunPhase(phase, stop_);
  }
  static int64_t Observed(const std::string& name) { return server_->Counter("observe", name); }
  static int64_t ObservedEventually(const std::string& name, int64_t at_least) {
    return server_->CounterEventually("observe", name, at_least);
  }
  static int64_t Faulted(const PhaseLoadResult& r, Fault::Kind kind) { return r.stats.faulted[static_cast<size_t>(kind)]; }

  static std::unique_ptr<testing::GoTlsTarget> server_;
  std::atomic<bool> stop_{false};
};
std::unique_ptr<testing::GoTlsTarget> H2FaultsTest::server_;

TEST_F(H2FaultsTest, RstStreamAfterTheHeadersFailsTheHandlersWrites) {
  const int64_t write_errors = Observed("stream_write_errors"), completed = Observed("stream_completed");
  const auto r = Run(Phase(20, 1s, Of(Fault::kH2RstStream)), kBigStream);
  EXPECT_EQ(r.stats.sent, 20);
  EXPECT_EQ(Faulted(r, Fault::kH2RstStream), 20);
  EXPECT_EQ(r.stats.cancelled, 20) << "a planned reset is counted as cancelled; errors: " << r.stats.errors();
  EXPECT_EQ(ObservedEventually("stream_write_errors", write_errors + 20), write_errors + 20)
      << "every handler's write failed once its stream was reset";
  EXPECT_EQ(Observed("stream_completed"), completed);
}

TEST_F(H2FaultsTest, RstStreamAfterSomeBodyBytesLetsThatMuchThrough) {
  const int64_t write_errors = Observed("stream_write_errors");
  Fault f = Of(Fault::kH2RstStream);
  f.after_bytes = 256 << 10;
  const auto r = Run(Phase(20, 500ms, f), kBigStream);
  EXPECT_EQ(r.stats.sent, 10);
  EXPECT_EQ(r.stats.cancelled, 10) << "errors: " << r.stats.errors();
  EXPECT_EQ(ObservedEventually("stream_write_errors", write_errors + 10), write_errors + 10);
}

// The stream's window is held for 800 ms: each handler blocks in flow control that long
// (loopback sends 2 MiB in a few ms otherwise), then the client grants the window and the
// responses complete.
TEST_F(H2FaultsTest, StallHoldsTheServersWritesForTheHoldThenTheResponseCompletes) {
  const int64_t completed = Observed("stream_completed");
  Fault f = Of(Fault::kH2Stall);
  f.hold = 800ms;
  const auto r = Run(Phase(10, 500ms, f), kBigStream);
  EXPECT_EQ(r.stats.sent, 5);
  EXPECT_EQ(r.stats.ok, 5) << "errors: " << r.stats.errors() << " cancelled: " << r.stats.cancelled;
  EXPECT_EQ(Faulted(r, Fault::kH2Stall), 5);
  EXPECT_EQ(ObservedEventually("stream_completed", completed + 5), completed + 5);
  EXPECT_GE(Observed("stream_max_ms"), 700) << "the handler waited for window";
  EXPECT_GE(r.stats.corrected.QuantileNanos(0.5), std::chrono::nanoseconds(700ms).count());
}

TEST_F(H2FaultsTest, ConnectionStallHeldToTheTimeoutResetsTheStreams) {
  const int64_t write_errors = Observed("stream_write_errors");
  Fault f = Of(Fault::kH2Stall);
  f.connection_window = true;  // hold 0: until the request's timeout
  auto phase = Phase(10, 500ms, f);
  phase.timeout = 700ms;
  const auto r = Run(phase, kBigStream);
  EXPECT_EQ(r.stats.sent, 5);
  EXPECT_EQ(r.stats.cancelled, 5) << "a stall to the timeout is the fault's end, not a timeout error";
  EXPECT_EQ(ObservedEventually("stream_write_errors", write_errors + 5), write_errors + 5)
      << "the handlers were blocked until the reset";
}

// Abandoned streams are never reset: their handlers stay blocked in their writes while the
// connection lives, and fail only when the phase closes it.
TEST_F(H2FaultsTest, AbandonLeavesTheHandlersBlockedUntilTheConnectionCloses) {
  const int64_t active = Observed("stream_active"), write_errors = Observed("stream_write_errors");
  std::atomic<int64_t> most_active{0};
  std::jthread watcher([&](std::stop_token st) {
    while (!st.stop_requested()) {
      most_active = std::max(most_active.load(), Observed("stream_active") - active);
      std::this_thread::sleep_for(50ms);
    }
  });
  const auto r = Run(Phase(10, 1500ms, Of(Fault::kH2Abandon)), kBigStream);
  watcher.request_stop();
  watcher.join();
  EXPECT_EQ(r.stats.sent, 15);
  EXPECT_EQ(r.stats.cancelled, 15) << "errors: " << r.stats.errors();
  EXPECT_GE(most_active.load(), 10) << "handlers were blocked at once while the phase ran";
  EXPECT_EQ(ObservedEventually("stream_write_errors", write_errors + 15), write_errors + 15)
      << "the phase's end closed the connection under them";
}

// Each request announces GOAWAY on its connection: its stream still completes, the next
// request opens a new connection, and the Go server closes each announced connection once
// its streams are done (after its goAwayTimeout, 1 s): at 4 requests/s for 3 s, the
// connections of the first ~2 s are closed by the server before the phase's end closes the
// rest.
TEST_F(H2FaultsTest, GoawayRetiresTheConnectionAndTheServerClosesIt) {
  const int64_t accepted = server_->Counter("h2c", "connections");
  const int64_t closed = Observed("conn_closed_by_server"), completed = Observed("stream_completed");
  const auto r = Run(Phase(4, 3s, Of(Fault::kH2Goaway)), kBigStream);
  EXPECT_EQ(r.stats.sent, 12);
  EXPECT_EQ(r.stats.ok, 12) << "errors: " << r.stats.errors();
  EXPECT_EQ(r.stats.connections_opened, 12) << "one connection per GOAWAY";
  EXPECT_EQ(server_->CounterEventually("h2c", "connections", accepted + 12), accepted + 12);
  EXPECT_EQ(ObservedEventually("stream_completed", completed + 12), completed + 12);
  EXPECT_GE(Observed("conn_closed_by_server"), closed + 6) << "the server ended the connections it was told were done";
}

}  // namespace h2_faults_test
}  // namespace leakgate::load
