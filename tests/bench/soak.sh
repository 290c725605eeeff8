#!/usr/bin/env bash
# Soak: leakgate itself over a long run. Not part of `make test` (10 minutes by default).
#
#   tests/bench/soak.sh BUILD_DIR [DURATION] [RATE]
#
# Runs `leakgate run` against the example target (fixed mode, GET /hello plus the class-1
# endpoint with client cancels) with ONE load phase of DURATION (default 10m) at RATE
# requests/s (default 500), the background sampler on, and reads leakgate's own
# /proc/PID/status VmRSS and its open fd count every 10 s. Prints the first and last
# readings and the ratio: flat is the goal (the engine's memory is fixed whatever the
# phase length: per-worker histograms and one pending timeline second per worker).
# Then the same with a 10 s phase, to compare peak RSS of a short and a long phase.
set -euo pipefail

BUILD=${1:?usage: $0 BUILD_DIR [DURATION] [RATE]}
DURATION=${2:-10m}
RATE=${3:-500}
LEAKGATE=$BUILD/bin/leakgate
TARGET=$BUILD/examples/go-targets/leaky
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cat >"$WORK/soak.yaml" <<YAML
name: soak
vars: {load: 10m, rate: "500"}
target:
  command: ["$TARGET", -addr, "127.0.0.1:\${port}", -mode, fixed]
probe: {pprof: /debug/pprof, interval: 1s}
traffic:
  - {name: hello, path: /hello, weight: 3}
  - {name: cancelled, path: "/leak/blocked-send?work=20", weight: 1}
phases:
  - {name: warmup, duration: 2s, rate: 50}
  - name: load
    duration: "\${load}"
    rate: "\${rate}"
    faults:
      - cancel: {after: 5ms, probability: 0.5, traffic: [cancelled]}
assert:
  settle: 10s
  goroutines: {tolerance: 10}
YAML

# soak DURATION LABEL: runs one soak, sampling leakgate's RSS and fds every 10 s.
soak() {
  local duration=$1 label=$2
  "$LEAKGATE" run "$WORK/soak.yaml" --var load="$duration" --var rate="$RATE" --quiet --out "$WORK/out-$label" \
    >"$WORK/$label.out" 2>&1 &
  local pid=$! samples="$WORK/$label.samples"
  : >"$samples"
  while kill -0 "$pid" 2>/dev/null; do
    if [[ -r /proc/$pid/status ]]; then
      local rss fds
      rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
      fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l || true)
      [[ -n $rss ]] && echo "$(date +%s) $rss $fds" >>"$samples"
    fi
    sleep 10
  done
  wait "$pid" || true
  local first last peak
  first=$(head -n 2 "$samples" | tail -n 1)   # after start-up
  last=$(tail -n 2 "$samples" | head -n 1)    # before the settle ends
  peak=$(awk 'BEGIN {m = 0} {if ($2 > m) m = $2} END {print m}' "$samples")
  echo "== $label ($duration at $RATE req/s): $(wc -l <"$samples") readings"
  echo "   RSS  start $(echo "$first" | awk '{print $2}') KiB   end $(echo "$last" | awk '{print $2}') KiB   peak $peak KiB"
  echo "   fds  start $(echo "$first" | awk '{print $3}')   end $(echo "$last" | awk '{print $3}')"
  # Five readings spread over the run (RSS KiB/fds): growth shows as a trend, not a step.
  awk '{r[NR] = $2 "/" $3} END {n = NR; s = "   over the run (RSS KiB/fds):"; for (i = 0; i <= 4; i++) { k = int(1 + i * (n - 1) / 4); s = s " " r[k] } print s}' "$samples"
  python3 - "$WORK/out-$label/result.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
p = [x for x in r["phases"] if x["name"] == "load"][0]
print(f"   verdict {r['verdict']} (exit {r['exit_code']}); load: {p['requests']} requests, {p['ok']} ok, "
      f"{p['errors']} errors, {p['dropped']} dropped, p99 {p['latency_ms']['p99']:.2f} ms")
PY
  echo "$peak" >"$WORK/$label.peak"
}

soak "$DURATION" long
soak 10s short
python3 -c "import sys; a,b=int(sys.argv[1]),int(sys.argv[2]); print(f'peak RSS, long phase / 10 s phase: {a/b:.2f}x')" \
  "$(cat "$WORK/long.peak")" "$(cat "$WORK/short.peak")"
