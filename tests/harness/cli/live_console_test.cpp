// The terminal side of the live view: redrawn in place with ANSI cursor movement, at most
// every 250 ms, progress lines printed above it; and the choice between live, plain and
// quiet output. A string sink stands in for stderr; time is passed in.
#include "harness/cli/live_console.h"

#include <gtest/gtest.h>

#include <string>

namespace leakgate::cli {
namespace live_console_test {

using runner::LiveStatus;
using namespace std::chrono_literals;

LiveStatus Settle(double elapsed) {
  LiveStatus st;
  st.stage = LiveStatus::Stage::kSettle;
  st.elapsed_s = elapsed;
  st.duration_s = 10;
  st.latest = {{"goroutines", 20}};
  return st;  // two lines: header, goroutines
}

size_t Count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

TEST(LiveConsole, RedrawsInPlaceAtMostEveryQuarterSecond) {
  std::string out;
  LiveConsole console([&out](std::string_view s) { out += s; }, 100);
  const auto t0 = LiveConsole::Clock::time_point{} + 1h;
  console.Update(Settle(1), t0);
  EXPECT_EQ(out.find("\x1b["), std::string::npos) << "nothing to erase the first time";
  EXPECT_EQ(Count(out, "\n"), 2u) << out;
  EXPECT_NE(out.find("up to 9.0s left"), std::string::npos) << out;

  console.Update(Settle(2), t0 + 100ms);
  EXPECT_EQ(Count(out, "settle"), 1u) << "too soon: not redrawn";

  console.Update(Settle(3), t0 + 260ms);
  EXPECT_EQ(Count(out, "\x1b[2F\x1b[J"), 1u) << "the two lines drawn before are erased: " << out;
  EXPECT_NE(out.find("up to 7.0s left"), std::string::npos) << "the newest status is drawn: " << out;
}

TEST(LiveConsole, ProgressLinesScrollAboveTheView) {
  std::string out;
  LiveConsole console([&out](std::string_view s) { out += s; }, 100);
  console.Update(Settle(1), LiveConsole::Clock::now());
  out.clear();
  console.Line("phase load done");
  EXPECT_EQ(out.rfind("\x1b[2F\x1b[Jleakgate: phase load done\n", 0), 0u) << out;
  EXPECT_NE(out.find("settle"), std::string::npos) << "the view is drawn again below the line: " << out;
  out.clear();
  console.Finish();
  EXPECT_EQ(out, "\x1b[2F\x1b[J") << "Finish erases the view's two lines";
}

TEST(LiveConsole, ALineWithoutAViewIsPlain) {
  std::string out;
  LiveConsole console([&out](std::string_view s) { out += s; }, 100);
  console.Line("target ready");
  EXPECT_EQ(out, "leakgate: target ready\n");
}

TEST(LiveConsole, NoLineIsWiderThanTheTerminal) {
  std::string out;
  LiveConsole console([&out](std::string_view s) { out += s; }, 40);
  auto st = Settle(1);
  st.baseline = {{"goroutines", 11}};
  st.limits = {{"goroutines", 16}};
  console.Update(st, LiveConsole::Clock::now());
  size_t start = 0;
  for (size_t nl = out.find('\n'); nl != std::string::npos; start = nl + 1, nl = out.find('\n', start)) {
    EXPECT_LT(nl - start, 40u) << "a full-width line would wrap and break the redraw: " << out.substr(start, nl - start);
  }
}

TEST(ConsoleMode, TerminalGetsTheLiveViewPipesGetPlainLines) {
  EXPECT_EQ(ChooseConsoleMode(false, true, "xterm-256color"), ConsoleMode::kLive);
  EXPECT_EQ(ChooseConsoleMode(false, false, "xterm-256color"), ConsoleMode::kPlain) << "CI logs";
  EXPECT_EQ(ChooseConsoleMode(false, true, "dumb"), ConsoleMode::kPlain) << "a terminal without cursor movement";
  EXPECT_EQ(ChooseConsoleMode(true, true, "xterm"), ConsoleMode::kQuiet);
  EXPECT_EQ(ChooseConsoleMode(true, false, ""), ConsoleMode::kQuiet);
}

TEST(ConsoleMode, AttachSetsTheCallbacksOfTheMode) {
  std::optional<LiveConsole> console;
  runner::RunOptions quiet;
  AttachConsole(ConsoleMode::kQuiet, quiet, console);
  EXPECT_FALSE(quiet.progress);
  EXPECT_FALSE(quiet.live);
  runner::RunOptions plain;
  AttachConsole(ConsoleMode::kPlain, plain, console);
  EXPECT_TRUE(plain.progress);
  EXPECT_FALSE(plain.live) << "no live figures are gathered for a log";
  EXPECT_FALSE(console);
  runner::RunOptions live;
  AttachConsole(ConsoleMode::kLive, live, console);
  EXPECT_TRUE(live.progress);
  EXPECT_TRUE(live.live);
  EXPECT_TRUE(console);
}

}  // namespace live_console_test
}  // namespace leakgate::cli
