#!/usr/bin/env bash
# Runs one fuzz target for a bounded time: its generated seeds plus the corpus it has grown in this
# build folder, with ASan/UBSan. Exits non-zero (and keeps the crashing input in
# FUZZ_BUILD/crashes/) when anything is found.
#   run_fuzzer.sh FUZZ_BUILD TARGET SECONDS [extra libFuzzer flags]
set -euo pipefail
build="$1" target="$2" seconds="$3"
# Inputs that once failed (tests/fuzz/regressions/TARGET/), replayed by every run.
regressions="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/regressions/$target"
shift 3
corpus="$build/corpus/$target"
mkdir -p "$corpus" "$build/crashes"
# -timeout: one input taking 10 s is a hang; -malloc_limit_mb: one allocation over 1 GiB is a bug
# (every decoder's memory is bounded by a 4 MP declared size in the image target, and the
# weights readers by their limits).
exec "$build/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
  -print_final_stats=1 -artifact_prefix="$build/crashes/$target-" "$@" "$corpus" "$build/seeds/$target" \
  $( [ -d "$regressions" ] && echo "$regressions" )
