// The tls: blocks of a scenario file (FORMAT.md, "tls"): at target.tls, probe.tls, a
// probe source's own `tls:` (probe.pprof / metrics / expvar written as {url, tls}) and a
// dependency's (dependencies[].tls, the chaos proxy's TLS to the upstream).
//
// Contract: ReadTls returns a complete, validated value or throws ScenarioError at the
// offending YAML value: unknown keys, `cert` without `key` (or the reverse), a file that is
// not there. The files are only checked to exist here; they are loaded when the load
// engine or a probe builds its TLS context. Thread-safety: none; one load, one thread.
#pragma once

#include <string>
#include <vector>

#include "harness/net/tls_settings.h"
#include "harness/scenario/yaml_reader.h"

namespace leakgate::scenario {

// With `alpn`, the block may also list `alpn: [h2, ...]`, the protocols to offer in the
// handshake (a dependency's upstream), appended there; without, that key is unknown.
net::TlsSettings ReadTls(const Reader& r, std::vector<std::string>* alpn = nullptr);

}  // namespace leakgate::scenario
