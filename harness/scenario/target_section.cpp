#include "harness/scenario/target_section.h"

#include <fmt/format.h>

#include <string>
#include <string_view>

#include "harness/scenario/messages.h"
#include "harness/scenario/protocol_syntax.h"

namespace leakgate::scenario {
namespace {

constexpr std::string_view kDefaultTargetHost = "http://127.0.0.1:";

// A path relative to target.url ("/x") or an absolute http:// URL; "" when allow_empty.
std::string PathOrUrl(const Reader& r, bool allow_empty) {
  std::string s = r.String();
  if (s.empty() && allow_empty) return s;
  if (s.starts_with("/") && !HasSpaceOrControl(s)) return s;
  if (IsHttpUrl(s)) return s;
  r.Fail(fmt::format("expected a path starting with '/' or an http:// URL, got {}", Quoted(s)));
}

}  // namespace

Target ReadTarget(const Reader& r) {
  const auto m = r.Map({"command", "url", "env", "ready", "ready_timeout", "stop_timeout"});
  Target t;
  const auto command = m.Get("command");
  const auto url = m.Get("url");
  if (!command && !url) {
    r.Fail("needs command: (a service for leakgate to start) or url: (a service already running)");
  }
  if (command) {
    const auto items = command->Items();
    if (items.empty()) command->Fail("must not be empty (the first element is the program to run)");
    for (const auto& item : items) t.command.push_back(item.String());
    if (t.command.front().empty()) items.front().Fail("the program to run must not be empty");
  }
  if (url) {
    t.url = url->String();
    if (t.url.starts_with("https://")) url->Fail(fmt::format("only http:// URLs are supported, got {}", Quoted(t.url)));
    if (!IsHttpUrl(t.url)) url->Fail(fmt::format("expected an http:// URL such as http://127.0.0.1:8080, got {}", Quoted(t.url)));
  } else {
    // With only `command`, the started service is expected on ${port}.
    t.url = fmt::format("{}{}", kDefaultTargetHost, r.context().Port("", r.mark(), r.path() + ".url"));
  }
  if (const auto env = m.Get("env")) {
    for (const auto& [name, key_mark, value] : env->Entries()) {
      if (name.empty() || name.find('=') != std::string::npos || name.find('\0') != std::string::npos) {
        r.context().Fail(key_mark, env->path(), fmt::format("invalid environment variable name {}", Quoted(name)));
      }
      t.env[name] = value.String();
    }
  }
  if (const auto ready = m.Get("ready")) t.ready = PathOrUrl(*ready, /*allow_empty=*/true);
  if (const auto v = m.Get("ready_timeout")) t.ready_timeout = PositiveDuration(*v);
  if (const auto v = m.Get("stop_timeout")) t.stop_timeout = v->Dur();
  return t;
}

Probe ReadProbe(const Reader& r) {
  const auto m = r.Map({"pprof", "metrics", "expvar", "heap_profile", "goroutine_leak_profile", "interval",
                        "samples", "force_gc", "timeout"});
  Probe p;
  if (const auto v = m.Get("pprof")) p.pprof = PathOrUrl(*v, /*allow_empty=*/true);
  if (const auto v = m.Get("metrics")) p.metrics = PathOrUrl(*v, /*allow_empty=*/true);
  if (const auto v = m.Get("expvar")) p.expvar = PathOrUrl(*v, /*allow_empty=*/true);
  if (const auto v = m.Get("heap_profile")) p.heap_profile = v->Bool();
  if (const auto v = m.Get("goroutine_leak_profile")) {
    const std::string mode = v->String();
    if (mode == "auto") {
      p.goroutine_leak_profile = Probe::LeakProfile::kAuto;
    } else if (mode == "on" || mode == "true") {
      p.goroutine_leak_profile = Probe::LeakProfile::kOn;
    } else if (mode == "off" || mode == "false") {
      p.goroutine_leak_profile = Probe::LeakProfile::kOff;
    } else {
      v->Fail(fmt::format("expected auto, on or off, got {}", Quoted(mode)));
    }
  }
  if (const auto v = m.Get("interval")) p.interval = PositiveDuration(*v);
  if (const auto v = m.Get("samples")) p.samples = IntAtLeast(*v, 1);
  if (const auto v = m.Get("force_gc")) p.force_gc = v->Bool();
  if (const auto v = m.Get("timeout")) p.timeout = PositiveDuration(*v);
  if (p.pprof.empty() && p.metrics.empty() && p.expvar.empty()) {
    r.Fail("needs at least one source: pprof (the default, \"/debug/pprof\"), metrics or expvar");
  }
  return p;
}

}  // namespace leakgate::scenario
