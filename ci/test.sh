#!/usr/bin/env bash
# shellcheck disable=SC2317 # the stages are functions, called through `stage`
# test.sh - every test, in stages: unit and end-to-end on a plain build with -Werror, the same
# under AddressSanitizer + UndefinedBehaviorSanitizer, the verdict timing tests again with load
# on every core, the CLI paths under valgrind, and the .deb installed on a fresh Debian 12 root. Every stage runs and reports even when an earlier
# one failed; the exit status is non-zero when any did.
# This is the README's second command and what .ci/run calls.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/ci/setup.sh" --tests || { echo "test.sh: ci/setup.sh --tests failed" >&2; exit 3; }
jobs=$(nproc)
logs=$(mktemp -d "${TMPDIR:-/tmp}/perfgate-test.XXXXXX")
trap 'rm -rf "$logs"' EXIT

results=() total_pass=0 total_fail=0 any_failed=0
# stage NAME COMMAND... : run one stage, keep its output, add up its test counts.
stage() {
  local name=$1
  shift
  echo "== $name"
  SECONDS=0
  "$@" 2>&1 | tee "$logs/stage.log"
  local rc=${PIPESTATUS[0]} passed=0 failed=0 line
  # ctest: "97% tests passed, 1 tests failed out of 36"; our scripts: "N passed, N failed".
  line=$(grep -E 'tests failed out of [0-9]+' "$logs/stage.log" | tail -n 1)
  if [[ -n $line ]]; then
    failed=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")
    passed=$(($(sed -E 's/.* tests failed out of ([0-9]+).*/\1/' <<<"$line") - failed))
  else
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$logs/stage.log" | tail -n 1)
    if [[ -n $line ]]; then
      passed=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line")
      failed=$(sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")
    fi
  fi
  if ((rc != 0 && failed == 0)); then
    failed=1 # it broke before counting (a build error): one failure, not a pass
  fi
  total_pass=$((total_pass + passed))
  total_fail=$((total_fail + failed))
  local verdict=ok
  if ((rc != 0)); then
    verdict="FAILED (exit $rc)"
    any_failed=1
  fi
  results+=("$(printf '%-44s %-16s %4d passed, %d failed, %ds' "$name" "$verdict" "$passed" "$failed" "$SECONDS")")
}

plain() {
  "$here/ci/build.sh" "$here/build" -DPG_WERROR=ON -DPG_TESTS=ON &&
    (cd "$here/build" && ctest --output-on-failure -j"$jobs")
}
sanitized() {
  "$here/ci/build.sh" "$here/build-asan" -DPG_WERROR=ON -DPG_TESTS=ON -DPG_SANITIZE=ON &&
    # Timing tests belong to the plain build: sanitizers slow perfgate, not what it measures,
    # but the margins are for the plain build.
    (cd "$here/build-asan" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      ctest --output-on-failure -j"$jobs" -E '^e2e\.timing_')
}

stage "plain build (-Werror), unit + e2e" plain
stage "AddressSanitizer + UndefinedBehaviorSanitizer" sanitized
# The design's promise on a busy machine: A/A never fails, a big regression never passes
# silently, with CPU and memory load on every core (tests/bench/load.sh).
# 12 trials per condition here, 20 in the plain stage: every trial still asserts the promise,
# and the stage keeps CI under 20 minutes.
under_load() {
  (cd "$here/build" && PG_TRIALS=12 "$here/tests/bench/load.sh" -- ctest --output-on-failure -R '^e2e\.timing_(decision|ab)$')
}
stage "verdicts under load on every core" under_load
stage "valgrind on the CLI paths" "$here/tests/valgrind.sh" "$here/build"
stage ".deb on a fresh Debian 12 root" "$here/tests/package/deb_install.sh" "$here/build"

echo
echo "== summary"
printf '%s\n' "${results[@]}"
echo "tests: $total_pass passed, $total_fail failed"
exit $any_failed
