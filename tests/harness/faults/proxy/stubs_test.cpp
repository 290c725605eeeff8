// Stub dependencies: leakgate answering as the dependency, over HTTP/1.1 and over gRPC.
//
// Method: the HTTP stub is spoken to over a raw socket and its responses parsed with
// Beast; the gRPC stub is called by a real gRPC client (grpc++'s generic stub, HTTP/2 over
// the proxy's TCP relay), so what is checked is the status a gRPC client library reports,
// not bytes on the wire. Both sit behind the proxy's listener, so faults are checked to
// act on them like on a real upstream.
#include <gtest/gtest.h>

#include <future>

#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/byte_buffer.h>

#include "proxy_test_support.h"

namespace leakgate::faults::proxy::testing {
namespace stubs_test {

using namespace std::chrono_literals;
using scenario::DependencyFault;
using K = DependencyFault::Kind;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

scenario::Dependency HttpStubDependency(const std::string& name, scenario::HttpStub stub, bool http = false) {
  scenario::Dependency d;
  d.name = name;
  d.http_stub = std::move(stub);
  d.http = http;
  return d;
}

scenario::Dependency GrpcStubDependency(const std::string& name, int code, const std::string& message,
                                        std::chrono::nanoseconds latency) {
  scenario::Dependency d;
  d.name = name;
  d.grpc_stub = scenario::GrpcStub{code, message, latency};
  return d;
}

struct CallResult {
  grpc::Status status;
  size_t response_bytes = 0;
  double ms = 0;
};

// One unary call of an arbitrary method through a real gRPC channel.
CallResult Call(const std::string& address, std::chrono::milliseconds deadline = 5000ms) {
  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + deadline);
  const std::string payload = "\x0a\x03" "abc";  // field 1 = "abc": any message will do
  grpc::Slice slice(payload);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  const auto t0 = Clock::now();
  stub.UnaryCall(&context, "/leakgate.test.Prices/Get", grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status s) { done.set_value(std::move(s)); });
  CallResult r;
  r.status = done.get_future().get();
  r.ms = Ms(Clock::now() - t0);
  r.response_bytes = response.Length();
  return r;
}

TEST(ProxyStubs, HttpStubAnswersEveryRequestWithItsResponseAndKeepsAlive) {
  scenario::HttpStub stub;
  stub.status = 200;
  stub.body = "42";
  stub.headers = {{"Content-Type", "text/plain"}};
  stub.latency = 20ms;
  auto proxy = StartProxy({HttpStubDependency("prices", stub)});
  ASSERT_TRUE(proxy);
  HttpClient c(proxy->Port("prices"));
  ASSERT_TRUE(c.ok());
  for (const char* path : {"/", "/price?id=7", "/anything/else"}) {
    HttpReply r = c.Exchange(Get(path, "POST", "ignored body"));
    ASSERT_TRUE(r.ok) << path;
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body, "42");
    EXPECT_EQ(r.headers["content-type"], "text/plain");
    EXPECT_TRUE(r.keep_alive);
    EXPECT_GE(Ms(r.done_at - r.sent_at), 20.0 * 0.95) << "the stub's latency";
  }
  HttpReply head = c.Exchange(Get("/", "HEAD"), /*head_request=*/true);
  ASSERT_TRUE(head.ok);
  EXPECT_EQ(head.headers["content-length"], "2");
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(DependencyRow(*proxy, "", "prices").connections, 1) << "one keep-alive connection carried all";
}

TEST(ProxyStubs, FaultsActOnAnHttpStubAsOnAnUpstream) {
  scenario::HttpStub stub;
  stub.body = "42";
  auto proxy = StartProxy({HttpStubDependency("prices", stub, /*http=*/true)});
  ASSERT_TRUE(proxy);
  auto error = Fault(K::kHttpError, "prices");
  error.status = 502;
  error.path = "/v1/*";
  auto latency = Fault(K::kLatency, "prices");
  latency.delay = 60ms;
  latency.direction = DependencyFault::Direction::kDownstream;
  ASSERT_TRUE(proxy->SetPhase("bad", {error, latency}).ok());
  HttpClient c(proxy->Port("prices"));
  ASSERT_TRUE(c.ok());
  HttpReply r = c.Exchange(Get("/v1/quote"));
  EXPECT_EQ(r.status, 502u);
  EXPECT_GE(Ms(r.done_at - r.sent_at), 60.0 * 0.95) << "TCP latency applies to a local answer too";
  r = c.Exchange(Get("/v2/quote"));
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, "42");
  EXPECT_GE(Ms(r.done_at - r.sent_at), 60.0 * 0.95);
}

TEST(ProxyStubs, GrpcStubGivesARealGrpcClientTheConfiguredStatus) {
  auto proxy = StartProxy({GrpcStubDependency("quotes", static_cast<int>(grpc::StatusCode::UNAVAILABLE), "quotes are down", 50ms),
                           GrpcStubDependency("ok", 0, "", 0ms)});
  ASSERT_TRUE(proxy);
  const CallResult down = Call(proxy->Address("quotes"));
  EXPECT_EQ(down.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(down.status.error_message(), "quotes are down");
  EXPECT_GE(down.ms, 50.0 * 0.95) << "the stub's latency";

  const CallResult fine = Call(proxy->Address("ok"));
  EXPECT_TRUE(fine.status.ok()) << fine.status.error_message();
  EXPECT_EQ(fine.response_bytes, 0u) << "one empty message: the default of any response type";
}

TEST(ProxyStubs, GrpcStubHonoursTheCallersDeadlineAndTcpFaults) {
  auto proxy = StartProxy({GrpcStubDependency("slow", 0, "", 5s)});
  ASSERT_TRUE(proxy);
  const CallResult late = Call(proxy->Address("slow"), 100ms);
  EXPECT_EQ(late.status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(late.ms, 1000.0) << "the stub's 5 s wait was cut by the caller's deadline";

  ASSERT_TRUE(proxy->SetPhase("outage", {Fault(K::kDown, "slow")}).ok());
  const CallResult refused = Call(proxy->Address("slow"), 1000ms);
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::UNAVAILABLE) << "connection refused: the dependency is down";
}

}  // namespace stubs_test
}  // namespace leakgate::faults::proxy::testing
