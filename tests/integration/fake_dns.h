// FakeDnsServer: a DNS server on UDP and TCP 127.0.0.1:53 that records every query it
// receives. It answers A queries for the names it was given, AAAA with no records and
// anything else with NXDOMAIN — or, silent, answers nothing (a DNS server that hangs).
//
// Construct it inside a test's network namespace (NetworkNamespace::RunInside) so that port
// 53 is the namespace's own. Its thread serves until the destructor.
//
// Thread-safety: Queries() may be called from any thread while the server runs.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace leakgate::testing {

class FakeDnsServer {
 public:
  struct Query {
    std::string name;       // lowercase, without the trailing dot
    unsigned type = 0;      // 1 A, 28 AAAA, ...
    std::string transport;  // "udp" or "tcp" (a TCP connection counts, whatever it sends)
  };

  // `a_records`: name → IPv4 text. `silent`: never answer.
  FakeDnsServer(std::map<std::string, std::string> a_records, bool silent);
  ~FakeDnsServer();
  FakeDnsServer(const FakeDnsServer&) = delete;
  FakeDnsServer& operator=(const FakeDnsServer&) = delete;

  // "" when both sockets are bound, else why not.
  const std::string& error() const { return error_; }
  std::vector<Query> Queries() const;

 private:
  void Serve();
  void Answer(const unsigned char* query, std::size_t size, std::string& reply);

  std::map<std::string, std::string> a_records_;
  bool silent_;
  std::string error_;
  int udp_fd_ = -1;
  int tcp_fd_ = -1;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<Query> queries_;  // guarded by mu_
  std::thread thread_;
};

}  // namespace leakgate::testing
