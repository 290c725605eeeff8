#!/usr/bin/env bash
# Runs every libFuzzer target built in BUILD for SECONDS each, JOBS of them at a time
# (default 1), starting from its checked-in seed corpus (tests/fuzz/corpus/<name>, name =
# binary without the fuzz_ prefix). New inputs go to a scratch copy, so the checked-in
# corpus only changes by hand. Each target's lines are printed together when it ends; the
# script fails (after the running ones end) if any target found a crash, with its input.
#   tests/fuzz/run_fuzzers.sh BUILD SECONDS [JOBS]
set -euo pipefail
build=${1:?build dir}
seconds=${2:?seconds per target}
jobs=${3:-1}
here=$(cd "$(dirname "$0")" && pwd)
shopt -s nullglob
fuzzers=("$build"/bin/fuzz_*)
if ((${#fuzzers[@]} == 0)); then
  echo "run_fuzzers: no fuzz targets in $build/bin" >&2
  exit 1
fi
if ! [[ $jobs =~ ^[1-9][0-9]*$ ]]; then
  echo "run_fuzzers: JOBS must be a positive number, got '$jobs'" >&2
  exit 1
fi

# One target; its report on stdout, exit status 1 on a crash.
run_one() {
  local f=$1 name seeds scratch
  name=$(basename "$f")
  seeds="$here/corpus/${name#fuzz_}"
  scratch=$(mktemp -d)
  [[ -d $seeds ]] && cp -r "$seeds"/. "$scratch"/
  echo "fuzz: $name for ${seconds}s (seeds: $(ls "$scratch" | wc -l))"
  if ! "$f" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 -rss_limit_mb=4096 "$scratch" 2>"$scratch.log"; then
    tail -n 60 "$scratch.log"
    echo "fuzz: $name FAILED (crash input above)"
    rm -rf "$scratch"
    return 1
  fi
  grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "$scratch.log" | sed "s/^/  $name /"
  rm -rf "$scratch" "$scratch.log"
}

reports=$(mktemp -d)
trap 'rm -rf "$reports"' EXIT
declare -A report_of  # pid -> its report file
failed=0
running=0
# Waits for one target, prints its report, counts a failure.
reap() {
  local status=0 done_pid
  wait -n -p done_pid || status=$?
  cat "${report_of[$done_pid]}"
  ((status == 0)) || failed=$((failed + 1))
  running=$((running - 1))
}
for i in "${!fuzzers[@]}"; do
  ((running < jobs)) || reap
  run_one "${fuzzers[$i]}" >"$reports/$i" 2>&1 &
  report_of[$!]="$reports/$i"
  running=$((running + 1))
done
while ((running > 0)); do reap; done
if ((failed > 0)); then
  echo "fuzz: $failed target(s) FAILED" >&2
  exit 1
fi
