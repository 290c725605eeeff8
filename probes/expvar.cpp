#include "probes/expvar.h"

#include <cmath>
#include <exception>

#include <nlohmann/json.hpp>

#include "probes/text_scan.h"

namespace leakgate::probes {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 16;

using text::IsWordChar;

// Rewrites the non-JSON literals Go's expvar.Float produces ("NaN", "+Inf", "-Inf", and
// "Inf" for safety) into "null" when they stand where a JSON value starts (after ':',
// '[' or ','), outside strings. Returns nullopt when there is nothing to rewrite, so the
// common case copies nothing. `count` receives the number of rewrites.
std::optional<std::string> ReplaceNonFiniteLiterals(std::string_view text, size_t& count) {
  count = 0;
  std::optional<std::string> out;
  size_t copied = 0;  // text[0, copied) is already in *out
  bool in_string = false;
  char last_significant = '\0';  // last non-blank character outside strings
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // skip the escaped character
      } else if (c == '"') {
        in_string = false;
        last_significant = '"';
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    if (last_significant == ':' || last_significant == '[' || last_significant == ',') {
      size_t len = 0;
      for (std::string_view literal : {"NaN", "+Inf", "-Inf", "Inf"}) {
        if (text.substr(i, literal.size()) == literal &&
            (i + literal.size() == text.size() || !IsWordChar(text[i + literal.size()]))) {
          len = literal.size();
          break;
        }
      }
      if (len != 0) {
        if (!out) {
          out.emplace();
          out->reserve(text.size() + 16);
        }
        out->append(text.substr(copied, i - copied));
        out->append("null");
        copied = i + len;
        ++count;
        i += len - 1;
        last_significant = 'l';
        continue;
      }
    }
    last_significant = c;
  }
  if (out) out->append(text.substr(copied));
  return out;
}

void AddNumber(std::map<std::string, double>& into, const std::string& key, const json& value) {
  const double d = value.get<double>();
  if (std::isfinite(d)) into[key] = d;
}

// Numbers inside a published object, keyed "prefix.key.key...".
void Flatten(const json& object, const std::string& prefix, int depth, std::map<std::string, double>& into) {
  if (depth > kMaxDepth) return;
  for (const auto& [key, value] : object.items()) {
    std::string name = prefix;
    name += '.';
    name += key;
    if (value.is_number()) {
      AddNumber(into, name, value);
    } else if (value.is_object()) {
      Flatten(value, name, depth + 1, into);
    }
  }
}

std::string_view TypeName(const json& value) {
  switch (value.type()) {
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::null:
      return "null";
    default:
      return "a number";
  }
}

}  // namespace

ExpvarParseResult ParseExpvar(std::string_view text) {
  ExpvarParseResult result;
  size_t non_finite = 0;
  const std::optional<std::string> rewritten = ReplaceNonFiniteLiterals(text, non_finite);
  const std::string_view input = rewritten ? std::string_view(*rewritten) : text;

  json doc;
  try {
    doc = json::parse(input.begin(), input.end());
  } catch (const json::exception& e) {
    result.error = std::string("expvar: invalid JSON: ") + e.what();
    return result;
  }
  if (!doc.is_object()) {
    result.error = "expvar: the top-level JSON value is ";
    result.error += TypeName(doc);
    result.error += ", not an object";
    return result;
  }

  ExpvarSnapshot snap;
  snap.non_finite = non_finite;
  for (const auto& [name, value] : doc.items()) {
    if (name == "memstats") {
      if (!value.is_object()) continue;
      for (const auto& [field, v] : value.items()) {
        if (v.is_number()) AddNumber(snap.memstats, field, v);
      }
    } else if (name == "cmdline") {
      if (!value.is_array()) continue;
      for (const json& arg : value) {
        if (arg.is_string()) snap.cmdline.push_back(arg.get<std::string>());
      }
    } else if (value.is_number()) {
      AddNumber(snap.published, name, value);
    } else if (value.is_object()) {
      Flatten(value, name, 1, snap.published);
    }
  }
  result.snapshot = std::move(snap);
  return result;
}

std::map<std::string, double> ExpvarResources(const ExpvarSnapshot& snapshot) {
  static constexpr std::pair<const char*, const char*> kNames[] = {
      {"HeapInuse", "heap_inuse_bytes"},
      {"HeapObjects", "heap_objects"},
      {"HeapAlloc", "heap_alloc_bytes"},
      {"NumGC", "gc_cycles"},
  };
  std::map<std::string, double> out;
  for (const auto& [field, resource] : kNames) {
    if (const auto it = snapshot.memstats.find(field); it != snapshot.memstats.end()) out[resource] = it->second;
  }
  for (const auto& [key, value] : snapshot.published) out["expvar." + key] = value;
  return out;
}

}  // namespace leakgate::probes
