// H2Request: one HTTP/1.1 request (RequestFactory's bytes: the request line, header lines,
// body) re-expressed as HTTP/2 header fields and a body, so that HTTP/2 load shares the
// templates, replay and request rendering of HTTP/1.1 byte for byte.
//
// The pseudo-headers come from the request line and the Host header (:method, :scheme,
// :authority, :path); header names are lowercased; the connection-specific fields HTTP/2
// forbids (Connection, Keep-Alive, Proxy-Connection, Transfer-Encoding, Upgrade, Host) are
// dropped. The nghttp2_nv entries point into the request's own storage (nghttp2 copies
// them when the request is submitted): valid while the H2Request lives and is not moved.
// Thread-safety: none; one per request.
#pragma once

#include <nghttp2/nghttp2.h>

#include <string>
#include <string_view>
#include <vector>

namespace leakgate::load::h2 {

class H2Request {
 public:
  // Parses `raw`; false when it is not a request line plus headers (a malformed fault's
  // damage has no HTTP/2 form).
  bool Parse(std::string_view raw, bool tls);

  const std::vector<nghttp2_nv>& headers() const { return nva_; }
  std::string_view body() const { return body_; }

 private:
  void Add(std::string_view name, std::string_view value);

  std::string storage_;            // lowercased names and values, back to back
  std::vector<std::pair<size_t, size_t>> name_at_, value_at_;  // offsets into storage_
  std::vector<nghttp2_nv> nva_;
  std::string_view body_;
};

}  // namespace leakgate::load::h2
