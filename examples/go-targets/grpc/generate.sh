#!/usr/bin/env bash
# Regenerates gen/leakv1/*.pb.go from proto/leakgate/example/v1/leak.proto.
# The generated files are committed, so building needs no protoc; run this only
# after editing the .proto. Needs: protoc (Debian: apt-get install -y
# protobuf-compiler; generated with libprotoc 3.21.12) and Go. The two plugins
# are pinned and installed from the Go module proxy into a private bin dir.
set -euo pipefail
cd "$(dirname "$0")"

PROTOC_GEN_GO_VERSION=v1.36.12       # google.golang.org/protobuf/cmd/protoc-gen-go
PROTOC_GEN_GO_GRPC_VERSION=v1.6.2    # google.golang.org/grpc/cmd/protoc-gen-go-grpc

bin="${LEAKGATE_PROTOC_PLUGIN_DIR:-$(go env GOPATH)/bin/leakgate-protoc-plugins}"
mkdir -p "$bin"
GOBIN="$bin" go install "google.golang.org/protobuf/cmd/protoc-gen-go@${PROTOC_GEN_GO_VERSION}"
GOBIN="$bin" go install "google.golang.org/grpc/cmd/protoc-gen-go-grpc@${PROTOC_GEN_GO_GRPC_VERSION}"

protoc \
  --plugin=protoc-gen-go="$bin/protoc-gen-go" \
  --plugin=protoc-gen-go-grpc="$bin/protoc-gen-go-grpc" \
  -I proto \
  --go_out=. --go_opt=module=leakgate.dev/examples/go-targets/grpc \
  --go-grpc_out=. --go-grpc_opt=module=leakgate.dev/examples/go-targets/grpc \
  leakgate/example/v1/leak.proto
