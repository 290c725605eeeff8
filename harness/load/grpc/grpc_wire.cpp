#include "harness/load/grpc/grpc_wire.h"

#include <openssl/evp.h>

#include "harness/load/grpc/grpc_outcome.h"

namespace leakgate::load::grpc_load {

std::string FrameMessage(std::string_view message) {
  std::string out(5, '\0');
  const auto n = static_cast<uint32_t>(message.size());
  out[1] = static_cast<char>(n >> 24);
  out[2] = static_cast<char>(n >> 16);
  out[3] = static_cast<char>(n >> 8);
  out[4] = static_cast<char>(n);
  out.append(message);
  return out;
}

std::string GrpcTimeoutValue(std::chrono::nanoseconds timeout) {
  constexpr int64_t kMax = 99'999'999;
  struct Unit {
    int64_t nanos;
    char name;
  };
  constexpr Unit kUnits[] = {{1, 'n'}, {1'000, 'u'}, {1'000'000, 'm'}, {1'000'000'000, 'S'},
                             {60'000'000'000, 'M'}, {3'600'000'000'000, 'H'}};
  const int64_t ns = std::max<int64_t>(1, timeout.count());
  for (const auto& u : kUnits) {
    const int64_t v = ns / u.nanos + (ns % u.nanos != 0 ? 1 : 0);  // rounded up, without overflow
    if (v <= kMax) return std::to_string(v) + u.name;
  }
  return std::to_string(kMax) + 'H';
}

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::vector<std::pair<std::string, std::string>> RequestHeaderFields(
    std::string_view path, std::string_view authority, bool tls,
    const std::vector<std::pair<std::string, std::string>>& metadata) {
  std::vector<std::pair<std::string, std::string>> out = {
      {":method", "POST"},
      {":scheme", tls ? "https" : "http"},
      {":path", std::string(path)},
      {":authority", std::string(authority)},
      {"content-type", "application/grpc"},
      {"te", "trailers"},
      {"user-agent", "leakgate"},
  };
  for (const auto& [key, value] : metadata) {
    const bool binary = key.size() > 4 && key.compare(key.size() - 4, 4, "-bin") == 0;
    out.emplace_back(key, binary ? Base64(value) : value);
  }
  return out;
}

int StatusFromHttp(unsigned http_status) {
  switch (http_status) {
    case 400: return kGrpcInternal;
    case 401: return kGrpcUnauthenticated;
    case 403: return kGrpcPermissionDenied;
    case 404: return kGrpcUnimplemented;
    case 429:
    case 502:
    case 503:
    case 504: return kGrpcUnavailable;
    default: return kGrpcUnknown;
  }
}

int StatusFromReset(uint32_t code) {
  switch (code) {
    case 0x8: return kGrpcCancelled;          // CANCEL
    case 0x7: return kGrpcUnavailable;        // REFUSED_STREAM
    case 0xb: return kGrpcResourceExhausted;  // ENHANCE_YOUR_CALM
    case 0xc: return kGrpcPermissionDenied;   // INADEQUATE_SECURITY
    default: return kGrpcInternal;
  }
}

}  // namespace leakgate::load::grpc_load
