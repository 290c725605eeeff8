// PhaseCapture: what `probe.capture` asks for in one load phase — an execution trace
// (/debug/pprof/trace?seconds=N) and a CPU profile (/debug/pprof/profile?seconds=N) of
// the target, each centred on the phase's midpoint and cut to the phase's length — taken
// on threads of its own while the phase runs. Finish() joins them and hands back what was
// recorded, for the runner to save as trace.PHASE.out and cpu.PHASE.pb.gz.
//
// A recording waits for its start (or for `stop`, then it is skipped) and its fetch is
// bounded by the recording's length plus the probe timeout. Thread-safety: one owner;
// the Sampler it reads through is used concurrently (its fetches are const).
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "harness/base/status.h"
#include "harness/scenario/scenario.h"
#include "probes/sampler.h"

namespace leakgate::runner {

class PhaseCapture {
 public:
  struct Recording {
    std::string file;  // "trace.load.out", "cpu.load.pb.gz"
    StatusOr<std::string> body;
  };

  // Starts the recordings `capture` asks for (none when it asks for neither). `label`
  // names the files ("load", "load.c2" for the second cycle's phase "load").
  PhaseCapture(const probes::Sampler& sampler, const scenario::Probe::Capture& capture, const std::string& label,
               std::chrono::nanoseconds phase_duration, const std::atomic<bool>* stop);
  PhaseCapture(const PhaseCapture&) = delete;
  PhaseCapture& operator=(const PhaseCapture&) = delete;
  ~PhaseCapture() = default;  // the jthreads join

  // Waits for every recording and returns them (skipped ones are left out).
  std::vector<Recording> Finish();

 private:
  struct Slot {
    std::string endpoint;              // "trace?seconds=2"
    std::chrono::nanoseconds length;   // of the recording
    std::chrono::nanoseconds delay;    // from the phase's start
    Recording recording;
    bool taken = false;
  };
  void Record(Slot& slot);

  const probes::Sampler& sampler_;
  const std::atomic<bool>* stop_;
  // Sized before the threads start; each thread writes only its own slot, read after join.
  std::vector<Slot> slots_;
  std::vector<std::jthread> threads_;
};

// A phase name as a file-name part: [A-Za-z0-9._-] kept, anything else '_'.
std::string FileNamePart(const std::string& name);

}  // namespace leakgate::runner
