// TlsSettings: how leakgate speaks TLS to one endpoint (the target, a dependency upstream,
// a probe source), as a scenario's `tls:` block writes it (FORMAT.md, "tls"). A plain
// value; harness/net/tls_context.h turns it into an OpenSSL client context.
//
// Thread-safety: a plain value.
#pragma once

#include <string>

namespace leakgate::net {

struct TlsSettings {
  std::string ca;           // PEM file of the CAs to trust; "" = the system's default store
  std::string cert;         // PEM client certificate (chain) for mutual TLS; "" = none
  std::string key;          // PEM private key of `cert`; required with `cert`
  std::string server_name;  // SNI and the name the certificate must carry; "" = the URL's host
  bool insecure_skip_verify = false;  // accept any server certificate (tests only)
  // Offer the session (ticket) of an earlier connection of the same context to the same
  // server name on each new connection, so the server may skip the full handshake; off =
  // a full handshake per connection.
  bool resume_sessions = false;

  bool operator==(const TlsSettings&) const = default;
};

}  // namespace leakgate::net
