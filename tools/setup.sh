#!/usr/bin/env bash
# Installs what leakgate needs on Debian bookworm, and nothing when it is all there.
#
#   tools/setup.sh          check Go, install missing Debian packages (needs root or sudo)
#
# Go is the machine's own (never Debian's golang-go, which would shadow it): this script
# only checks that `go` exists and is new enough.
set -euo pipefail

# Minimum Go for examples/go-targets: the gRPC target (grpc-go v1.85) needs Go 1.26.
readonly GO_MIN_MAJOR=1 GO_MIN_MINOR=26

readonly PACKAGES=(
  # toolchain
  g++ make cmake ninja-build pkg-config ccache
  # C++ dependencies (Boost 1.81 exactly: the unversioned -dev packages clash with 1.74 pieces)
  libboost1.81-dev libboost-url1.81-dev
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev libprotoc-dev protobuf-compiler
  libyaml-cpp-dev nlohmann-json3-dev libfmt-dev libcli11-dev
  # TLS (https:// load and probes) and HTTP/2 load (load/h2, the library h2load is built on)
  libssl-dev libnghttp2-dev openssl
  # tests, fuzzing, benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev
  wrk nghttp2-client curl
  # report tests: result.json against its schema, report.html in a headless browser
  python3-jsonschema python3-yaml chromium
  # tests/integration/address_policy_netns_test.cpp: network namespaces (ip netns)
  iproute2
)

check_go() {
  if ! command -v go >/dev/null 2>&1; then
    echo "setup: 'go' not found on PATH. leakgate's Go targets need Go >= ${GO_MIN_MAJOR}.${GO_MIN_MINOR}" \
         "(install it from go.dev; do not install Debian's golang-go)." >&2
    exit 1
  fi
  local v
  v=$(go env GOVERSION 2>/dev/null || true)      # e.g. go1.26.8
  v=${v#go}
  local major=${v%%.*} rest=${v#*.}
  local minor=${rest%%[.a-z]*}
  if ! [[ $major =~ ^[0-9]+$ && $minor =~ ^[0-9]+$ ]] ||
     (( major < GO_MIN_MAJOR || (major == GO_MIN_MAJOR && minor < GO_MIN_MINOR) )); then
    echo "setup: Go ${v:-unknown} is too old; leakgate needs Go >= ${GO_MIN_MAJOR}.${GO_MIN_MINOR}." >&2
    exit 1
  fi
}

install_missing() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    if [[ $(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) != installed ]]; then
      missing+=("$p")
    fi
  done
  ((${#missing[@]})) || return 0
  echo "setup: installing ${missing[*]}"
  local sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

check_go
install_missing
