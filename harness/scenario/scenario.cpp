#include "harness/scenario/scenario.h"

#include <algorithm>

namespace leakgate::scenario {

// "file:line:col"; "file:line" without a column, "file" alone when the line is unknown.
std::string SourceMark::str() const {
  if (line <= 0) return file;
  std::string out = file + ":" + std::to_string(line);
  if (column > 0) out += ":" + std::to_string(column);
  return out;
}

// baseline + max(absolute, relative × baseline), each term 0 when not set; = baseline when
// neither is set (no tolerance at all).
double Tolerance::limit(double baseline) const {
  const double by_absolute = absolute.value_or(0.0);
  const double by_relative = relative ? *relative * baseline : 0.0;
  return baseline + std::max({0.0, by_absolute, by_relative});
}

std::string_view FaultKindName(Fault::Kind kind) {
  switch (kind) {
    case Fault::kCancel: return "cancel";
    case Fault::kReset: return "reset";
    case Fault::kSlowSend: return "slow_send";
    case Fault::kSlowRead: return "slow_read";
    case Fault::kAbandonBody: return "abandon_body";
    case Fault::kHalfClose: return "half_close";
    case Fault::kTruncateBody: return "truncate_body";
    case Fault::kMalformed: return "malformed";
    case Fault::kDeadline: return "deadline";
    case Fault::kGrpcCancel: return "grpc_cancel";
    case Fault::kGrpcAbandon: return "grpc_abandon";
    case Fault::kH2RstStream: return "h2_rst_stream";
    case Fault::kH2Stall: return "h2_stall";
    case Fault::kH2Abandon: return "h2_abandon";
    case Fault::kH2Goaway: return "h2_goaway";
  }
  return "unknown";
}

bool IsHttp1OnlyFault(Fault::Kind kind) { return kind >= Fault::kReset && kind <= Fault::kMalformed; }
bool IsH2OnlyFault(Fault::Kind kind) { return kind >= Fault::kH2RstStream && kind <= Fault::kH2Goaway; }

}  // namespace leakgate::scenario
