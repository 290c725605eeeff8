// The coordinator protocol end to end on loopback: a real ControlServer serving a
// ShardBoard, real CoordinatorClients (HTTP over real sockets). A shard that goes silent
// must be named lost within lost_after (never a hang); a stop must reach the others.
#include "harness/runner/shard_board.h"

#include <gtest/gtest.h>

#include <thread>

#include "harness/runner/control_server.h"
#include "harness/runner/coordinator_client.h"
#include "probes/http_fetch.h"

namespace leakgate::runner {
namespace shard_board_test {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

class ShardBoardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = ControlServer::Start({boost::asio::ip::make_address("127.0.0.1"), 0},
                                       [this](const ControlRequest& r) { return board_.Handle(r); });
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(*server);
    address_ = "127.0.0.1:" + std::to_string(server_->port());
  }
  std::unique_ptr<CoordinatorClient> Connect(int index, int count = 2) {
    auto c = CoordinatorClient::Connect(address_, {index, count}, {}, 2s);
    EXPECT_TRUE(c.ok()) << c.status().message();
    return c.ok() ? std::move(*c) : nullptr;
  }

  ShardBoard board_{{2, "http://127.0.0.1:9", 1, 600ms, 5s}};
  std::unique_ptr<ControlServer> server_;
  std::string address_;
};

TEST_F(ShardBoardTest, ShardsRegisterLearnStartTimesAndReportResults) {
  auto c0 = Connect(0);
  auto c1 = Connect(1);
  ASSERT_TRUE(c0 && c1);
  EXPECT_EQ(c0->target_url(), "http://127.0.0.1:9");
  ASSERT_TRUE(board_.WaitRegistered(SteadyClock::now() + 2s, nullptr).ok());
  const auto start = WallClock::now() + 200ms;
  std::thread announcer([&] {
    std::this_thread::sleep_for(100ms);  // the shard is already polling
    board_.Announce(0, start);
  });
  const auto got = c0->StartOf(0);
  announcer.join();
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, start);
  reports::PhaseResult p;
  p.name = "load";
  p.requests = 7;
  ASSERT_TRUE(c0->Report(0, p).ok());
  p.requests = 5;
  ASSERT_TRUE(c1->Report(0, p).ok());
  const auto results = board_.WaitResults(0, "load", start, nullptr);
  ASSERT_TRUE(results.ok()) << results.status().message();
  ASSERT_EQ(results->size(), 2u);
  EXPECT_EQ((*results)[0].requests, 7);
  EXPECT_EQ((*results)[1].requests, 5);
}

TEST_F(ShardBoardTest, ASilentShardIsNamedLostAndTheOthersAreToldToStop) {
  auto c0 = Connect(0);
  auto c1 = Connect(1);
  ASSERT_TRUE(c0 && c1);
  board_.Announce(0, WallClock::now());
  c1.reset();  // shard 1 dies: no heartbeat, no result
  const auto began = SteadyClock::now();
  const auto results = board_.WaitResults(0, "load", WallClock::now() + 60s, nullptr);
  const auto waited = SteadyClock::now() - began;
  ASSERT_FALSE(results.ok());
  EXPECT_EQ(results.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(results.status().message().starts_with("shard 1 of 2 lost during phase load (no word from it for"))
      << results.status().message();
  EXPECT_LT(waited, 5s) << "named once lost_after (0.6 s) passed, not at the phase's deadline";
  board_.Stop(results.status().message());
  std::string why;
  for (int i = 0; i < 200 && !c0->ShouldStop(why); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(why, results.status().message()) << "the surviving shard hears why";
  EXPECT_FALSE(c0->StartOf(0).ok()) << "and is given no further start";
}

TEST_F(ShardBoardTest, RefusesWhatIsNotTheProtocol) {
  probes::FetchOptions options;
  options.timeout = 2s;
  const auto base = "http://" + address_;
  auto r = probes::HttpGet(base + "/shards/7/steps/0", options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400u);
  r = probes::HttpGet(base + "/elsewhere", options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404u);
  r = probes::HttpPost(base + "/shards/0/steps/0/result", "not json", options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400u);
  r = probes::HttpGet(base + "/shards/0/steps/5", options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400u) << "no step 5 in a one-step run";

  auto wrong_count = CoordinatorClient::Connect(address_, {0, 3}, {}, 1s);
  ASSERT_FALSE(wrong_count.ok());
  EXPECT_NE(wrong_count.status().message().find("runs 2 shards"), std::string::npos) << wrong_count.status().message();
  auto elsewhere = CoordinatorClient::Connect("10.1.2.3:7070", {0, 2}, {}, 1s);
  ASSERT_FALSE(elsewhere.ok());
  EXPECT_EQ(elsewhere.status().code(), StatusCode::kPermissionDenied) << "the address policy holds before any packet";
}

TEST_F(ShardBoardTest, AShardThatNeverRegistersIsNamed) {
  auto c0 = Connect(0);
  const auto st = board_.WaitRegistered(SteadyClock::now() + 300ms, nullptr);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "shard 1 of 2 never registered");
}

}  // namespace shard_board_test
}  // namespace leakgate::runner
