#include "harness/scenario/tls_section.h"

#include <fmt/format.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "harness/scenario/messages.h"

namespace leakgate::scenario {
namespace {

// A PEM file that must exist; "" when the key is absent.
std::string ExistingFile(const std::optional<Reader>& v) {
  if (!v) return "";
  std::string path = v->String();
  if (path.empty()) v->Fail("expected a file path, got \"\"");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) v->Fail(fmt::format("no such file {}", Quoted(path)));
  return path;
}

}  // namespace

net::TlsSettings ReadTls(const Reader& r, std::vector<std::string>* alpn) {
  const auto m = alpn ? r.Map({"ca", "cert", "key", "server_name", "insecure_skip_verify", "resume_sessions", "alpn"})
                      : r.Map({"ca", "cert", "key", "server_name", "insecure_skip_verify", "resume_sessions"});
  net::TlsSettings t;
  if (const auto v = m.Get("alpn")) {
    for (const Reader& item : v->Items()) {
      std::string id = item.String();
      if (id.empty() || id.size() > 255) item.Fail("an ALPN protocol id is 1 to 255 bytes (\"h2\", \"http/1.1\")");
      alpn->push_back(std::move(id));
    }
  }
  t.ca = ExistingFile(m.Get("ca"));
  t.cert = ExistingFile(m.Get("cert"));
  t.key = ExistingFile(m.Get("key"));
  if (t.cert.empty() != t.key.empty()) {
    r.Fail("cert and key go together: mutual TLS needs the client certificate and its private key");
  }
  if (const auto v = m.Get("server_name")) t.server_name = v->String();
  if (const auto v = m.Get("insecure_skip_verify")) t.insecure_skip_verify = v->Bool();
  if (const auto v = m.Get("resume_sessions")) t.resume_sessions = v->Bool();
  return t;
}

}  // namespace leakgate::scenario
