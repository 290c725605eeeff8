// HTTP/1.1 pieces shared by the HTTP relay and the HTTP stub (internal to
// harness/faults/proxy): a Beast parser that only finds message boundaries, and the
// responses leakgate writes itself.
//
// Thread-safety: MessageScanner objects belong to one coroutine; RenderResponse is pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/basic_parser.hpp>

namespace leakgate::faults::proxy {

// What the relay needs of a parser, without knowing whether it parses a request or a
// response (the relay's coroutines are plain functions, not templates).
class Scanner {
 public:
  virtual ~Scanner() = default;
  // basic_parser::put / put_eof / is_header_done / is_done / eager.
  virtual size_t Put(boost::asio::const_buffer bytes, boost::beast::error_code& ec) = 0;
  virtual void PutEof(boost::beast::error_code& ec) = 0;
  virtual bool HeadDone() const = 0;
  virtual bool Done() const = 0;
  virtual void Eager(bool eager) = 0;
};

// Parses one request (isRequest) or response and keeps what the relay decides on (method,
// target, status); body bytes are not stored: the relay forwards the raw bytes that put()
// consumed, so the message reaches the other side exactly as it was sent, whatever its
// framing (Content-Length, chunked with extensions and trailers, until close).
template <bool isRequest>
class MessageScanner final : public boost::beast::http::basic_parser<isRequest>, public Scanner {
 public:
  MessageScanner() {
    this->header_limit(64 * 1024);
    this->body_limit(boost::none);  // bodies stream through; nothing is buffered
  }
  std::string method;       // requests: as sent ("GET", or an extension method)
  std::string target;       // requests: request-target
  unsigned status = 0;      // responses

  size_t Put(boost::asio::const_buffer bytes, boost::beast::error_code& ec) override { return this->put(bytes, ec); }
  void PutEof(boost::beast::error_code& ec) override { this->put_eof(ec); }
  bool HeadDone() const override { return this->is_header_done(); }
  bool Done() const override { return this->is_done(); }
  void Eager(bool eager) override { this->eager(eager); }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;
  void on_request_impl(boost::beast::http::verb, string_view method_text, string_view target_text, int,
                       error_code&) override {
    method.assign(method_text.data(), method_text.size());
    target.assign(target_text.data(), target_text.size());
  }
  void on_response_impl(int code, string_view, int, error_code&) override { status = static_cast<unsigned>(code); }
  void on_field_impl(boost::beast::http::field, string_view, string_view, error_code&) override {}
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
  std::size_t on_body_impl(string_view body, error_code&) override { return body.size(); }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override { return body.size(); }
  void on_finish_impl(error_code&) override {}
};

// A complete HTTP/1.1 response: status line with the standard reason, `headers` in order
// (a Content-Length or Connection among them is replaced by the right one), the
// Content-Length of `body`, "Connection: close" unless `keep_alive`, and the body unless
// the request was HEAD.
std::string RenderResponse(int status, const std::vector<std::pair<std::string, std::string>>& headers,
                           std::string_view body, bool keep_alive, bool head_request);

}  // namespace leakgate::faults::proxy
