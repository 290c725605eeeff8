// RequestFactory: the raw HTTP/1.1 bytes of a traffic entry, and the malformed damage.
#include "harness/load/http/request_factory.h"

#include <gtest/gtest.h>

#include <random>

namespace leakgate::load::http {
namespace request_factory_test {

TEST(RequestFactory, RendersAndDamagesRequests) {
  scenario::Traffic t;
  t.name = "t";
  t.method = "POST";
  t.path = "/p";
  t.body = "abcd";
  const RequestFactory f({t}, "h:1", "/base");
  std::mt19937_64 rng(1);
  std::string scratch;
  const std::string req(f.Build(0, 0, rng, scratch));
  EXPECT_EQ(req, "POST /base/p HTTP/1.1\r\nHost: h:1\r\nUser-Agent: leakgate\r\nContent-Length: 4\r\n\r\nabcd");
  EXPECT_EQ(RequestFactory::BodyOffset(req), req.size() - 4);
  EXPECT_TRUE(RequestFactory::Malform(req, "request_line").starts_with("POST /base/p\r\n"));
  EXPECT_TRUE(RequestFactory::Malform(req, "version").starts_with("POST /base/p HTTP/1.x\r\n"));
  EXPECT_NE(RequestFactory::Malform(req, "header").find("\r\nBroken Header Line\r\n"), std::string::npos);
}

}  // namespace request_factory_test
}  // namespace leakgate::load::http
