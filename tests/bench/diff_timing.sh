#!/usr/bin/env bash
# Times `leakgate diff` end to end (process start, reading, parsing, grouping, printing)
# on two goroutine?debug=2 dumps of 100,000 goroutines each, built by leakgate_diff_bench
# from the real Go 1.26 fixtures. Prints the best of 5 runs in seconds.
#
#   tests/bench/diff_timing.sh [BUILD_DIR]      (default: build)
set -euo pipefail
build=${1:-build}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$build/bin/leakgate_diff_bench" --write-dumps "$dir"
ls -l "$dir"
best=""
for _ in 1 2 3 4 5; do
  start=$(date +%s.%N)
  status=0
  "$build/bin/leakgate" diff "$dir/before.txt" "$dir/after.txt" > /dev/null || status=$?
  end=$(date +%s.%N)
  [ "$status" -eq 1 ] || { echo "expected exit 1 (groups grew), got $status" >&2; exit 1; }
  t=$(echo "$end - $start" | bc -l)
  if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" -eq 1 ]; then best=$t; fi
done
printf 'leakgate diff, 2 x 100000 goroutines: best of 5 = %.3f s\n' "$best"
