#!/usr/bin/env bash
# Make the README's pictures of `scsinet view` the way a user would: the
# offscreen snapshot (no display needed) and the live window under Xvfb
# with scripted keys.  Deterministic: the same build gives the same PNGs.
#
# Usage: scripts/screenshots.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
cli=${1:-build}/scsinet
out=docs/img
mkdir -p "$out"

# one command on one bus, the analyser zoomed on it
"$cli" view scenarios/two-hosts-ping.json --snapshot "$out/view-one-command.png" \
  --at 2.0386s --window 340us
# a datagram through a gateway: both buses in the chart, g forwarding
"$cli" view scenarios/course-6-gateway.json --snapshot "$out/view-gateway.png" \
  --at 3.35ms --window 400us --bus right --chart 4ms
# the seed article's 2-D network: a 1052-byte datagram on the backbone
"$cli" view scenarios/seed-2d.json --snapshot "$out/view-seed-2d.png" \
  --at 7.0015s --window 800us --bus backbone --chart 20ms
# a parity error: the checker's finding in red
"$cli" view scenarios/course-4-parity.json --snapshot "$out/view-parity.png" \
  --at 11.25ms --window 40us
# the live window, paused, with the help overlay (keys: h)
if command -v xvfb-run >/dev/null 2>&1; then
  SDL_AUDIODRIVER=dummy xvfb-run -a -s '-screen 0 1280x800x24' \
    "$cli" view scenarios/two-hosts-ping.json --at 2.0383s --frames 8 \
    --keys h --dump "$out/view-window-help.png"
fi
ls -l "$out"
