#!/usr/bin/env bash
# gRPC unary throughput and client CPU: leakgate vs ghz vs h2load, same target, same method.
#
#   tests/bench/grpc_vs_peers.sh BUILD_DIR [DURATION_S] [CONNECTIONS] [CONCURRENCY]
#
# Starts BUILD_DIR/examples/go-targets/grpc-leaky (-mode fixed) on free loopback ports and
# drives /leakgate.example.v1.LeakService/Hello {name: "bench"} for DURATION_S (5) seconds
# with CONNECTIONS (2) HTTP/2 connections and CONCURRENCY (32) calls in flight (closed model)
# from each tool in turn:
#   leakgate  `leakgate run` of a generated scenario (phase concurrency:, grpc.connections:),
#             its default gRPC client (the HTTP/2 data plane); leakgate-grpcpp the same with
#             grpc.client: grpcpp
#   ghz       --connections C -c N -z Ds (installed with GOBIN=... go install if missing)
#   h2load    -c C -m N/C -D D, a pre-framed gRPC request body and content-type/te headers
# Prints calls/s (successful calls over the phase) and client CPU per call (user+sys of the
# tool's process, from wait4), then the ratios leakgate/ghz and leakgate/h2load.
# The target shares the machine's cores with the client: compare ratios, not absolutes.
set -euo pipefail

BUILD_DIR=$(cd "${1:?usage: $0 BUILD_DIR [DURATION_S] [CONNECTIONS] [CONCURRENCY]}" && pwd)
DURATION=${2:-5}
CONNS=${3:-2}
CONC=${4:-32}
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

# Runs "$@" (its output passed through) and writes its user+sys CPU seconds to fd 3.
cpu_of() {
  python3 - "$@" <<'PY'
import os, resource, subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
out, err = p.communicate()  # waits: the child's rusage is now in RUSAGE_CHILDREN
r = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stdout.write(out.decode(errors="replace"))
sys.stderr.write(err.decode(errors="replace"))
with os.fdopen(3, "w") as f:
    f.write("%.3f\n" % (r.ru_utime + r.ru_stime))
sys.exit(p.returncode)
PY
}

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

declare -A RATE CPU
# warm the target up once (JIT-free, but connections, GC pacing, page cache)
"$LEAKGATE" run "$WORK/bench.yaml" --quiet >/dev/null 2>&1 || true

# leakgate, with each gRPC client
sed 's/^grpc: {/grpc: {client: grpcpp, /' "$WORK/bench.yaml" >"$WORK/bench-grpcpp.yaml"
run_leakgate() {  # NAME SCENARIO
  cpu_of "$LEAKGATE" run "$2" --quiet --out "$WORK/$1" >/dev/null 2>"$WORK/$1.err" 3>"$WORK/$1.cpu" || true
  read -r RATE[$1] OKS < <(python3 -c '
import json,sys; r=json.load(open(sys.argv[1])); p=r["phases"][0]
print("%.0f %d" % (p["ok"]/float(sys.argv[2]), p["ok"]))' "$WORK/$1/result.json" "$DURATION")
  CPU[$1]=$(python3 -c "print('%.2f' % ($(cat "$WORK/$1.cpu")*1e6/max($OKS,1)))")
}
run_leakgate leakgate "$WORK/bench.yaml"
run_leakgate leakgate-grpcpp "$WORK/bench-grpcpp.yaml"

# ghz
cpu_of "$GHZ" --insecure --proto leakgate/example/v1/leak.proto --import-paths "$PROTO_DIR" \
  --call leakgate.example.v1.LeakService.Hello -d '{"name":"bench"}' \
  --connections "$CONNS" -c "$CONC" -z "${DURATION}s" --format json "127.0.0.1:$PORT" \
  >"$WORK/ghz.json" 2>"$WORK/ghz.err" 3>"$WORK/ghz.cpu" || true
read -r RATE[ghz] OKS < <(python3 -c '
import json,sys; r=json.load(open(sys.argv[1])); ok=r.get("statusCodeDistribution",{}).get("OK",0)
print("%.0f %d" % (ok/(r["total"]/1e9), ok))' "$WORK/ghz.json")
CPU[ghz]=$(python3 -c "print('%.2f' % ($(cat "$WORK/ghz.cpu")*1e6/max($OKS,1)))")

# h2load: a gRPC frame (flag 0, 4-byte length) around HelloRequest{name: "bench"}
if [[ -n "$H2LOAD" ]]; then
  printf '\x00\x00\x00\x00\x07\x0a\x05bench' >"$WORK/hello.bin"
  cpu_of "$H2LOAD" -c "$CONNS" -m $((CONC / CONNS)) -D "$DURATION" -d "$WORK/hello.bin" \
    -H 'content-type: application/grpc' -H 'te: trailers' \
    "http://127.0.0.1:$PORT/leakgate.example.v1.LeakService/Hello" >"$WORK/h2load.txt" 2>&1 3>"$WORK/h2load.cpu" || true
  read -r RATE[h2load] OKS < <(python3 -c '
import re,sys; t=open(sys.argv[1]).read()
ok=int(re.search(r"requests: .*? (\d+) succeeded", t).group(1)); secs=float(re.search(r"finished in ([\d.]+)s", t).group(1))
print("%.0f %d" % (ok/secs, ok))' "$WORK/h2load.txt")
  CPU[h2load]=$(python3 -c "print('%.2f' % ($(cat "$WORK/h2load.cpu")*1e6/max($OKS,1)))")
fi

printf '\n%-16s %12s %16s   (%ss, %s connections, %s in flight, Hello unary, loopback, %s cores)\n' \
  tool 'calls/s' 'CPU µs/call' "$DURATION" "$CONNS" "$CONC" "$(nproc)"
for t in leakgate leakgate-grpcpp ghz h2load; do
  [[ -n "${RATE[$t]:-}" ]] && printf '%-16s %12s %16s\n' "$t" "${RATE[$t]}" "${CPU[$t]}"
done
ratio() { python3 -c "print('%.2f' % ($1/$2))"; }
echo
echo "leakgate/ghz    calls/s ratio: $(ratio "${RATE[leakgate]}" "${RATE[ghz]}")   CPU/call ratio: $(ratio "${CPU[leakgate]}" "${CPU[ghz]}")"
echo "leakgate-grpcpp/ghz calls/s ratio: $(ratio "${RATE[leakgate-grpcpp]}" "${RATE[ghz]}")"
[[ -n "${RATE[h2load]:-}" ]] && \
echo "leakgate/h2load calls/s ratio: $(ratio "${RATE[leakgate]}" "${RATE[h2load]}")   CPU/call ratio: $(ratio "${CPU[leakgate]}" "${CPU[h2load]}")"
