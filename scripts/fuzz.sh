#!/usr/bin/env bash
# The long fuzzing run: builds everything (scripts/setup.sh, fuzz targets included), then runs
# each fuzz target for SECONDS (default 600), two at a time, growing build/fuzz/corpus/<target>.
# Logs go to build/fuzz/logs/<target>.log; the last line of each says runs and coverage.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NST_FUZZ=ON "$root/scripts/setup.sh"
build="${NST_BUILD_DIR:-$root/build}/fuzz"
seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_image_decode fuzz_safetensors_file fuzz_header_json fuzz_download_assembler)
mkdir -p "$build/logs"
status=0
run() {
  if "$root/tests/fuzz/run_fuzzer.sh" "$build" "$1" "$seconds" > "$build/logs/$1.log" 2>&1; then
    echo "$1: $(grep -E '^#[0-9]+' "$build/logs/$1.log" | tail -1)"
  else
    echo "$1: FOUND SOMETHING (see $build/logs/$1.log and $build/crashes/)"; return 1
  fi
}
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  pids=()
  for t in "${targets[@]:i:2}"; do run "$t" & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || status=1; done
done
exit $status
