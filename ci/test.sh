#!/usr/bin/env bash
# test.sh - every test: unit and end-to-end, on a plain build with -Werror and again under
# AddressSanitizer + UndefinedBehaviorSanitizer, then the CLI paths under valgrind.
# This is the README's second command and what .ci/run calls.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/ci/setup.sh" --tests
jobs=$(nproc)

echo "== plain build (-Werror)"
"$here/ci/build.sh" "$here/build" -DPG_WERROR=ON
(cd "$here/build" && ctest --output-on-failure -j"$jobs")

echo "== AddressSanitizer + UndefinedBehaviorSanitizer"
"$here/ci/build.sh" "$here/build-asan" -DPG_WERROR=ON -DPG_SANITIZE=ON
# Timing tests belong to the plain build: sanitizers slow perfgate, not what it measures,
# but the margins are for the plain build.
(cd "$here/build-asan" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j"$jobs" -E '^e2e\.timing_')

echo "== valgrind on the CLI paths"
"$here/tests/valgrind.sh" "$here/build"
