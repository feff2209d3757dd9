#!/usr/bin/env bash
# timing_decision.sh - the gate decides right on a controlled workload, trial after trial:
# +25 % never passes silently (fail, or inconclusive where the environment probe saw the runner
# move), and fails in most trials (on a machine without tests/bench/load.sh's load); 0 % and +3 % (under the 10 % threshold) pass, at most one of 20 the
# other way. That one is the design's known weak spot, not slack: the base here is a stored
# result measured before the head, and against a shift of the runner between the two only the
# threshold and --confirm protect (DESIGN, "Statistics and the verdict"; CI once saw a burst
# cover a head run and its confirmation). Same-runner A/B (timing_ab.sh) never passes +25 %
# silently and fails it in all trials but at most one.
# Run alone (ctest RUN_SERIAL): the margins are for a machine that is not busy with other work.
source "$(dirname "$0")/lib.bash"

# About 25 ms of work per run against about 2 ms of starting a process: with 5 million rounds
# (10 ms) the start, whose cost wanders with the machine, was a sixth of each run, and +25 % of
# work measured anywhere from +10 % to +32 % against a base from a few seconds before.
gates() { # gates FILE SLOWDOWN
  cat >"$1" <<JSON
{"schema": "perfgate-gates/1", "defaults": {"runs": 10, "warmup": 1},
 "benchmarks": [{"name": "workload", "command": ["$WORKLOAD", "--work", "12", "--slowdown", "$2"]}]}
JSON
}
gates g0.json 0
gates g3.json 3
gates g25.json 25

trials=${PG_TRIALS:-20} # ci/test.sh runs fewer beside load.sh (the promise is asserted in each)
for slowdown in 0 3 25; do
  passed=0 failed=0 other=0 silent=0
  for t in $(seq $trials); do
    "$PERFGATE" run -q -c g0.json -o base.json || fail "base run failed"
    # check measures the head and, when it looks regressed, measures it again (--confirm 1).
    "$PERFGATE" check -q -c "g$slowdown.json" --base base.json --format json=verdict.json
    status=$?
    case $status in
      0)
        passed=$((passed + 1))
        [[ $(jq -r .verdict verdict.json) == pass ]] && silent=$((silent + 1))
        ;;
      1) failed=$((failed + 1)) ;;
      *) other=$((other + 1)) ;;
    esac
    # A miss (0 and +3 % failing, +25 % passing) prints what decided it.
    if [[ ($slowdown -lt 10 && $status -ne 0) || ($slowdown -ge 10 && $status -eq 0) ]]; then
      echo "  trial $t: exit $status, verdict $(jq -r .verdict verdict.json)"
      jq -r '.metrics[] | "    \(.metric): \(.verdict) change \(.change) p \(.p) base \(.base) head \(.head) \(.note // "")"' verdict.json
      jq -r '"    probe: \(.probe.text // .probe // "none")"' verdict.json
    fi
    if [[ $t -eq 1 ]]; then
      echo "  +$slowdown %: first trial change $(jq '.metrics[0].change' verdict.json), p $(jq '.metrics[0].p' verdict.json)"
    fi
  done
  echo "+$slowdown %: $passed passed ($silent of them a plain pass), $failed failed, $other errors of $trials trials" \
    "(load average $(cut -d' ' -f1-3 /proc/loadavg))"
  if [[ $slowdown -eq 25 ]]; then
    check "+25 % never passes silently ($silent of $trials trials did)" test "$silent" -eq 0
    if [[ -n ${PERFGATE_UNDER_LOAD:-} ]]; then
      # Beside load on every core a whole run shifts by as much as +25 % (wall and CPU time
      # alike: +19 % CPU time seen in A/A), so against a base measured at another time the
      # honest answer is inconclusive; same-runner A/B (timing_ab.sh) still fails it.
      echo "under load ($PERFGATE_UNDER_LOAD): +25 % is not required to fail here, only never to pass silently"
    else
      check "+25 % fails in most trials ($failed of $trials)" test "$failed" -ge $((trials / 2))
    fi
  else
    check_trials "+$slowdown % passes" "$passed" "$trials"
  fi
done
finish
