// Client TLS on OpenSSL for every leakgate connection that speaks https:// (HTTP/1.1 load,
// HTTP/2 load, probes).
//
// Contract:
//   - MakeClientTlsContext builds a TLS 1.2+ client context from TlsSettings: the CA file
//     (else the system store), the client certificate and key for mutual TLS (the key must
//     match the certificate), peer verification unless insecure_skip_verify, and the ALPN
//     protocols offered. Every refusal is kInvalidArgument naming the file and OpenSSL's
//     reason: `tls.ca "/x/ca.pem": no such file`. Errors are values; nothing throws.
//   - PrepareClientSsl sets one connection's SNI (host names only; an IP literal is never
//     sent as SNI) and the name or address its certificate must match: `server_name` when
//     given, else the URL host; with resume_sessions it offers the session cached for that
//     name (harness/net/tls_session_cache.h). Call it on a fresh SSL before the handshake.
//   - DescribeTlsError turns a failed handshake into one line a user can act on, with
//     OpenSSL's verification reason when verification failed: "TLS handshake: certificate
//     verify failed: unable to get local issuer certificate".
//
// Thread-safety: a built context is shared read-only by every thread that makes
// connections from it (OpenSSL SSL_CTX reference counting and locking); the functions are
// safe to call concurrently on distinct SSL objects.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harness/base/status.h"
#include "harness/net/tls_settings.h"

typedef struct ssl_st SSL;

namespace leakgate::net {

// `setting` names the block for messages ("target.tls", "probe.tls"); `alpn` lists the
// protocols to offer in preference order ({"h2", "http/1.1"}), none when empty.
StatusOr<std::shared_ptr<boost::asio::ssl::context>> MakeClientTlsContext(const TlsSettings& settings,
                                                                          std::string_view setting,
                                                                          const std::vector<std::string>& alpn = {});

// SNI and the peer name check of one connection to `host` (the URL's host, unbracketed).
Status PrepareClientSsl(SSL* ssl, const TlsSettings& settings, std::string_view host);

// One line about a failed handshake on `ssl` that ended with `ec`.
std::string DescribeTlsError(SSL* ssl, const boost::system::error_code& ec);

// Whether a finished handshake resumed an earlier session (settings.resume_sessions).
bool ResumedSession(SSL* ssl);

// The protocol ALPN selected on a finished handshake ("h2", "http/1.1"), "" when none.
std::string NegotiatedAlpn(SSL* ssl);

}  // namespace leakgate::net
