#include "probes/ignore_rules.h"

namespace leakgate::probes {

std::vector<IgnoreRule> DefaultIgnoreRules() {
  using R = IgnoreRule;
  return {
      // The probe's own goroutine scrape (the goroutine writing the dump).
      {R::kAnyFunction, "runtime/pprof.writeGoroutineStacks"},
      {R::kAnyFunction, "runtime/pprof.writeGoroutine"},
      // net/http server internals: an idle keep-alive connection, and the background read
      // of a connection whose request is in flight (no user code on either stack).
      {R::kLibraryOnlyWith, "net/http.(*conn).serve"},
      {R::kLibraryOnlyWith, "net/http.(*connReader).backgroundRead"},
      // gRPC transport goroutines, one set per live connection (reader, loopy writer,
      // keepalive); a handler stuck on a stream is attributed to the handler, not these.
      {R::kTopFunction, "google.golang.org/grpc/internal/transport.*"},
      {R::kTopFunction, "google.golang.org/grpc/internal/grpcsync.*"},
  };
}

std::vector<IgnoreRule> IgnoreRulesOf(const scenario::Assert& assert) {
  std::vector<IgnoreRule> rules;
  if (assert.default_ignores) rules = DefaultIgnoreRules();
  for (const auto& r : assert.ignore) {
    IgnoreRule rule;
    switch (r.kind) {
      case scenario::IgnoreRule::Kind::kTopFunction: rule.kind = IgnoreRule::kTopFunction; break;
      case scenario::IgnoreRule::Kind::kAnyFunction: rule.kind = IgnoreRule::kAnyFunction; break;
      case scenario::IgnoreRule::Kind::kCreatedBy: rule.kind = IgnoreRule::kCreatedBy; break;
    }
    rule.function = r.function;
    rules.push_back(std::move(rule));
  }
  return rules;
}

}  // namespace leakgate::probes
