#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh) and runs the whole test suite with CTest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
build="${NST_BUILD_DIR:-$root/build}"
cd "$build"
ctest --output-on-failure -j "${NST_TEST_JOBS:-2}" "$@"
