// The gRPC parts of a Scenario (see scenarios/FORMAT.md, "gRPC"): plain structs filled in
// by the scenario loader, consumed read-only by the gRPC load engine (harness/load/grpc).
// Included by scenario.h; not meant to be included on its own.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace leakgate::scenario {

// Scenario-level `grpc:`: where the message types of the called methods come from.
struct GrpcConfig {
  // Which gRPC client carries the calls: leakgate's own data plane on its HTTP/2 session
  // (nghttp2), or grpc++'s generic calls. Server reflection always uses grpc++.
  enum class Client { kH2, kGrpcpp };
  Client client = Client::kH2;
  std::vector<std::string> protos;        // .proto files, resolved against import_paths (then as paths)
  std::vector<std::string> import_paths;  // absolute or relative to the working directory
  bool reflection = false;                // ask the server (grpc.reflection v1, then v1alpha)
  int line = 0, column = 0;               // of the grpc: mapping, for messages
};

// One recorded call of a gRPC replay file (JSON lines, see FORMAT.md).
struct GrpcRecordedCall {
  std::string method;                                      // "package.Service/Method"
  std::vector<std::pair<std::string, std::string>> metadata;
  std::vector<std::string> requests;                       // JSON text per request message
  std::chrono::nanoseconds offset{0};                      // since the first recorded call
  int line = 0;                                            // line in the replay file
};

// A traffic entry's `grpc:` form: one method call template, or a replayed recording.
struct GrpcCall {
  std::string method;                     // "package.Service/Method"; empty for a replay
  std::vector<std::string> requests;      // JSON text per request message, sent in order, cycled
  int messages = 1;                       // client/bidi streaming: request messages per call
  std::chrono::nanoseconds interval{0};   // pause between two request messages of a stream
  std::vector<std::pair<std::string, std::string>> metadata;
  std::optional<std::chrono::nanoseconds> deadline;  // per-call deadline; default: the phase's timeout
  std::string replay_file;                // non-empty: replay this recording
  std::vector<GrpcRecordedCall> replay;
  bool recorded_pace = false;             // replay at the recorded offsets (÷ speed), not the phase rate
  double speed = 1.0;
};

// gRPC client-side faults of a phase (`grpc_cancel:`, `grpc_abandon:` items of `faults:`).
struct GrpcFault {
  enum Kind { kCancelAfterMessages, kAbandon };
  Kind kind = kCancelAfterMessages;
  int after_messages = 1;                   // kCancelAfterMessages: messages received (sent, for client streams)
  std::chrono::nanoseconds hold{0};         // kAbandon: how long to keep the stream open; 0 = until the deadline
  double probability = 1.0;
  std::vector<std::string> traffic;         // empty: every traffic entry (mixed scenarios: filled with the gRPC ones)
};

// A phase's `grpc:` connection shaping, and its gRPC faults.
struct GrpcPhase {
  int connections = 0;                    // channels (one TCP connection each) per phase; 0 = one per worker
  int channel_churn = 0;                  // > 0: replace a channel after it carried this many calls
  std::vector<GrpcFault> faults;
};

}  // namespace leakgate::scenario
