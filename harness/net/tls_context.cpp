#include "harness/net/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <fmt/format.h>

#include <filesystem>

#include "harness/net/tls_session_cache.h"

namespace leakgate::net {

namespace ssl = boost::asio::ssl;

namespace {

// OpenSSL's most recent error on this thread as "reason", draining the queue.
std::string LastOpenSslError() {
  unsigned long last = 0;
  while (const unsigned long e = ERR_get_error()) last = e;
  if (last == 0) return "unknown OpenSSL error";
  const char* reason = ERR_reason_error_string(last);
  return reason != nullptr ? reason : fmt::format("OpenSSL error {:#x}", last);
}

// kInvalidArgument for a file setting that does not name a readable file.
Status CheckFile(std::string_view setting, std::string_view field, const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Status::InvalidArgument(fmt::format("{}.{} \"{}\": no such file", setting, field, path));
  }
  return Status::Ok();
}

Status Refused(std::string_view setting, std::string_view field, const std::string& path) {
  return Status::InvalidArgument(fmt::format("{}.{} \"{}\": {}", setting, field, path, LastOpenSslError()));
}

// ALPN's wire form: each protocol prefixed by its length.
std::string AlpnWire(const std::vector<std::string>& alpn) {
  std::string wire;
  for (const auto& p : alpn) {
    wire.push_back(static_cast<char>(p.size()));
    wire += p;
  }
  return wire;
}

}  // namespace

StatusOr<std::shared_ptr<ssl::context>> MakeClientTlsContext(const TlsSettings& settings, std::string_view setting,
                                                             const std::vector<std::string>& alpn) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX* native = ctx->native_handle();
  ERR_clear_error();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  if (settings.resume_sessions) {
    InstallSessionCache(native);
  } else {
    // A full handshake per connection, what `per_request` connections then measure.
    SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(native, SSL_OP_NO_TICKET);
  }

  if (settings.insecure_skip_verify) {
    SSL_CTX_set_verify(native, SSL_VERIFY_NONE, nullptr);
  } else {
    SSL_CTX_set_verify(native, SSL_VERIFY_PEER, nullptr);
    if (!settings.ca.empty()) {
      if (auto s = CheckFile(setting, "ca", settings.ca); !s.ok()) return s;
      if (SSL_CTX_load_verify_locations(native, settings.ca.c_str(), nullptr) != 1) {
        return Refused(setting, "ca", settings.ca);
      }
    } else if (SSL_CTX_set_default_verify_paths(native) != 1) {
      return Status::InvalidArgument(fmt::format("{}: cannot load the system CA store: {}", setting, LastOpenSslError()));
    }
  }
  if (settings.cert.empty() != settings.key.empty()) {
    return Status::InvalidArgument(fmt::format("{}: cert and key go together (mutual TLS needs both)", setting));
  }
  if (!settings.cert.empty()) {
    if (auto s = CheckFile(setting, "cert", settings.cert); !s.ok()) return s;
    if (auto s = CheckFile(setting, "key", settings.key); !s.ok()) return s;
    if (SSL_CTX_use_certificate_chain_file(native, settings.cert.c_str()) != 1) {
      return Refused(setting, "cert", settings.cert);
    }
    if (SSL_CTX_use_PrivateKey_file(native, settings.key.c_str(), SSL_FILETYPE_PEM) != 1) {
      return Refused(setting, "key", settings.key);
    }
    if (SSL_CTX_check_private_key(native) != 1) {
      return Status::InvalidArgument(
          fmt::format("{}.key \"{}\" does not match {}.cert \"{}\"", setting, settings.key, setting, settings.cert));
    }
  }
  if (!alpn.empty()) {
    const std::string wire = AlpnWire(alpn);
    if (SSL_CTX_set_alpn_protos(native, reinterpret_cast<const unsigned char*>(wire.data()),
                                static_cast<unsigned>(wire.size())) != 0) {
      return Status::InvalidArgument(fmt::format("{}: cannot offer ALPN protocols", setting));
    }
  }
  return ctx;
}

Status PrepareClientSsl(SSL* ssl, const TlsSettings& settings, std::string_view host) {
  const std::string name(settings.server_name.empty() ? host : std::string_view(settings.server_name));
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(name, ec);
  const bool is_ip = !ec;
  // SSL_set_tlsext_host_name without its macro's C cast.
  if (!is_ip && SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(name.c_str())) != 1) {
    return Status::InvalidArgument(fmt::format("TLS server name \"{}\": {}", name, LastOpenSslError()));
  }
  if (settings.resume_sessions) OfferCachedSession(ssl, is_ip ? std::string_view() : std::string_view(name));
  if (settings.insecure_skip_verify) return Status::Ok();
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  const int ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, address.to_string().c_str())
                       : X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
  if (ok != 1) return Status::InvalidArgument(fmt::format("TLS server name \"{}\": {}", name, LastOpenSslError()));
  return Status::Ok();
}

std::string DescribeTlsError(SSL* ssl, const boost::system::error_code& ec) {
  if (ssl != nullptr) {
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) {
      return fmt::format("TLS handshake: certificate verify failed: {}", X509_verify_cert_error_string(verify));
    }
  }
  if (ec == ssl::error::stream_truncated) return "TLS handshake: the server closed the connection";
  return fmt::format("TLS handshake: {}", ec.message());
}

bool ResumedSession(SSL* ssl) { return SSL_session_reused(ssl) == 1; }

std::string NegotiatedAlpn(SSL* ssl) {
  const unsigned char* data = nullptr;
  unsigned len = 0;
  SSL_get0_alpn_selected(ssl, &data, &len);
  return data == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(data), len);
}

}  // namespace leakgate::net
