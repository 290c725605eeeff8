// ScriptedServer: a real TCP server on 127.0.0.1 or another local IPv4 address (a free port
// chosen by the kernel; constructed inside a test's network namespace it listens there) whose
// every connection is handled by a script — answer normally, trickle, never answer, send
// without end — to test clients against misbehaving peers over real sockets.
//
// Each connection runs its script on a thread of its own; the script gets the socket and a
// stop flag and must return when the flag is raised (the helpers below all do, within
// ~50 ms) or after kMaxScriptTime. The destructor raises the flag and joins every thread.
//
// Thread-safety: construct and destroy on one thread; scripts run concurrently.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace leakgate::testing {

class ScriptedServer {
 public:
  using Script = std::function<void(int fd, const std::atomic<bool>& stop)>;
  static constexpr auto kMaxScriptTime = std::chrono::seconds(60);

  explicit ScriptedServer(Script script, const std::string& ipv4 = "127.0.0.1");
  ~ScriptedServer();
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  int port() const { return port_; }
  // "http://ADDRESS:PORT" + path.
  std::string Url(std::string_view path = "/") const;
  // Connections accepted so far.
  int connections() const { return connections_.load(); }

  // Script helpers; each gives up when `stop` is raised, the peer goes away, or
  // kMaxScriptTime passes. SendAll returns false when it gave up.
  // The request head as read (up to its blank line, or what came before giving up).
  static std::string ReadRequestHead(int fd, const std::atomic<bool>& stop);
  static bool SendAll(int fd, std::string_view data, const std::atomic<bool>& stop);
  // Sleeps up to `d`, returning early (false) when `stop` is raised.
  static bool SleepFor(std::chrono::milliseconds d, const std::atomic<bool>& stop);

 private:
  void AcceptLoop();

  Script script_;
  int listen_fd_ = -1;
  std::string address_;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::mutex mu_;
  std::vector<std::thread> connection_threads_;  // guarded by mu_
  std::thread accept_thread_;
};

}  // namespace leakgate::testing
