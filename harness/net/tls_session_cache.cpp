#include "harness/net/tls_session_cache.h"

#include <openssl/ssl.h>

#include <map>
#include <mutex>
#include <string>

namespace leakgate::net {
namespace {

// The newest session per server name; owns one reference to each.
class SessionCache {
 public:
  SessionCache() = default;
  SessionCache(const SessionCache&) = delete;
  SessionCache& operator=(const SessionCache&) = delete;
  ~SessionCache() {
    for (auto& [name, session] : sessions_) SSL_SESSION_free(session);
  }

  // Takes over the caller's reference to `session` (which nothing else may hold).
  void Put(const std::string& name, SSL_SESSION* session) {
    std::lock_guard lock(mu_);
    auto [it, inserted] = sessions_.try_emplace(name, session);
    if (!inserted) {
      SSL_SESSION_free(it->second);
      it->second = session;
    }
  }

  // Sets the session for `name` on `ssl` (which takes its own reference); false if none.
  bool Offer(SSL* ssl, const std::string& name) {
    std::lock_guard lock(mu_);
    const auto it = sessions_.find(name);
    if (it == sessions_.end() || SSL_SESSION_is_resumable(it->second) != 1) return false;
    // A copy per connection: OpenSSL marks the session of a connection closed without a
    // close_notify (a per-request connection, a reset) unresumable, which must not reach
    // the cached one.
    SSL_SESSION* copy = SSL_SESSION_dup(it->second);
    if (copy == nullptr) return false;
    const bool set = SSL_set_session(ssl, copy) == 1;
    SSL_SESSION_free(copy);  // SSL_set_session took its own reference
    return set;
  }

 private:
  std::mutex mu_;
  std::map<std::string, SSL_SESSION*> sessions_;
};

void FreeCache(void* /*parent*/, void* ptr, CRYPTO_EX_DATA* /*ad*/, int /*idx*/, long /*argl*/, void* /*argp*/) {
  delete static_cast<SessionCache*>(ptr);
}

// The SSL_CTX ex-data slot that holds a context's cache (allocated once per process).
int CacheIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, FreeCache);
  return index;
}

SessionCache* CacheOf(SSL_CTX* ctx) { return static_cast<SessionCache*>(SSL_CTX_get_ex_data(ctx, CacheIndex())); }

std::string ServerNameOf(SSL* ssl) {
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  return name != nullptr ? name : "";
}

// OpenSSL's new-session callback. It keeps a copy, not the connection's own session
// (which OpenSSL marks unresumable when that connection ends without a close_notify), and
// returns 0: OpenSSL keeps its reference to `session`.
int OnNewSession(SSL* ssl, SSL_SESSION* session) {
  SessionCache* cache = CacheOf(SSL_get_SSL_CTX(ssl));
  if (cache == nullptr) return 0;
  if (SSL_SESSION* copy = SSL_SESSION_dup(session)) cache->Put(ServerNameOf(ssl), copy);
  return 0;
}

}  // namespace

void InstallSessionCache(SSL_CTX* ctx) {
  SSL_CTX_set_ex_data(ctx, CacheIndex(), new SessionCache);
  // Client sessions go to the callback only (OpenSSL's internal store is for servers).
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx, OnNewSession);
  SSL_CTX_clear_options(ctx, SSL_OP_NO_TICKET);
}

void OfferCachedSession(SSL* ssl, std::string_view server_name) {
  if (SessionCache* cache = CacheOf(SSL_get_SSL_CTX(ssl))) cache->Offer(ssl, std::string(server_name));
}

}  // namespace leakgate::net
