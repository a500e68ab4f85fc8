#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh) and runs the main job on the bundled samples:
# the live viewer when a display is present, otherwise `nst` writing output.jpg.
# Extra arguments go to the program, e.g. scripts/run.sh --size 384 --steps 400
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
build="${NST_BUILD_DIR:-$root/build}"
if { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; } && [ -x "$build/nst-viewer" ]; then
  exec "$build/nst-viewer" --content "$root/assets/content.jpg" --style "$root/assets/style.jpg" "$@"
fi
exec "$build/nst" --content "$root/assets/content.jpg" --style "$root/assets/style.jpg" --output output.jpg "$@"
