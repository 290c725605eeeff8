#!/usr/bin/env bash
# leakgate's HTTP/2 load (h2c, prior knowledge) against h2load on the same Go target.
#
#   tests/bench/h2_vs_h2load.sh BUILD_DIR [DURATION_S] [CONNECTIONS] [STREAMS] [THREADS]
#
# Starts BUILD_DIR/examples/go-targets/leaky with its h2c listener on free loopback ports
# and drives GET /hello for DURATION_S (5) seconds with CONNECTIONS (2) HTTP/2 connections
# and STREAMS (32) concurrent streams on each, closed loop, from each tool in turn:
#   leakgate  leakgate load --protocol h2c --connections C --streams S --concurrency C*S
#   h2load    h2load -c C -m S -t T -D D
# Prints requests/s and client CPU s per 100k requests (user+sys from /usr/bin/time), then
# the ratio leakgate / h2load. The target shares the cores with the client: compare
# ratios, not absolutes.
set -euo pipefail

BUILD=${1:?usage: $0 BUILD_DIR [DURATION_S] [CONNECTIONS] [STREAMS] [THREADS]}
DUR=${2:-5}
CONNS=${3:-2}
STREAMS=${4:-32}
THREADS=${5:-$CONNS}
LEAKGATE=$BUILD/bin/leakgate
TARGET=$BUILD/examples/go-targets/leaky
WORK=$(mktemp -d)
TPID=
trap '[[ -n $TPID ]] && kill $TPID 2>/dev/null; rm -rf "$WORK"' EXIT

source "$(dirname "$0")/lib.sh"
launch() {
  read -r PORT H2C_PORT < <(free_ports 2)
  "$TARGET" -addr 127.0.0.1:$PORT -h2c-addr 127.0.0.1:$H2C_PORT -mode fixed 2>"$WORK/target.log" &
  TPID=$!
}
ready() { curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && curl -fs --http2-prior-knowledge "http://127.0.0.1:$H2C_PORT/healthz" >/dev/null 2>&1; }
start_target launch ready
URL=http://127.0.0.1:$H2C_PORT/hello

timed() {
  local name=$1; shift
  /usr/bin/time -f '%U %S' -o "$WORK/$name.rawtime" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
  awk '{printf "%.3f\n", $1+$2}' "$WORK/$name.rawtime" >"$WORK/$name.cpu"
}
per100k() { python3 -c "import sys; print(f'{float(sys.argv[1]) / max(float(sys.argv[2]), 1) * 100000:.3f}')" "$1" "$2"; }
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/b:.2f}x' if b else 'n/a')" "$1" "$2"; }

echo "== h2c saturation: ${DUR}s, $CONNS connections x $STREAMS streams, $THREADS threads, GET $URL"
timed lg "$LEAKGATE" load "$URL" --protocol h2c --connections "$CONNS" --streams "$STREAMS" \
  --concurrency $((CONNS * STREAMS)) --threads "$THREADS" --duration "${DUR}s" --json
timed h2load h2load -c "$CONNS" -m "$STREAMS" -t "$THREADS" -D "$DUR" "$URL"
LG_RPS=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rps"])' "$WORK/lg.out")
LG_OK=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ok"])' "$WORK/lg.out")
LG_CONNS=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["connections"])' "$WORK/lg.out")
H_RPS=$(awk '/^finished in/ {gsub(",","",$4); print $4}' "$WORK/h2load.out")
H_OK=$(awk '/^requests:/ {print $8}' "$WORK/h2load.out")
printf 'leakgate %10.0f req/s  %s CPU s/100k req  (%s connections)\n' "$LG_RPS" "$(per100k "$(cat "$WORK/lg.cpu")" "$LG_OK")" "$LG_CONNS"
printf 'h2load   %10.0f req/s  %s CPU s/100k req\n' "$H_RPS" "$(per100k "$(cat "$WORK/h2load.cpu")" "$H_OK")"
echo "leakgate/h2load h2c req/s: $(ratio "$LG_RPS" "$H_RPS")"
