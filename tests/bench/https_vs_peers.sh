#!/usr/bin/env bash
# leakgate's HTTPS (HTTP/1.1 over TLS) load against wrk on the same TLS target.
#
#   [ROUNDS=3] tests/bench/https_vs_peers.sh BUILD_DIR [DURATION_S] [CONNECTIONS] [THREADS]
#
# Makes throwaway certificates with the openssl command line (a CA and a server
# certificate for 127.0.0.1, in a temp dir removed at exit), starts
# BUILD_DIR/examples/go-targets/leaky with its TLS listener on free loopback ports and
# drives GET /hello at equal connections and threads:
#   1. keep-alive saturation (closed loop), ROUNDS times in alternating order
#      (tests/bench/alternate.py): the median requests/s ratio, generator and target CPU
#      per request;
#   2. a new connection per request (leakgate --per-request; wrk with "Connection: close",
#      which makes wrk reconnect after every response): requests/s = handshakes/s, and the
#      server's own count of completed handshakes (its "tls" expvar) as a cross-check;
#   3. the same with leakgate --tls-resume: handshakes/s when the server resumes the
#      session, and its own count of resumed ones. wrk resumes on its reconnections (the
#      server's count says so), so this, not 2., is the handshake ratio against wrk.
# Prints raw numbers and the ratios leakgate / wrk. The target shares the cores with the
# generator: compare ratios, not absolutes. Needs /usr/bin/time, openssl, wrk, curl.
set -euo pipefail

BUILD=${1:?usage: $0 BUILD_DIR [DURATION_S] [CONNECTIONS] [THREADS]}
DUR=${2:-5}
CONNS=${3:-64}
THREADS=${4:-2}
ROUNDS=${ROUNDS:-3}
LEAKGATE=$BUILD/bin/leakgate
TARGET=$BUILD/examples/go-targets/leaky
WORK=$(mktemp -d)
TPID=
trap '[[ -n $TPID ]] && kill $TPID 2>/dev/null; rm -rf "$WORK"' EXIT

# Certificates: a CA and a server certificate it signs for 127.0.0.1.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$WORK/ca.key" -out "$WORK/ca.pem" \
  -days 1 -subj "/CN=bench CA" -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$WORK/server.key" -out "$WORK/server.csr" \
  -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$WORK/server.ext"
openssl x509 -req -in "$WORK/server.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -CAcreateserial \
  -out "$WORK/server.pem" -days 1 -extfile "$WORK/server.ext" 2>/dev/null

source "$(dirname "$0")/lib.sh"
launch() {
  read -r PORT TLS_PORT < <(free_ports 2)
  "$TARGET" -addr 127.0.0.1:$PORT -mode fixed -tls-addr 127.0.0.1:$TLS_PORT \
    -tls-cert "$WORK/server.pem" -tls-key "$WORK/server.key" 2>"$WORK/target.log" &
  TPID=$!
}
ready() { curl -fs --cacert "$WORK/ca.pem" "https://127.0.0.1:$TLS_PORT/healthz" >/dev/null 2>&1; }
start_target launch ready
URL=https://127.0.0.1:$TLS_PORT/hello

timed() {
  local name=$1; shift
  /usr/bin/time -f '%U %S %M' -o "$WORK/$name.rawtime" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
  awk '{printf "%.3f\n", $1+$2}' "$WORK/$name.rawtime" >"$WORK/$name.cpu"
}
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/b:.2f}x' if b else 'n/a')" "$1" "$2"; }
lg_field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
server_tls() { curl -fs "http://127.0.0.1:$PORT/debug/vars" | python3 -c "import json,sys; print(json.load(sys.stdin)['tls']['$1'])"; }
server_handshakes() { server_tls handshakes; }
per100k() { python3 -c "import sys; print(f'{float(sys.argv[1]) / max(float(sys.argv[2]), 1) * 100000:.3f}')" "$1" "$2"; }

# Warm the target up with a discarded run, then alternate the tools (alternate.py).
wrk -c "$CONNS" -t "$THREADS" -d 2s "$URL" >/dev/null
echo "== https keep-alive saturation: ${DUR}s x $ROUNDS rounds, $CONNS connections, $THREADS threads, GET $URL"
python3 "$(dirname "$0")/alternate.py" --rounds "$ROUNDS" --target-pid "$TPID" \
  --tool leakgate leakgate "exec $LEAKGATE load $URL --tls-ca $WORK/ca.pem --concurrency $CONNS --threads $THREADS --duration ${DUR}s --json" \
  --tool wrk wrk "exec wrk -c $CONNS -t $THREADS -d ${DUR}s $URL"

echo "== a TLS handshake per request: ${DUR}s, $CONNS connections, $THREADS threads"
H0=$(server_handshakes)
timed lgpr "$LEAKGATE" load "$URL" --tls-ca "$WORK/ca.pem" --per-request --concurrency "$CONNS" --threads "$THREADS" --duration "${DUR}s" --json
H1=$(server_handshakes); R1=$(server_tls resumed)
timed wrkpr wrk -c "$CONNS" -t "$THREADS" -d "${DUR}s" -H "Connection: close" "$URL"
H2=$(server_handshakes); R2=$(server_tls resumed)
LG_HS=$(python3 -c "print($(lg_field "$WORK/lgpr.out" tls_handshakes) / $DUR)")
WRK_HS=$(python3 -c "print(($H2 - $H1) / $DUR)")
printf 'leakgate %10.0f handshakes/s (server counted %d, leakgate %d), %10.0f req/s\n' "$LG_HS" "$((H1 - H0))" \
  "$(lg_field "$WORK/lgpr.out" tls_handshakes)" "$(lg_field "$WORK/lgpr.out" rps)"
printf 'wrk      %10.0f handshakes/s (server counted %d, %d resumed), %10.0f req/s\n' "$WRK_HS" "$((H2 - H1))" \
  "$((R2 - R1))" \
  "$(awk '/Requests\/sec/ {print $2}' "$WORK/wrkpr.out")"
echo "(wrk resumes the TLS session on its reconnections, leakgate here does full handshakes: no ratio)"

echo "== a resumed TLS session per request (leakgate --tls-resume): ${DUR}s, $CONNS connections, $THREADS threads"
H3=$(server_handshakes); R3=$(server_tls resumed)
timed lgrs "$LEAKGATE" load "$URL" --tls-ca "$WORK/ca.pem" --per-request --tls-resume --concurrency "$CONNS" \
  --threads "$THREADS" --duration "${DUR}s" --json
H4=$(server_handshakes); R4=$(server_tls resumed)
LG_RS=$(python3 -c "print($(lg_field "$WORK/lgrs.out" tls_handshakes) / $DUR)")
printf 'leakgate %10.0f handshakes/s, %d resumed (server counted %d of %d), %10.0f req/s\n' "$LG_RS" \
  "$(lg_field "$WORK/lgrs.out" tls_resumed)" "$((R4 - R3))" "$((H4 - H3))" "$(lg_field "$WORK/lgrs.out" rps)"
echo "leakgate resumed / full handshakes/s: $(ratio "$LG_RS" "$LG_HS")"
echo "leakgate/wrk handshakes/s, both resuming: $(ratio "$LG_RS" "$WRK_HS")"
