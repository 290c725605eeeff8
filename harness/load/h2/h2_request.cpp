#include "harness/load/h2/h2_request.h"

#include <algorithm>
#include <array>

namespace leakgate::load::h2 {

namespace {

bool EqualsLower(std::string_view a, std::string_view lower) {
  return a.size() == lower.size() &&
         std::equal(a.begin(), a.end(), lower.begin(), [](char x, char y) { return (x | 0x20) == y; });
}

bool ConnectionSpecific(std::string_view name) {
  constexpr std::array<std::string_view, 6> kDropped = {"connection", "keep-alive", "proxy-connection",
                                                       "transfer-encoding", "upgrade", "host"};
  return std::any_of(kDropped.begin(), kDropped.end(), [&](std::string_view d) { return EqualsLower(name, d); });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

void H2Request::Add(std::string_view name, std::string_view value) {
  const size_t n = storage_.size();
  for (char c : name) storage_.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  storage_.append(value);
  name_at_.push_back({n, name.size()});
  value_at_.push_back({n + name.size(), value.size()});
}

bool H2Request::Parse(std::string_view raw, bool tls) {
  storage_.clear();
  name_at_.clear();
  value_at_.clear();
  nva_.clear();
  const size_t head_end = raw.find("\r\n\r\n");
  if (head_end == std::string_view::npos) return false;
  body_ = raw.substr(head_end + 4);
  std::string_view head = raw.substr(0, head_end + 2);
  const size_t line_end = head.find("\r\n");
  const std::string_view line = head.substr(0, line_end);
  head.remove_prefix(line_end + 2);
  const size_t sp1 = line.find(' ');
  const size_t sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 <= sp1) return false;
  storage_.reserve(raw.size() + 64);
  Add(":method", line.substr(0, sp1));
  Add(":scheme", tls ? "https" : "http");
  const size_t authority_index = name_at_.size();
  Add(":authority", "");
  Add(":path", line.substr(sp1 + 1, sp2 - sp1 - 1));
  while (!head.empty()) {
    const size_t e = head.find("\r\n");
    const std::string_view field = head.substr(0, e);
    head.remove_prefix(e + 2);
    const size_t colon = field.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    const std::string_view name = field.substr(0, colon);
    const std::string_view value = Trim(field.substr(colon + 1));
    if (EqualsLower(name, "host")) {
      const size_t n = storage_.size();
      storage_.append(value);
      value_at_[authority_index] = {n, value.size()};
    }
    if (!ConnectionSpecific(name)) Add(name, value);
  }
  nva_.reserve(name_at_.size());
  for (size_t i = 0; i < name_at_.size(); ++i) {
    nghttp2_nv nv{};
    nv.name = reinterpret_cast<uint8_t*>(storage_.data() + name_at_[i].first);
    nv.namelen = name_at_[i].second;
    nv.value = reinterpret_cast<uint8_t*>(storage_.data() + value_at_[i].first);
    nv.valuelen = value_at_[i].second;
    nv.flags = NGHTTP2_NV_FLAG_NONE;  // nghttp2 copies: a stream reset before its HEADERS went out must not read freed memory
    nva_.push_back(nv);
  }
  return true;
}

}  // namespace leakgate::load::h2
