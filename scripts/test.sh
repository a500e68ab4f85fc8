#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh) and runs the whole test suite with CTest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
build="${NST_BUILD_DIR:-$root/build}"
cd "$build"
status=0
ctest --output-on-failure -j "${NST_TEST_JOBS:-2}" "$@" || status=$?
if [ "$status" -ne 0 ] && [ -s Testing/Temporary/LastTestsFailed.log ]; then
    # With -j2 each failure's output sits in the middle of the log: repeat what each failed test
    # said about why, last, where a reader of the log's tail finds it.
    echo "==== why the failing tests failed (from Testing/Temporary/LastTest.log) ===="
    while IFS=: read -r _ name; do
        echo "---- $name"
        awk -v t="$name" '/^[0-9]+\/[0-9]+ Testing: / {cur = $3} cur == t' Testing/Temporary/LastTest.log |
            grep -E "FAIL|Failure|Expected|Which is|Value of|Actual|rror|rel |Timeout" | head -25 || true
    done < Testing/Temporary/LastTestsFailed.log
fi
exit "$status"
