#include "harness/load/http/request_factory.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace leakgate::load::http {

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

bool HasHeader(const std::vector<std::pair<std::string, std::string>>& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return EqualsIgnoreCase(h.first, name); });
}

bool NeedsContentLength(std::string_view method, size_t body_size) {
  return body_size > 0 || method == "POST" || method == "PUT" || method == "PATCH";
}

// method SP target SP HTTP/1.1 CRLF, Host, User-Agent (unless given), headers, Content-Length, CRLF, body.
template <typename HeaderValue>
void Serialize(std::string& out, std::string_view method, std::string_view base, std::string_view path,
               const std::vector<std::pair<std::string, std::string>>& headers, HeaderValue&& value_of,
               std::string_view host, std::string_view body) {
  out.clear();
  out.append(method).append(" ").append(base).append(path).append(" HTTP/1.1\r\n");
  if (!HasHeader(headers, "host")) out.append("Host: ").append(host).append("\r\n");
  if (!HasHeader(headers, "user-agent")) out.append("User-Agent: leakgate\r\n");
  for (size_t i = 0; i < headers.size(); ++i) {
    if (EqualsIgnoreCase(headers[i].first, "content-length")) continue;
    out.append(headers[i].first).append(": ");
    value_of(i, out);
    out.append("\r\n");
  }
  if (NeedsContentLength(method, body.size())) fmt::format_to(std::back_inserter(out), "Content-Length: {}\r\n", body.size());
  out.append("\r\n").append(body);
}

bool IsDynamic(const scenario::Template& t) {
  return std::any_of(t.begin(), t.end(), [](const auto& p) { return p.kind != scenario::TemplatePart::kLiteral; });
}

}  // namespace

RequestFactory::RequestFactory(const std::vector<scenario::Traffic>& traffic, std::string host_header,
                               std::string base_path)
    : RequestFactory(traffic, std::vector<Destination>(traffic.size(), Destination{std::move(host_header), std::move(base_path)})) {}

RequestFactory::RequestFactory(const std::vector<scenario::Traffic>& traffic, const std::vector<Destination>& destinations) {
  for (size_t i = 0; i < traffic.size(); ++i) {
    const auto& t = traffic[i];
    Entry e;
    e.to = destinations.at(i);
    if (t.grpc) {
      entries_.push_back(std::move(e));
      continue;
    }
    if (t.replay) {
      for (const auto& r : t.replay->requests) {
        std::string out;
        Serialize(out, r.method, e.to.base_path, r.path, r.headers,
                  [&](size_t h, std::string& o) { o += r.headers[h].second; }, e.to.host_header, r.body);
        e.prebuilt.push_back(std::move(out));
      }
      entries_.push_back(std::move(e));
      continue;
    }
    e.head = t.method == "HEAD";
    e.dynamic = IsDynamic(t.path_template) || IsDynamic(t.body_template) ||
                std::any_of(t.header_templates.begin(), t.header_templates.end(), IsDynamic);
    if (e.dynamic) {
      e.traffic = t;
    } else {
      std::string out;
      Serialize(out, t.method, e.to.base_path, t.path, t.headers,
                [&](size_t h, std::string& o) { o += t.headers[h].second; }, e.to.host_header, t.body);
      e.prebuilt.push_back(std::move(out));
    }
    entries_.push_back(std::move(e));
  }
}

namespace {

void Append(const scenario::Template& parts, const std::string& fallback, const scenario::Traffic& t, int64_t seq,
            std::mt19937_64& rng, std::string& out) {
  static constexpr std::string_view kAlnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  if (parts.empty()) {
    out += fallback;  // a template the loader did not parse (built in code): literal
    return;
  }
  for (const auto& p : parts) {
    switch (p.kind) {
      case scenario::TemplatePart::kLiteral: out += p.text; break;
      case scenario::TemplatePart::kSeq: fmt::format_to(std::back_inserter(out), "{}", seq); break;
      case scenario::TemplatePart::kRandInt: {
        std::uniform_int_distribution<int64_t> d(p.low, p.high);
        fmt::format_to(std::back_inserter(out), "{}", d(rng));
        break;
      }
      case scenario::TemplatePart::kRandStr:
        for (int64_t i = 0; i < p.low; ++i) out += kAlnum[rng() % kAlnum.size()];
        break;
      case scenario::TemplatePart::kUuid: {
        const uint64_t hi = (rng() & 0xffffffffffff0fffull) | 0x4000ull;                   // version 4
        const uint64_t lo = (rng() & 0x3fffffffffffffffull) | 0x8000000000000000ull;       // variant 10
        fmt::format_to(std::back_inserter(out), "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xffff,
                       hi & 0xffff, lo >> 48, lo & 0xffffffffffffull);
        break;
      }
      case scenario::TemplatePart::kCsv:
        if (!t.csv_rows.empty()) {
          const auto& row = t.csv_rows[static_cast<size_t>(seq) % t.csv_rows.size()];
          out += row[static_cast<size_t>(p.column)];
        }
        break;
    }
  }
}

}  // namespace

void RequestFactory::Render(const Entry& e, int64_t seq, std::mt19937_64& rng, std::string& out) const {
  const auto& t = e.traffic;
  std::string body;
  Append(t.body_template, t.body, t, seq, rng, body);
  out.clear();
  out.append(t.method).append(" ").append(e.to.base_path);
  Append(t.path_template, t.path, t, seq, rng, out);
  out.append(" HTTP/1.1\r\n");
  if (!HasHeader(t.headers, "host")) out.append("Host: ").append(e.to.host_header).append("\r\n");
  if (!HasHeader(t.headers, "user-agent")) out.append("User-Agent: leakgate\r\n");
  for (size_t i = 0; i < t.headers.size(); ++i) {
    if (EqualsIgnoreCase(t.headers[i].first, "content-length")) continue;
    out.append(t.headers[i].first).append(": ");
    if (i < t.header_templates.size()) {
      Append(t.header_templates[i], t.headers[i].second, t, seq, rng, out);
    } else {
      out += t.headers[i].second;
    }
    out.append("\r\n");
  }
  if (NeedsContentLength(t.method, body.size())) fmt::format_to(std::back_inserter(out), "Content-Length: {}\r\n", body.size());
  out.append("\r\n").append(body);
}

std::string_view RequestFactory::Build(size_t t, int64_t seq, std::mt19937_64& rng, std::string& scratch) const {
  const Entry& e = entries_[t];
  if (!e.dynamic) return e.prebuilt[static_cast<size_t>(seq) % e.prebuilt.size()];
  Render(e, seq, rng, scratch);
  return scratch;
}

size_t RequestFactory::BodyOffset(std::string_view request) {
  const size_t end = request.find("\r\n\r\n");
  return end == std::string_view::npos ? request.size() : end + 4;
}

std::string RequestFactory::Malform(std::string_view request, std::string_view kind) {
  const size_t eol = request.find("\r\n");
  if (eol == std::string_view::npos) return std::string(request);
  const std::string_view line = request.substr(0, eol);
  std::string out;
  if (kind == "header") {
    // A header line without a colon (and with a space in its name).
    out.append(line).append("\r\nBroken Header Line\r\n").append(request.substr(eol + 2));
  } else if (kind == "version") {
    const size_t sp = line.rfind(' ');
    out.append(line.substr(0, sp)).append(" HTTP/1.x").append(request.substr(eol));
  } else {
    // request_line: the version is missing ("GET /path").
    const size_t sp = line.rfind(' ');
    out.append(line.substr(0, sp)).append(request.substr(eol));
  }
  return out;
}

}  // namespace leakgate::load::http
