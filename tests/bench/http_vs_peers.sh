#!/usr/bin/env bash
# leakgate's HTTP engine against wrk, h2load (-p http/1.1) and vegeta on the same target.
#
#   [ROUNDS=3] tests/bench/http_vs_peers.sh BUILD_DIR [DURATION_S] [CONNECTIONS] [THREADS]
#
# Builds nothing: BUILD_DIR must hold bin/leakgate and examples/go-targets/leaky. Starts the
# Go target on a free loopback port and, in turn, drives GET /hello with each generator at
# equal connections and threads:
#   1. saturation (closed loop), ROUNDS times in alternating order (tests/bench/alternate.py):
#      the median requests/s ratio leakgate / each peer, generator and target CPU per
#      request, generator peak RSS;
#   2. a fixed rate of half of leakgate's saturation rate: achieved-rate error (%) and p99
#      (leakgate, vegeta, wrk has no fixed rate; h2load's -r is per-second connection
#      batches, so it is left out);
#   3. leakgate's RSS with 10,000 open keep-alive connections (closed model, 10,000 users
#      at a slow endpoint).
# Prints the raw numbers and the ratios leakgate / each peer. Needs /usr/bin/time.
# vegeta is looked up on PATH, then in $VEGETA (install: GOBIN=DIR go install
# github.com/tsenart/vegeta/v12@latest); it is skipped when missing.
set -euo pipefail

BUILD=${1:?usage: $0 BUILD_DIR [DURATION_S] [CONNECTIONS] [THREADS]}
DUR=${2:-5}
CONNS=${3:-64}
THREADS=${4:-2}
ROUNDS=${ROUNDS:-3}
LEAKGATE=$BUILD/bin/leakgate
TARGET=$BUILD/examples/go-targets/leaky
VEGETA=${VEGETA:-$(command -v vegeta || true)}
WORK=$(mktemp -d)
trap 'kill $TPID 2>/dev/null || true; rm -rf "$WORK"' EXIT

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
source "$(dirname "$0")/lib.sh"
launch() {
  PORT=$(free_ports 1)
  "$TARGET" -addr 127.0.0.1:$PORT -mode fixed 2>"$WORK/target.log" &
  TPID=$!
}
ready() { curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; }
start_target launch ready
URL=http://127.0.0.1:$PORT/hello
# Warm the target up (heap, GC pacing, goroutine stacks) with a discarded run, so that the
# generator measured first does not pay for the target's start.
wrk -c "$CONNS" -t "$THREADS" -d 2s "$URL" >/dev/null

# timed NAME CMD...: runs CMD under /usr/bin/time; leaves "cpu_s rss_kb" in $WORK/NAME.time
timed() {
  local name=$1; shift
  /usr/bin/time -f '%U %S %M' -o "$WORK/$name.rawtime" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
  awk '{printf "%.3f %d\n", $1+$2, $3}' "$WORK/$name.rawtime" >"$WORK/$name.time"
}
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/b:.2f}x' if b else 'n/a')" "$1" "$2"; }

echo "== saturation: ${DUR}s x $ROUNDS rounds, $CONNS connections, $THREADS threads, GET $URL"
VEGETA_TOOL=()
if [[ -n "$VEGETA" ]]; then
  # vegeta has no closed loop: -rate=0 with -max-workers=CONNS is its saturation mode.
  VEGETA_TOOL=(--tool vegeta vegeta "echo 'GET $URL' | '$VEGETA' attack -rate=0 -max-workers=$CONNS -workers=$CONNS -connections=$CONNS -duration=${DUR}s | '$VEGETA' report -type=json")
else
  echo "vegeta: not found (set VEGETA=/path/to/vegeta); skipped"
fi
python3 "$(dirname "$0")/alternate.py" --rounds "$ROUNDS" --target-pid "$TPID" \
  --tool leakgate leakgate "exec $LEAKGATE load $URL --concurrency $CONNS --threads $THREADS --duration ${DUR}s --json" \
  --tool wrk wrk "exec wrk -c $CONNS -t $THREADS -d ${DUR}s $URL" \
  --tool h2load h2load "exec h2load -p http/1.1 -c $CONNS -t $THREADS -D $DUR $URL" \
  "${VEGETA_TOOL[@]}" | tee "$WORK/saturation.txt"
LG_RPS=$(awk '$1 == "leakgate" && $2 ~ /^[0-9]+$/ {print $2}' "$WORK/saturation.txt")

HALF=$(python3 -c "print(int($LG_RPS / 2))")
echo "== fixed rate: $HALF req/s (half of leakgate's saturation) for ${DUR}s"
"$LEAKGATE" load "$URL" --rate "$HALF" --connections "$CONNS" --threads "$THREADS" --duration "${DUR}s" --json >"$WORK/lg-rate.json"
python3 - "$WORK/lg-rate.json" "$HALF" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); asked = float(sys.argv[2])
got = (j["ok"] + j["errors"]) / j["duration_s"]
print(f"leakgate  achieved {got:.0f}/s, error {100 * (got - asked) / asked:+.2f}%, p99 {j['latency_ms']['p99']:.3f} ms, late {j['late']}")
PY
if [[ -n "$VEGETA" ]]; then
  echo "GET $URL" | "$VEGETA" attack -rate="$HALF" -connections="$CONNS" -workers="$CONNS" -duration="${DUR}s" >"$WORK/vegeta-rate.bin"
  "$VEGETA" report -type=json "$WORK/vegeta-rate.bin" >"$WORK/vegeta-rate.json"
  python3 - "$WORK/vegeta-rate.json" "$HALF" "$WORK/lg-rate.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1])); asked = float(sys.argv[2]); lg = json.load(open(sys.argv[3]))
got = v["throughput"]; p99 = v["latencies"]["99th"] / 1e6
print(f"vegeta    achieved {got:.0f}/s, error {100 * (got - asked) / asked:+.2f}%, p99 {p99:.3f} ms")
print(f"leakgate/vegeta p99: {lg['latency_ms']['p99'] / p99:.2f}x")
PY
fi

echo "== leakgate RSS with 10,000 open keep-alive connections"
SLOW=http://127.0.0.1:$PORT/slow?ms=2000
timed lg10k "$LEAKGATE" load "$SLOW" --concurrency 10000 --threads "$THREADS" --duration 3s --timeout 10s --json
read -r _ rss10k <"$WORK/lg10k.time"
python3 - "$WORK/lg10k.out" "$rss10k" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
print(f"leakgate  {j['connections']} connections opened, {j['ok']} ok, {j['errors']} errors, peak RSS {int(sys.argv[2]) / 1024:.1f} MiB")
PY
