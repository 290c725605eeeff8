#include "harness/scenario/faults_section.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "harness/scenario/dependencies_section.h"
#include "harness/scenario/duration.h"
#include "harness/scenario/grpc_section.h"
#include "harness/scenario/messages.h"
#include "harness/scenario/traffic_section.h"

namespace leakgate::scenario {
namespace {

const std::initializer_list<std::string_view> kFaultKinds = {
    "cancel", "reset", "slow_send", "slow_read", "abandon_body", "half_close", "truncate_body", "malformed", "deadline",
    "grpc_cancel", "grpc_abandon", "h2_rst_stream", "h2_stall", "h2_abandon", "h2_goaway"};

// A duration, or {min: D, max: D} for one drawn uniformly per request.
DurationRange ReadDurationRange(const Reader& r) {
  if (!r.IsMap()) {
    const Duration d = r.Dur();
    return {d, d};
  }
  const auto m = r.Map({"min", "max"});
  const auto lo = m.Require("min");
  const auto hi = m.Require("max");
  DurationRange range{lo.Dur(), hi.Dur()};
  if (range.max < range.min) hi.Fail(fmt::format("must be >= min ({})", FormatDuration(range.min)));
  return range;
}

// probability: and traffic: of a fault `kind`. An HTTP-only fault (`http_only`) in a
// scenario that mixes HTTP and gRPC applies to the HTTP entries: naming a gRPC entry is an
// error, and without traffic: its list is filled with the HTTP entries' names. (In a
// scenario that is all gRPC, CheckGrpcFaults rejects the fault at its phase.)
FaultScope ReadFaultScope(const MapReader& m, const std::vector<Traffic>& traffic, std::string_view kind, bool http_only) {
  FaultScope scope;
  const bool mixed = IsMixed(traffic);
  if (const auto v = m.Get("probability")) scope.probability = Fraction(*v, "a probability");
  if (const auto v = m.Get("traffic")) {
    const auto items = v->Items();
    if (items.empty()) v->Fail("empty list (omit traffic: to apply to every traffic entry)");
    std::vector<std::string> known;
    for (const auto& t : traffic) known.push_back(t.name);
    for (const auto& item : items) {
      std::string name = item.String();
      const auto it = std::find(known.begin(), known.end(), name);
      if (it == known.end()) {
        std::string hint = DidYouMean(name, known);
        if (hint.empty()) hint = known.empty() ? " (no traffic: is defined)" : fmt::format(" (defined: {})", Join(known, ", "));
        item.Fail(fmt::format("unknown traffic {}{}", Quoted(name), hint));
      }
      if (http_only && mixed && IsGrpcTraffic(traffic[static_cast<size_t>(it - known.begin())])) {
        item.Fail(fmt::format("traffic {} is a gRPC call; {} applies to HTTP requests only", Quoted(name), kind));
      }
      scope.traffic.push_back(std::move(name));
    }
  }
  if (http_only && mixed && scope.traffic.empty()) scope.traffic = NamesOf(traffic, IsHttpTraffic);
  return scope;
}

CancelFault ReadCancel(const Reader& r, const std::vector<Traffic>& traffic) {
  const auto m = r.Map({"after", "probability", "traffic"});
  CancelFault c;
  if (const auto v = m.Get("after")) {
    const auto range = ReadDurationRange(*v);
    c.after = range.min;
    c.after_max = range.max;
  } else {
    c.after_max = c.after;
  }
  const auto scope = ReadFaultScope(m, traffic, "cancel", /*http_only=*/false);
  c.probability = scope.probability;
  c.traffic = scope.traffic;
  return c;
}

void ReadTruncateBody(const MapReader& m, Fault& f) {
  if (const auto v = m.Get("keep")) {
    f.keep = v->Number();
    if (f.keep < 0 || f.keep >= 1) v->Fail(fmt::format("the share of the body sent must be in [0, 1), got {}", f.keep));
  }
  if (const auto v = m.Get("then")) {
    const std::string then = v->String();
    if (then != "close" && then != "wait") v->Fail(fmt::format("expected close or wait, got {}", Quoted(then)));
    f.then_wait = then == "wait";
  }
  if (const auto v = m.Get("wait")) {
    if (!f.then_wait) v->Fail("only with then: wait");
    f.wait = PositiveDuration(*v);
  }
}

void ReadMalformed(const MapReader& m, Fault& f) {
  if (const auto v = m.Get("kind")) {
    f.malformed = v->String();
    const std::vector<std::string> kinds{"request_line", "header", "version"};
    if (std::find(kinds.begin(), kinds.end(), f.malformed) == kinds.end()) {
      v->Fail(fmt::format("expected request_line, header or version, got {}{}", Quoted(f.malformed), DidYouMean(f.malformed, kinds)));
    }
  }
}

// h2_rst_stream: {after: headers | BYTES}, h2_stall: {window: stream | connection, hold: D}.
void ReadH2Fault(const Reader& r, std::string_view kind, Fault& f) {
  if (kind == "h2_rst_stream") {
    f.kind = Fault::kH2RstStream;
    if (const auto v = r.Map({"after", "probability", "traffic"}).Get("after")) {
      if (v->node().IsScalar() && v->String() == "headers") {
        f.after_bytes = -1;
      } else {
        f.after_bytes = IntAtLeast(*v, 1);
      }
    }
  } else if (kind == "h2_stall") {
    f.kind = Fault::kH2Stall;
    const auto m = r.Map({"window", "hold", "probability", "traffic"});
    if (const auto v = m.Get("window")) {
      const std::string window = v->String();
      if (window != "stream" && window != "connection") {
        v->Fail(fmt::format("expected stream or connection, got {}", Quoted(window)));
      }
      f.connection_window = window == "connection";
    }
    if (const auto v = m.Get("hold")) f.hold = PositiveDuration(*v);
  } else {
    r.Map({"probability", "traffic"});
    f.kind = kind == "h2_abandon" ? Fault::kH2Abandon : Fault::kH2Goaway;
  }
}

// Any fault but cancel (ReadCancel) and the gRPC ones.
Fault ReadFault(const Reader& r, std::string_view kind, const std::vector<Traffic>& traffic) {
  Fault f;
  if (kind == "reset") {
    const auto m = r.Map({"after", "probability", "traffic"});
    f.kind = Fault::kReset;
    if (const auto v = m.Get("after")) f.after = ReadDurationRange(*v);
    f.scope = ReadFaultScope(m, traffic, kind, /*http_only=*/true);
  } else if (kind == "deadline") {
    const auto m = r.Map({"timeout", "probability", "traffic"});
    f.kind = Fault::kDeadline;
    f.after = ReadDurationRange(m.Require("timeout"));
    f.scope = ReadFaultScope(m, traffic, kind, /*http_only=*/false);
  } else if (kind == "slow_send" || kind == "slow_read") {
    const auto m = r.Map({"bytes", "interval", "probability", "traffic"});
    f.kind = kind == "slow_send" ? Fault::kSlowSend : Fault::kSlowRead;
    if (kind == "slow_read") f.bytes = 1024;
    if (const auto v = m.Get("bytes")) f.bytes = static_cast<int64_t>(IntAtLeast(*v, 1));
    if (const auto v = m.Get("interval")) f.interval = PositiveDuration(*v);
    f.scope = ReadFaultScope(m, traffic, kind, /*http_only=*/true);
  } else if (kind == "abandon_body" || kind == "half_close") {
    // Written as `abandon_body: {}` or with probability/traffic; a bare key is null and an error.
    const auto m = r.Map({"probability", "traffic"});
    f.kind = kind == "abandon_body" ? Fault::kAbandonBody : Fault::kHalfClose;
    f.scope = ReadFaultScope(m, traffic, kind, /*http_only=*/true);
  } else if (kind == "truncate_body") {
    const auto m = r.Map({"keep", "then", "wait", "probability", "traffic"});
    f.kind = Fault::kTruncateBody;
    ReadTruncateBody(m, f);
    f.scope = ReadFaultScope(m, traffic, kind, /*http_only=*/true);
  } else if (kind == "malformed") {
    const auto m = r.Map({"kind", "probability", "traffic"});
    f.kind = Fault::kMalformed;
    ReadMalformed(m, f);
    f.scope = ReadFaultScope(m, traffic, kind, /*http_only=*/true);
  } else if (kind.starts_with("h2_")) {
    ReadH2Fault(r, kind, f);
    f.scope = ReadFaultScope(r.Map({"after", "window", "hold", "probability", "traffic"}), traffic, kind, /*http_only=*/true);
  }
  return f;
}

// An HTTP/1.1 fault in an HTTP/2 phase, or an HTTP/2 one in an HTTP/1.1 phase, would do
// nothing: refused at the fault's key.
void CheckFaultFitsProtocol(const Reader& fault, const Fault& f, const Phase& p) {
  const bool h2 = p.protocol != Phase::Wire::kHttp1;
  if (h2 && IsHttp1OnlyFault(f.kind)) {
    fault.Fail(fmt::format("{} acts on HTTP/1.1 connections; this phase speaks HTTP/2 (protocol: {}): use the h2_* "
                           "faults, cancel or deadline",
                           FaultKindName(f.kind), p.protocol == Phase::Wire::kH2 ? "h2" : "h2c"));
  }
  if (!h2 && IsH2OnlyFault(f.kind)) {
    fault.Fail(fmt::format("{} acts on HTTP/2 streams; this phase speaks HTTP/1.1 (set protocol: h2c or h2)",
                           FaultKindName(f.kind)));
  }
}

}  // namespace

void ReadFaults(const Reader& faults, const std::vector<Traffic>& traffic, Phase& p) {
  for (const auto& fault : faults.Items()) {
    // A chaos-proxy fault (dependencies_section.h): one key, whose value names a dependency.
    if (fault.IsMap() && fault.node().size() == 1) {
      const auto entries = fault.Entries();
      if (IsDependencyFaultItem(entries.front().key, entries.front().value)) {
        p.dependency_faults.push_back(ReadDependencyFault(entries.front().key, entries.front().value));
        continue;
      }
    }
    const auto fm = fault.Map(kFaultKinds);
    const auto entries = fault.Entries();
    if (entries.size() != 1) {
      fault.Fail(entries.empty() ? "empty fault (one of: cancel, reset, slow_send, slow_read, abandon_body, half_close, "
                                   "truncate_body, malformed, deadline, grpc_cancel, grpc_abandon, h2_rst_stream, "
                                   "h2_stall, h2_abandon, h2_goaway)"
                                 : "one fault per list item (start another item with '-')");
    }
    const auto& [kind, key_mark, value] = entries.front();
    if (kind == "cancel") {
      p.cancel.push_back(ReadCancel(value, traffic));
    } else if (kind == "grpc_cancel" || kind == "grpc_abandon") {
      p.grpc.faults.push_back(
          ReadGrpcFault(value, kind == "grpc_cancel" ? GrpcFault::kCancelAfterMessages : GrpcFault::kAbandon, traffic));
    } else {
      p.faults.push_back(ReadFault(value, kind, traffic));
      CheckFaultFitsProtocol(fault, p.faults.back(), p);
    }
  }
}

}  // namespace leakgate::scenario
