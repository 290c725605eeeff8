// RequestFactory: the raw HTTP/1.1 bytes of every request of the HTTP traffic entries.
//
// Built once from the traffic entries: a template without per-request variables, and
// every recorded request of a replay, is serialized once; a template with variables
// ({{seq}}, {{uuid}}, ...) is rendered per request into the caller's scratch string.
// Entries are indexed as given; gRPC entries (Traffic::grpc) get no request and must not
// be built. Thread-safety: const methods only after construction, so one factory is
// shared read-only by every worker (each passes its own rng and scratch).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/scenario.h"

namespace leakgate::load::http {

class RequestFactory {
 public:
  // The Host header and path prefix of one entry's requests (from its URL, see TargetAddress).
  struct Destination {
    std::string host_header;  // "127.0.0.1:8080"
    std::string base_path;    // "" or "/prefix" (no trailing '/')
  };
  // Every entry goes to `destinations[i]` (one per entry).
  RequestFactory(const std::vector<scenario::Traffic>& traffic, const std::vector<Destination>& destinations);
  // Every entry goes to the same host and base path.
  RequestFactory(const std::vector<scenario::Traffic>& traffic, std::string host_header, std::string base_path);

  // Request number `seq` of the phase (the arrival index) for traffic entry `t`: a view of
  // a prebuilt request, or of `scratch` after rendering into it. A replay entry sends its
  // record (seq mod records).
  std::string_view Build(size_t t, int64_t seq, std::mt19937_64& rng, std::string& scratch) const;

  // True when entry `t` is the HEAD method (its responses carry no body).
  bool IsHead(size_t t) const { return entries_[t].head; }

  // Wire damage of the malformed fault: `kind` is request_line, header or version.
  static std::string Malform(std::string_view request, std::string_view kind);

  // Index of the first body byte in a raw request (after "\r\n\r\n"); request.size() when none.
  static size_t BodyOffset(std::string_view request);

 private:
  struct Entry {
    bool dynamic = false;
    bool head = false;
    Destination to;
    std::vector<std::string> prebuilt;  // static: one request; replay: one per record
    scenario::Traffic traffic;          // dynamic: a copy (the factory owns what it renders)
  };
  void Render(const Entry& e, int64_t seq, std::mt19937_64& rng, std::string& out) const;

  std::vector<Entry> entries_;
};

}  // namespace leakgate::load::http
