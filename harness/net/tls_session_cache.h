// Client-side TLS session resumption for a context built with `resume_sessions: true`.
//
// Contract:
//   - InstallSessionCache(ctx) gives an SSL_CTX a cache of the sessions its connections
//     were granted, one per server name (the SNI sent; "" when none was, i.e. for an IP
//     literal), the newest kept: OpenSSL's new-session callback fills it after a TLS 1.2
//     handshake and whenever a TLS 1.3 ticket arrives. The cache lives as long as the
//     context (freed with it).
//   - OfferCachedSession(ssl, server_name) puts the cached session for that name, if any
//     is still resumable, on a fresh SSL before its handshake; the server may accept it (an
//     abbreviated handshake, SSL_session_reused) or ignore it (a full one). Without an
//     installed cache it does nothing.
//
// Thread-safety: the cache is shared by every thread that makes connections from the
// context; a mutex guards it. Both functions may be called from any thread.
#pragma once

#include <string_view>

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace leakgate::net {

void InstallSessionCache(SSL_CTX* ctx);

void OfferCachedSession(SSL* ssl, std::string_view server_name);

}  // namespace leakgate::net
