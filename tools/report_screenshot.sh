#!/usr/bin/env bash
# Regenerates reports/report-screenshot.png, the README's picture of report.html, from a
# real run of scenarios/demo.yaml against the bundled leaky Go target, and prints the
# run's summary.md (the README's Markdown sample).
#
#   tools/report_screenshot.sh [BUILD_DIR]      # from the repository root; default build
#
# Needs Debian's chromium (tools/setup.sh). Chromium runs headless with a fresh profile
# and networking features off; it opens only the local report file.
set -euo pipefail
build=${1:-build}
out=$(mktemp -d)
profile=$(mktemp -d)
trap 'rm -rf "$out" "$profile"' EXIT

status=0
"$build/bin/leakgate" run scenarios/demo.yaml --out "$out" --quiet >/dev/null || status=$?
if [[ $status -ne 1 ]]; then
  echo "report_screenshot: expected exit 1 (the demo leaks), got $status" >&2
  exit 1
fi
timeout 120 /usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --disable-extensions \
  --hide-scrollbars --user-data-dir="$profile" --window-size=1400,2000 --force-device-scale-factor=1 \
  --screenshot="$out/report.png" "file://$out/report.html" 2>/dev/null
cp "$out/report.png" reports/report-screenshot.png
echo "report_screenshot: wrote reports/report-screenshot.png ($(stat -c %s reports/report-screenshot.png) bytes)" >&2
cat "$out/summary.md"
