#!/usr/bin/env bash
# Runs every libFuzzer target built in BUILD for SECONDS each, starting from its checked-in
# seed corpus (tests/fuzz/corpus/<name>, name = binary without the fuzz_ prefix). New
# inputs go to a scratch copy, so the checked-in corpus only changes by hand.
#   tests/fuzz/run_fuzzers.sh BUILD SECONDS
set -euo pipefail
build=${1:?build dir}
seconds=${2:?seconds per target}
here=$(cd "$(dirname "$0")" && pwd)
shopt -s nullglob
fuzzers=("$build"/bin/fuzz_*)
if ((${#fuzzers[@]} == 0)); then
  echo "run_fuzzers: no fuzz targets in $build/bin" >&2
  exit 1
fi
for f in "${fuzzers[@]}"; do
  name=$(basename "$f")
  seeds="$here/corpus/${name#fuzz_}"
  scratch=$(mktemp -d)
  [[ -d $seeds ]] && cp -r "$seeds"/. "$scratch"/
  echo "fuzz: $name for ${seconds}s (seeds: $(ls "$scratch" | wc -l))"
  if ! "$f" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 -rss_limit_mb=4096 "$scratch" 2>"$scratch.log"; then
    tail -n 60 "$scratch.log" >&2
    echo "fuzz: $name FAILED (crash input above)" >&2
    exit 1
  fi
  grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "$scratch.log" | sed "s/^/  $name /"
  rm -rf "$scratch" "$scratch.log"
done
