#include "harness/faults/proxy/fault_names.h"

namespace leakgate::faults::proxy {

using K = scenario::DependencyFault::Kind;

std::string_view FaultKindName(K kind) {
  switch (kind) {
    case K::kLatency: return "latency";
    case K::kBandwidth: return "bandwidth";
    case K::kBlackhole: return "blackhole";
    case K::kStall: return "stall";
    case K::kReset: return "reset";
    case K::kSlowClose: return "slow_close";
    case K::kSlicer: return "slicer";
    case K::kLimitData: return "limit_data";
    case K::kDown: return "down";
    case K::kHttpError: return "http_error";
    case K::kHttpDelay: return "http_delay";
    case K::kHttpDrop: return "http_drop";
    case K::kHttpSlowBody: return "http_slow_body";
  }
  return "unknown";
}

std::string_view DirectionName(scenario::DependencyFault::Direction direction) {
  using D = scenario::DependencyFault::Direction;
  switch (direction) {
    case D::kBoth: return "both";
    case D::kUpstream: return "upstream";
    case D::kDownstream: return "downstream";
  }
  return "unknown";
}

}  // namespace leakgate::faults::proxy
