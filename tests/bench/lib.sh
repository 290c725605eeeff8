# Shared by the bench scripts (sourced): loopback ports and starting the Go target.

# free_ports N: N distinct free loopback ports, chosen while all N are held open (separate
# picks may return the same port twice).
free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

# start_target LAUNCH READY: calls the shell function LAUNCH (it picks its ports with
# free_ports, starts the target in the background and sets TPID) until the function READY
# succeeds, at most 5 times: a port free when picked can be taken again (a lingering socket
# of an earlier run, another process) before the target binds it, and then the target exits.
start_target() {
  local launch=$1 ready=$2 attempt
  for attempt in 1 2 3 4 5; do
    "$launch"
    for _ in $(seq 200); do
      "$ready" && return 0
      kill -0 "$TPID" 2>/dev/null || break
      sleep 0.05
    done
    kill "$TPID" 2>/dev/null || true
    wait "$TPID" 2>/dev/null || true
    echo "target did not start (attempt $attempt): $(tail -n 1 "$WORK/target.log" 2>/dev/null)" >&2
  done
  return 1
}
