#!/usr/bin/env bash
# leakgate's HTTP/2 load (h2c, prior knowledge) against h2load on the same Go target.
#
#   [ROUNDS=3] tests/bench/h2_vs_h2load.sh BUILD_DIR [DURATION_S] [CONNECTIONS] [STREAMS] [THREADS]
#
# Starts BUILD_DIR/examples/go-targets/leaky with its h2c listener on free loopback ports
# and drives GET /hello for DURATION_S (5) seconds with CONNECTIONS (2) HTTP/2 connections
# and STREAMS (32) concurrent streams on each, closed loop, from each tool in turn,
# ROUNDS times in alternating order (tests/bench/alternate.py):
#   leakgate  leakgate load --protocol h2c --connections C --streams S --concurrency C*S
#   h2load    h2load -c C -m S -t T -D D
# Prints requests/s per round, the median ratio leakgate / h2load, and the client's and
# the target's CPU per request. The target shares the cores with the client: compare
# ratios, not absolutes.
set -euo pipefail

BUILD=${1:?usage: $0 BUILD_DIR [DURATION_S] [CONNECTIONS] [STREAMS] [THREADS]}
DUR=${2:-5}
CONNS=${3:-2}
STREAMS=${4:-32}
THREADS=${5:-$CONNS}
ROUNDS=${ROUNDS:-3}
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

# Warm the target up with a discarded run, then alternate the tools (alternate.py).
h2load -c "$CONNS" -m "$STREAMS" -t "$THREADS" -D 2 "$URL" >/dev/null
echo "== h2c saturation: ${DUR}s x $ROUNDS rounds, $CONNS connections x $STREAMS streams, $THREADS threads, GET $URL"
python3 "$(dirname "$0")/alternate.py" --rounds "$ROUNDS" --target-pid "$TPID" \
  --tool leakgate leakgate "exec $LEAKGATE load $URL --protocol h2c --connections $CONNS --streams $STREAMS --concurrency $((CONNS * STREAMS)) --threads $THREADS --duration ${DUR}s --json" \
  --tool h2load h2load "exec h2load -c $CONNS -m $STREAMS -t $THREADS -D $DUR $URL"
