// SIGINT/SIGTERM in every state leakgate can be in: a load phase, a scheduler at its rate
// ceiling, a probe read the target never answers, a target that ignores SIGTERM, and
// `leakgate load` alone. Each must stop the load and the target with everything the target
// spawned, write result.json with verdict "interrupted" and exit 130 — within 5 s of the
// signal (README, "Exit codes"; harness/runner/interrupt.h).
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>
#include <nlohmann/json.hpp>

#include "leakgate_process.h"
#include "tests/probes/scripted_server.h"

namespace leakgate::testing {
namespace signals_test {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

constexpr auto kStopBound = seconds(5);  // the promise: signal to exit

struct Dir {
  std::string path = MakeTempDir("leakgate-signals");
  std::string File(const std::string& name) const { return path + "/" + name; }
};

std::string WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

// A target wrapper that, like a real service's start script, spawns a helper of its own
// (`sleep`), records both pids, then becomes the Go target: the helper must die with it.
std::string WriteSpawningWrapper(const Dir& dir) {
  const auto path = WriteFile(dir.File("target.sh"), "#!/bin/sh\n"
                                                     "sleep 300 &\n"
                                                     "echo $! > \"" + dir.File("helper.pid") + "\"\n"
                                                     "echo $$ > \"" + dir.File("target.pid") + "\"\n"
                                                     "exec \"$@\"\n");
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  return path;
}

// Alive and not a zombie waiting for a reaper.
bool ProcessAlive(int pid) {
  if (pid <= 0 || ::kill(pid, 0) != 0) return false;
  const auto stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  return close == std::string::npos || close + 2 >= stat.size() || stat[close + 2] != 'Z';
}

int ReadPid(const std::string& path) {
  try {
    return std::stoi(ReadFile(path));
  } catch (const std::exception&) {
    return 0;
  }
}

// Waits (bounded) until `marker` shows in the run's stderr; false when it never did.
bool WaitForStderr(const BackgroundProcess& p, const std::string& marker, seconds bound = seconds(40)) {
  const auto deadline = Clock::now() + bound;
  while (Clock::now() < deadline) {
    if (p.StderrSoFar().find(marker) != std::string::npos) return true;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return false;
}

struct Stopped {
  ProcessOutcome outcome;
  Clock::duration took;  // from the signal to the exit
};

Stopped SignalAndWait(BackgroundProcess& p, int signal) {
  const auto sent = Clock::now();
  p.Signal(signal);
  auto outcome = p.Wait(seconds(30));
  return {std::move(outcome), Clock::now() - sent};
}

void ExpectInterruptedReport(const Dir& dir) {
  const auto text = ReadFile(dir.File("out/result.json"));
  ASSERT_FALSE(text.empty()) << "result.json was not written";
  const auto result = json::parse(text, nullptr, false);
  ASSERT_FALSE(result.is_discarded()) << text;
  EXPECT_EQ(result["verdict"], "interrupted");
  EXPECT_EQ(result["exit_code"], 130);
}

// Exit 130 within the bound, and the report says interrupted.
void ExpectStoppedInTime(const Stopped& stopped, const Dir& dir) {
  EXPECT_EQ(stopped.outcome.exit_code, 130) << stopped.outcome.err;
  EXPECT_LT(stopped.took, kStopBound);
  ExpectInterruptedReport(dir);
}

// A scenario around the leaky target, started through the spawning wrapper, with one load
// phase `phase` (a flow mapping); `target_flags` go after the target's own (", -x"),
// `target_keys` and `probe` are extra YAML lines.
struct RunScenario {
  std::string target_flags{}, target_keys{}, probe{};
  std::string phase = "{name: load, duration: 60s, rate: 100}";
};

std::string WriteRunScenario(const Dir& dir, const RunScenario& s) {
  return WriteFile(dir.File("s.yaml"),
                   "name: signals\ntarget:\n  command: [" + WriteSpawningWrapper(dir) +
                       ", build/examples/go-targets/leaky, -addr, \"127.0.0.1:${port}\", -mode, fixed" + s.target_flags +
                       "]\n  ready: /healthz\n" + s.target_keys + s.probe +
                       "traffic:\n  - {name: hello, path: /hello}\nphases:\n  - " + s.phase + "\n");
}

std::vector<std::string> RunArgs(const Dir& dir, const std::string& scenario) {
  return {LEAKGATE_BIN, "run", scenario, "--out", dir.File("out")};
}

// The common case: SIGTERM (what CI runners and `timeout` send) during a load phase.
// The target and the helper it spawned are gone afterwards: no orphans.
TEST(Signals, SigtermDuringLoadStopsTheTargetAndWhatItSpawned) {
  Dir dir;
  BackgroundProcess run(RunArgs(dir, WriteRunScenario(dir, {})), LEAKGATE_SOURCE_DIR);
  ASSERT_TRUE(WaitForStderr(run, "leakgate: phase load:")) << run.StderrSoFar();
  const int target = ReadPid(dir.File("target.pid")), helper = ReadPid(dir.File("helper.pid"));
  ASSERT_TRUE(ProcessAlive(target) && ProcessAlive(helper)) << target << " " << helper;

  ExpectStoppedInTime(SignalAndWait(run, SIGTERM), dir);
  EXPECT_FALSE(ProcessAlive(target)) << "the target outlived leakgate";
  EXPECT_FALSE(ProcessAlive(helper)) << "the target's own child was orphaned";
}

// A target that ignores SIGTERM, with a long stop_timeout: an interrupted run does not
// wait that grace out; the process group is killed within the bound.
TEST(Signals, TargetThatIgnoresSigtermIsKilledWithinTheBound) {
  Dir dir;
  const auto scenario =
      WriteRunScenario(dir, {.target_flags = ", -ignore-sigterm", .target_keys = "  stop_timeout: 60s\n"});
  BackgroundProcess run(RunArgs(dir, scenario), LEAKGATE_SOURCE_DIR);
  ASSERT_TRUE(WaitForStderr(run, "leakgate: phase load:")) << run.StderrSoFar();
  const int target = ReadPid(dir.File("target.pid"));
  ASSERT_TRUE(ProcessAlive(target));

  ExpectStoppedInTime(SignalAndWait(run, SIGTERM), dir);
  EXPECT_FALSE(ProcessAlive(target)) << "SIGTERM was ignored and nothing killed the target";
  EXPECT_FALSE(ProcessAlive(ReadPid(dir.File("helper.pid"))));
}

// The scheduler at its ceiling (10 million arrivals/s, far more than it can send): the
// worker threads are busy every moment, and still stop at once.
TEST(Signals, SigintWithTheSchedulerAtItsRateCeilingStopsWithinTheBound) {
  Dir dir;
  const auto scenario = WriteRunScenario(dir, {.phase = "{name: load, duration: 60s, rate: 10000000}"});
  BackgroundProcess run(RunArgs(dir, scenario), LEAKGATE_SOURCE_DIR);
  ASSERT_TRUE(WaitForStderr(run, "leakgate: phase load:")) << run.StderrSoFar();
  std::this_thread::sleep_for(milliseconds(1500));  // let the backlog build up

  ExpectStoppedInTime(SignalAndWait(run, SIGINT), dir);
  EXPECT_FALSE(ProcessAlive(ReadPid(dir.File("target.pid"))));
}

// A probe source that accepts the request and never answers, with a probe timeout far
// beyond the bound: the signal ends the stuck read, not the timeout.
TEST(Signals, SigtermDuringAProbeReadThatNeverEndsStopsWithinTheBound) {
  ScriptedServer silent([](int fd, const std::atomic<bool>& stop) {
    ScriptedServer::ReadRequestHead(fd, stop);
    ScriptedServer::SleepFor(milliseconds(60'000), stop);
  });
  Dir dir;
  const auto scenario = WriteRunScenario(
      dir, {.probe = "probe:\n  pprof: \"\"\n  expvar: \"" + silent.Url("/debug/vars") + "\"\n  timeout: 60s\n",
            .phase = "{name: load, duration: 5s, rate: 10}"});
  BackgroundProcess run(RunArgs(dir, scenario), LEAKGATE_SOURCE_DIR);
  const auto deadline = Clock::now() + seconds(40);
  while (silent.connections() == 0 && Clock::now() < deadline) std::this_thread::sleep_for(milliseconds(50));
  ASSERT_GT(silent.connections(), 0) << "the probe never asked: " << run.StderrSoFar();
  std::this_thread::sleep_for(milliseconds(300));  // the request is sent; the read waits

  ExpectStoppedInTime(SignalAndWait(run, SIGTERM), dir);
  EXPECT_FALSE(ProcessAlive(ReadPid(dir.File("target.pid"))));
}

// A second SIGINT stops at once, the report of what ran still written.
TEST(Signals, SecondSigintStopsAtOnceAndStillWritesTheReport) {
  Dir dir;
  const auto scenario =
      WriteRunScenario(dir, {.target_flags = ", -ignore-sigterm", .target_keys = "  stop_timeout: 60s\n"});
  BackgroundProcess run(RunArgs(dir, scenario), LEAKGATE_SOURCE_DIR);
  ASSERT_TRUE(WaitForStderr(run, "leakgate: phase load:")) << run.StderrSoFar();
  const int target = ReadPid(dir.File("target.pid"));
  const auto sent = Clock::now();
  run.Signal(SIGINT);
  run.Signal(SIGINT);
  const auto outcome = run.Wait(seconds(30));
  EXPECT_EQ(outcome.exit_code, 130) << outcome.err;
  EXPECT_LT(Clock::now() - sent, kStopBound);
  ExpectInterruptedReport(dir);
  EXPECT_FALSE(ProcessAlive(target));
}

// `leakgate load` alone: the phase ends early, what was sent is printed, exit 130.
TEST(Signals, SigtermEndsLeakgateLoadEarlyWithItsCountsAndExit130) {
  ScriptedServer server([](int fd, const std::atomic<bool>& stop) {
    while (!stop.load()) {
      if (ScriptedServer::ReadRequestHead(fd, stop).empty()) return;
      if (!ScriptedServer::SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", stop)) return;
    }
  });
  BackgroundProcess load({LEAKGATE_BIN, "load", server.Url("/"), "--rate", "200", "--duration", "60s", "--json"});
  const auto deadline = Clock::now() + seconds(20);
  while (server.connections() == 0 && Clock::now() < deadline) std::this_thread::sleep_for(milliseconds(50));
  std::this_thread::sleep_for(milliseconds(1000));

  const auto stopped = SignalAndWait(load, SIGTERM);
  EXPECT_EQ(stopped.outcome.exit_code, 130) << stopped.outcome.err;
  EXPECT_LT(stopped.took, kStopBound);
  const auto j = json::parse(stopped.outcome.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << stopped.outcome.out;
  EXPECT_TRUE(j["interrupted"].get<bool>());
  EXPECT_GT(j["ok"].get<int64_t>(), 50) << "about a second at 200/s was sent";
  EXPECT_LT(j["duration_s"].get<double>(), 30.0) << "the time it ran, not the 60 s asked for";
}

}  // namespace signals_test
}  // namespace leakgate::testing
