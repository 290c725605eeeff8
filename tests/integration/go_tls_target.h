// The real Go example target (examples/go-targets/leaky) with its extra listeners for one
// test suite: TLS (-tls-addr, with throwaway certificates made for the run by
// tests/support/test_certs.h; `mutual` requires client certificates) and h2c
// (-h2c-addr), all on free loopback ports, and its expvar counters read over the plain
// listener: "tls" (handshakes, client_certs, handshake_errors, h2_connections, see
// tls_listener.go) and "observe" (observe.go).
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "harness/net/tls_settings.h"
#include "harness/runner/ports.h"
#include "harness/runner/target_process.h"
#include "probes/http_fetch.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_certs.h"

namespace leakgate::testing {

// TLS settings trusting the CA file `ca` (and checking `server_name` when given).
inline net::TlsSettings TrustCa(const std::string& ca, const std::string& server_name = "") {
  net::TlsSettings t;
  t.ca = ca;
  t.server_name = server_name;
  return t;
}

struct GoTlsTarget {
  TestCerts certs = MakeTestCerts();
  std::string http_url, https_url, h2c_url;
  std::string log_dir = MakeTempDir("leakgate-tls");
  std::optional<runner::TargetProcess> process;

  explicit GoTlsTarget(bool mutual) {
    using namespace std::chrono_literals;
    const auto addr = [](int port) { return "127.0.0.1:" + std::to_string(port); };
    const int port = runner::AllocateLoopbackPort(), tls = runner::AllocateLoopbackPort(),
              h2c = runner::AllocateLoopbackPort();
    http_url = "http://" + addr(port);
    https_url = "https://" + addr(tls);
    h2c_url = "http://" + addr(h2c);
    std::vector<std::string> argv = {LEAKGATE_GO_TARGET, "-addr", addr(port), "-mode", "fixed", "-h2c-addr", addr(h2c),
                                     "-tls-addr", addr(tls), "-tls-cert", certs.server_cert, "-tls-key", certs.server_key};
    if (mutual) argv.insert(argv.end(), {"-client-ca", certs.ca});
    process.emplace(runner::TargetProcess::Start(argv, {}, log_dir + "/target.log"));
    for (int i = 0; i < 200; ++i) {
      if (auto r = probes::HttpGet(http_url + "/healthz", {.timeout = 1s}); r.ok() && r->status == 200) return;
      std::this_thread::sleep_for(25ms);
    }
    ADD_FAILURE() << "target not ready: " << process->LogTail(20);
  }
  ~GoTlsTarget() {
    process.reset();
    std::filesystem::remove_all(log_dir);
    std::filesystem::remove_all(certs.dir);
  }
  GoTlsTarget(const GoTlsTarget&) = delete;
  GoTlsTarget& operator=(const GoTlsTarget&) = delete;

  // The server's expvar counter `group`.`name` ("tls", "observe"); -1 (and a test failure) when absent.
  int64_t Counter(const std::string& group, const std::string& name) const {
    using namespace std::chrono_literals;
    const auto r = probes::HttpGetOk(http_url + "/debug/vars", {.timeout = 5s});
    EXPECT_TRUE(r.ok()) << r.status().message();
    const auto j = nlohmann::json::parse(r.ok() ? *r : std::string(), nullptr, false);
    if (j.is_discarded() || !j.contains(group) || !j[group].contains(name)) {
      ADD_FAILURE() << "no " << group << "." << name << " in /debug/vars";
      return -1;
    }
    return j[group][name].get<int64_t>();
  }
  // Polls the counter until it is at least `at_least` (~2 s bound); returns the last value.
  int64_t CounterEventually(const std::string& group, const std::string& name, int64_t at_least) const {
    int64_t v = Counter(group, name);
    for (int i = 0; i < 100 && v < at_least; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      v = Counter(group, name);
    }
    return v;
  }
};

}  // namespace leakgate::testing
