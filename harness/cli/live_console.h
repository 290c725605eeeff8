// How `leakgate run` (and `check`) talk to the terminal while a run is in progress:
//
//   kLive   stderr is a terminal (and TERM is not "dumb"): the live view (live_view.h)
//           redrawn in place with ANSI cursor movement, at most 4 times a second; the
//           runner's progress lines scroll above it
//   kPlain  stderr is a file or a pipe (CI logs): one "leakgate: ..." line per progress
//           event, no escape sequences
//   kQuiet  --quiet: nothing until the summary
//
// LiveConsole writes through a sink (stderr in the binary, a string in tests) and takes
// the time as an argument, so the redraw and its throttle are tested without a terminal.
// Thread-safety: Update, Line and Finish may be called from any thread (the runner calls
// `live` from its feed thread and `progress` from its own); one mutex serializes them.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "harness/runner/live_status.h"
#include "harness/runner/runner.h"

namespace leakgate::cli {

enum class ConsoleMode { kQuiet, kLive, kPlain };

// kQuiet when `quiet`; kLive on a terminal whose TERM is not "dumb"; kPlain otherwise.
ConsoleMode ChooseConsoleMode(bool quiet, bool stderr_is_terminal, std::string_view term);
// The same for this process's stderr and environment.
ConsoleMode ChooseConsoleMode(bool quiet);

class LiveConsole {
 public:
  using Clock = std::chrono::steady_clock;
  using Sink = std::function<void(std::string_view)>;
  static constexpr auto kMinRedrawInterval = std::chrono::milliseconds(250);

  LiveConsole(Sink sink, int width) : sink_(std::move(sink)), width_(width) {}
  LiveConsole(const LiveConsole&) = delete;
  LiveConsole& operator=(const LiveConsole&) = delete;

  // Redraws the view for `status`, unless the last redraw was less than
  // kMinRedrawInterval before `now` (the status is kept for the next one).
  void Update(const runner::LiveStatus& status, Clock::time_point now);
  // Prints `line` above the view (erasing and redrawing the view around it).
  void Line(std::string_view line);
  // Erases the view (before the summary is printed); later Updates draw it again.
  void Finish();

 private:
  void EraseLocked();
  void DrawLocked();

  const Sink sink_;
  const int width_;
  std::mutex mu_;
  std::optional<runner::LiveStatus> last_;  // guarded by mu_
  int drawn_lines_ = 0;                      // lines of the view on screen now
  std::optional<Clock::time_point> last_draw_;
};

// Sets options.progress and options.live for `mode`, writing to stderr. `console` is
// created for kLive (its width from the terminal) and must outlive the run.
void AttachConsole(ConsoleMode mode, runner::RunOptions& options, std::optional<LiveConsole>& console);

}  // namespace leakgate::cli
