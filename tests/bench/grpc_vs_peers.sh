#!/usr/bin/env bash
# gRPC unary throughput and client CPU: leakgate vs ghz vs h2load, same target, same method.
#
#   [ROUNDS=3] tests/bench/grpc_vs_peers.sh BUILD_DIR [DURATION_S] [CONNECTIONS] [CONCURRENCY]
#
# Starts BUILD_DIR/examples/go-targets/grpc-leaky (-mode fixed) on free loopback ports and
# drives /leakgate.example.v1.LeakService/Hello {name: "bench"} for DURATION_S (5) seconds
# with CONNECTIONS (2) HTTP/2 connections and CONCURRENCY (32) calls in flight (closed model)
# from each tool in turn, ROUNDS times in alternating order (tests/bench/alternate.py):
#   leakgate  `leakgate run` of a generated scenario (phase concurrency:, grpc.connections:),
#             its default gRPC client (the HTTP/2 data plane); leakgate-grpcpp the same with
#             grpc.client: grpcpp
#   ghz       --connections C -c N -z Ds (installed with GOBIN=... go install if missing)
#   h2load    -c C -m N/C -D D, a pre-framed gRPC request body and content-type/te headers
# Prints calls/s (successful calls over the phase) per round, the median ratios of leakgate
# to each peer, and each tool's and the target's CPU per call.
# The target shares the machine's cores with the client: compare ratios, not absolutes.
set -euo pipefail

BUILD_DIR=$(cd "${1:?usage: $0 BUILD_DIR [DURATION_S] [CONNECTIONS] [CONCURRENCY]}" && pwd)
DURATION=${2:-5}
CONNS=${3:-2}
CONC=${4:-32}
ROUNDS=${ROUNDS:-3}
SRC_DIR=$(cd "$(dirname "$0")/../.." && pwd)
LEAKGATE=$BUILD_DIR/bin/leakgate
TARGET=$BUILD_DIR/examples/go-targets/grpc-leaky
PROTO_DIR=$SRC_DIR/examples/go-targets/grpc/proto
WORK=$(mktemp -d /tmp/leakgate-grpc-bench.XXXXXX)
GHZ=${GHZ:-$(command -v ghz || true)}
if [[ -z "$GHZ" ]]; then
  echo "installing ghz into $WORK/bin ..." >&2
  GOBIN=$WORK/bin go install github.com/bojand/ghz/cmd/ghz@latest >&2
  GHZ=$WORK/bin/ghz
fi
H2LOAD=$(command -v h2load || true)

source "$SRC_DIR/tests/bench/lib.sh"
TPID=
cleanup() { [[ -n $TPID ]] && { kill "$TPID" 2>/dev/null || true; wait "$TPID" 2>/dev/null || true; }; rm -rf "$WORK"; }
trap cleanup EXIT
launch() {
  read -r PORT PPORT < <(free_ports 2)
  "$TARGET" -addr "127.0.0.1:$PORT" -pprof-addr "127.0.0.1:$PPORT" -mode fixed 2>"$WORK/target.log" &
  TPID=$!
}
ready() { curl -sf "http://127.0.0.1:$PPORT/healthz" >/dev/null 2>&1; }
start_target launch ready

cat >"$WORK/bench.yaml" <<YAML
name: grpc-bench
target: {url: "http://127.0.0.1:$PORT", ready: "http://127.0.0.1:$PPORT/healthz"}
probe: {pprof: "http://127.0.0.1:$PPORT/debug/pprof", samples: 1, force_gc: false}
grpc: {protos: [leakgate/example/v1/leak.proto], import_paths: ["$PROTO_DIR"]}
traffic:
  - {name: hello, grpc: {method: leakgate.example.v1.LeakService/Hello, request: {name: bench}}}
phases:
  - {name: load, duration: ${DURATION}s, concurrency: $CONC, workers: $CONNS, grpc: {connections: $CONNS}, max_in_flight: 100000}
assert: {settle: 0s, goroutines: {tolerance: 1000000}}
YAML

sed 's/^grpc: {/grpc: {client: grpcpp, /' "$WORK/bench.yaml" >"$WORK/bench-grpcpp.yaml"
# warm the target up once (connections, GC pacing, page cache)
"$LEAKGATE" run "$WORK/bench.yaml" --quiet >/dev/null 2>&1 || true

H2LOAD_TOOL=()
if [[ -n "$H2LOAD" ]]; then
  # h2load: a gRPC frame (flag 0, 4-byte length) around HelloRequest{name: "bench"}
  printf '\x00\x00\x00\x00\x07\x0a\x05bench' >"$WORK/hello.bin"
  H2LOAD_TOOL=(--tool h2load h2load "exec $H2LOAD -c $CONNS -m $((CONC / CONNS)) -D $DURATION -d $WORK/hello.bin \
    -H 'content-type: application/grpc' -H 'te: trailers' http://127.0.0.1:$PORT/leakgate.example.v1.LeakService/Hello")
fi
echo "== gRPC unary saturation: ${DURATION}s x $ROUNDS rounds, $CONNS connections, $CONC in flight, Hello, 127.0.0.1:$PORT"
python3 "$SRC_DIR/tests/bench/alternate.py" --rounds "$ROUNDS" --target-pid "$TPID" --duration "$DURATION" \
  --tool leakgate "leakgate-run:$WORK/lg" "exec $LEAKGATE run $WORK/bench.yaml --quiet --out $WORK/lg" \
  --tool leakgate-grpcpp "leakgate-run:$WORK/lgpp" "exec $LEAKGATE run $WORK/bench-grpcpp.yaml --quiet --out $WORK/lgpp" \
  --tool ghz ghz "exec $GHZ --insecure --proto leakgate/example/v1/leak.proto --import-paths $PROTO_DIR \
    --call leakgate.example.v1.LeakService.Hello -d '{\"name\":\"bench\"}' \
    --connections $CONNS -c $CONC -z ${DURATION}s --format json 127.0.0.1:$PORT" \
  "${H2LOAD_TOOL[@]}"
