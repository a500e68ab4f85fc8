#!/usr/bin/env bash
# Builds (scripts/setup.sh) and runs the benchmark: the engine's step against the Python reference
# on the same inputs and thread count, in one run. Arguments go to bench/compare.py, e.g.
#   scripts/bench.sh --sizes 256,512 --precision bf16
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh" >&2
build="${NST_BUILD_DIR:-$root/build}"
py="$(grep -E '^NST_PYTHON:' "$build/CMakeCache.txt" | cut -d= -f2-)"
exec "$py" "$root/bench/compare.py" --bench "$build/nst-bench" --python "$py" --json "$build/bench.json" "$@"
