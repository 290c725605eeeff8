#include "harness/cli/live_console.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

#include "harness/cli/live_view.h"

namespace leakgate::cli {

namespace {

constexpr int kDefaultWidth = 80;

int TerminalWidth(int fd) {
  winsize ws{};
  if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return kDefaultWidth;
}

void WriteStderr(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

}  // namespace

ConsoleMode ChooseConsoleMode(bool quiet, bool stderr_is_terminal, std::string_view term) {
  if (quiet) return ConsoleMode::kQuiet;
  return stderr_is_terminal && term != "dumb" ? ConsoleMode::kLive : ConsoleMode::kPlain;
}

ConsoleMode ChooseConsoleMode(bool quiet) {
  const char* term = std::getenv("TERM");
  return ChooseConsoleMode(quiet, isatty(STDERR_FILENO) == 1, term != nullptr ? term : "");
}

void LiveConsole::EraseLocked() {
  // Up to the view's first line, then clear from there to the end of the screen.
  if (drawn_lines_ > 0) sink_(fmt::format("\x1b[{}F\x1b[J", drawn_lines_));
  drawn_lines_ = 0;
}

void LiveConsole::DrawLocked() {
  if (!last_) return;
  // Every line is cut to the width minus one, so no line wraps and the count stays true.
  const auto lines = RenderLiveView(*last_, width_ - 1);
  std::string frame;
  for (const auto& l : lines) frame += l + "\n";
  sink_(frame);
  drawn_lines_ = static_cast<int>(lines.size());
}

void LiveConsole::Update(const runner::LiveStatus& status, Clock::time_point now) {
  std::lock_guard lock(mu_);
  last_ = status;
  if (last_draw_ && now - *last_draw_ < kMinRedrawInterval) return;
  last_draw_ = now;
  EraseLocked();
  DrawLocked();
}

void LiveConsole::Line(std::string_view line) {
  std::lock_guard lock(mu_);
  EraseLocked();
  sink_(fmt::format("leakgate: {}\n", line));
  DrawLocked();
}

void LiveConsole::Finish() {
  std::lock_guard lock(mu_);
  EraseLocked();
  last_.reset();
}

void AttachConsole(ConsoleMode mode, runner::RunOptions& options, std::optional<LiveConsole>& console) {
  switch (mode) {
    case ConsoleMode::kQuiet:
      return;
    case ConsoleMode::kPlain:
      options.progress = [](const std::string& line) { WriteStderr(fmt::format("leakgate: {}\n", line)); };
      return;
    case ConsoleMode::kLive:
      console.emplace(WriteStderr, TerminalWidth(STDERR_FILENO));
      options.progress = [c = &*console](const std::string& line) { c->Line(line); };
      options.live = [c = &*console](const runner::LiveStatus& st) { c->Update(st, LiveConsole::Clock::now()); };
      return;
  }
}

}  // namespace leakgate::cli
