#!/usr/bin/env bash
# env_probe.sh - the environment probe: recorded by run/check, compared by check/compare, in every report
source "$(dirname "$0")/lib.bash"

# ---- recorded ----
run_pg adhoc 0 run -q -o r.json -- true
check "run records a probe, version 1" jq -e '.probe.version == 1' r.json
check "the probe has CPU and memory parts, before and after, in ms" \
  jq -e '(.probe.cpu_ms | length == 2 and all(. > 0)) and (.probe.mem_ms | length == 2 and all(. > 0))' r.json
check "the probe is compact: three keys" jq -e '.probe | keys == ["cpu_ms", "mem_ms", "version"]' r.json

run_pg no_probe 0 run -q --no-probe -o none.json -- true
check "--no-probe records no probe" jq -e 'has("probe") | not' none.json

cat >off.json <<JSON
{"schema": "perfgate-gates/1", "defaults": {"probe": false, "runs": 2},
 "benchmarks": [{"name": "t", "command": ["true"]}]}
JSON
run_pg gates_off 0 run -c off.json -q -o off_r.json
check "defaults probe: false records no probe" jq -e 'has("probe") | not' off_r.json

echo hello >file.bin
cat >size.json <<JSON
{"schema": "perfgate-gates/1", "benchmarks": [{"name": "bin", "kind": "size", "files": ["file.bin"]}]}
JSON
run_pg size_only 0 run -c size.json -q -o size_r.json
check "a run that times nothing takes no probe" jq -e 'has("probe") | not' size_r.json

# ---- a baseline measured on a faster runner ----
# Deterministic by construction: the base is the head's own run with its probe and its wall
# samples scaled by 0.7, as a runner 30 % faster would have measured the same code.
cat >gates.json <<JSON
{"schema": "perfgate-gates/1", "defaults": {"runs": 12, "warmup": 1},
 "benchmarks": [{"name": "nap", "command": ["sleep", "0.03"]}]}
JSON
cat >norm.json <<JSON
{"schema": "perfgate-gates/1", "defaults": {"runs": 12, "warmup": 1},
 "benchmarks": [{"name": "nap", "command": ["sleep", "0.03"], "normalize": "probe"}]}
JSON
run_pg head 0 run -c gates.json -q -o measured.json
# The head's probe as a steady runner would give it (before and after within 0.5 %), so
# that the files below are exact whatever the load on this machine was a moment ago.
# Its summary goes too: both sides' medians then come from the same stored (nanosecond) samples.
jq '.probe = {"version": 1, "cpu_ms": [40, 40.1], "mem_ms": [60, 60.2]} | del(.benchmarks[0].metrics[0].summary)' \
  measured.json >head.json
faster='.run_id = "00000000-0000-4000-8000-000000000001"
  | .probe.cpu_ms |= map(. * 0.7) | .probe.mem_ms |= map(. * 0.7)
  | .benchmarks[0].metrics[0].samples |= map(. * 0.7)
  | del(.benchmarks[0].metrics[0].summary)'
jq "$faster" head.json >base.json

# check measures the head anew, probe included. The base is the measured run with its wall
# and its probe 0.7 of what this machine gave (a steady probe: no spread of its own).
jq "$faster"' | (.probe.cpu_ms[0] * .probe.cpu_ms[1] | sqrt) as $cpu
  | (.probe.mem_ms[0] * .probe.mem_ms[1] | sqrt) as $mem
  | .probe = {"version": 1, "cpu_ms": [$cpu, $cpu], "mem_ms": [$mem, $mem]}' measured.json >check_base.json
"$PERFGATE" check -c gates.json --base check_base.json --format json=held.json --format text >check_held.out 2>check_held.err
status=$?
if jq -e '.probe.moved and .probe.ratio > 1' held.json >/dev/null; then
  check "check: wall +~43 % on a slower runner is inconclusive, not a fail (exit 0)" test "$status" = 0
  check "check: the held metric's reason names the probe" \
    jq -e '.verdict == "inconclusive" and .metrics[0].verdict == "inconclusive" and (.metrics[0].note | test("slower by the probe"))' held.json
  expect_out check_held '^probe: runner [0-9.]+ % slower by the probe'
else
  # Load on this machine made the head's own probe wander more than the runner moved: then the
  # rule must say so, and the regression stands. Printed, so a reader sees which path ran.
  # Or a load spike made the run that check_base.json was cut from slower than the head's
  # own: then the head's runner is not the slower one, and nothing is held for it.
  echo "note: probe ratio $(jq .probe.ratio held.json), head spread $(jq .probe.head.spread held.json) here: the hold was not exercised by check" >&2
  check "check: a probe that cannot tell says so, or names the runner faster" \
    jq -e '.probe.state == "compared" and (.probe.text | test("within its noise|faster by the probe"))' held.json
fi
check "check: the verdict's probe section compares the two runners" \
  jq -e '.probe.state == "compared" and .probe.ratio > 0' held.json
run_pg check_ignored 1 check -c gates.json --base check_base.json --no-probe -q
expect_err check_ignored 'check failed: 1 regression'

# compare reads both sides from files: exact to the last bit.
run_pg cmp_held 0 compare --base base.json --head head.json --format json=cmp.json
check "compare: the same pair is inconclusive with 'runner 42.9 % slower by the probe'" \
  jq -e '.verdict == "inconclusive" and (.metrics[0].note | test("runner 42.9 % slower by the probe"))' cmp.json
run_pg cmp_norm 0 compare --base base.json --head head.json -c norm.json --format json=norm_v.json
check "normalize: probe: the same pair is unchanged, raw and normalised change both shown" \
  jq -e '.verdict == "pass" and .metrics[0].verdict == "unchanged" and (.metrics[0].change | fabs < 1e-9)
         and (.metrics[0].probe.raw_change > 0.42 and .metrics[0].probe.raw_change < 0.44)
         and (.metrics[0].note | test("raw \\+42.9 %, normalised \\+0.0 %"))' norm_v.json

# Normalised, a real regression on top of the runner still fails: the base half as slow again.
jq '.benchmarks[0].metrics[0].samples |= map(. * 0.7)' base.json >base_slower_code.json
run_pg cmp_norm_real 1 compare --base base_slower_code.json --head head.json -c norm.json --format json=real.json
check "normalize: probe: +43 % beyond the runner's change is still a regression" \
  jq -e '.metrics[0].verdict == "regression" and .metrics[0].probe.normalized' real.json

# ---- every report format states the probe ----
for f in markdown junit signoff; do
  run_pg "fmt_$f" 0 compare --base base.json --head head.json --format "$f"
  expect_out "fmt_$f" 'runner 42\.9 % slower by the probe'
done
GITHUB_OUTPUT="$T/gh_out" run_pg fmt_github 0 compare --base base.json --head head.json --format github
expect_out fmt_github '^::notice title=perfgate::runner 42\.9 %25 slower by the probe'
check "github outputs carry the probe's change" grep -q '^probe_change=0.4286$' gh_out
expect_out fmt_junit '<property name="perfgate.probe" value="runner 42\.9 % slower'

# ---- a side without a probe: a named warning, never a silent pass ----
jq 'del(.probe)' base.json >old_base.json
run_pg old_base 1 compare --base old_base.json --head head.json --format json=old.json --format text
check "an old baseline without a probe is a named warning" \
  jq -e '.warnings | any(test("baseline \\(file old_base.json\\) has no environment probe: runner changes cannot be told from regressions"))' old.json
check "without a probe the measured regression stands" jq -e '.verdict == "fail" and .probe.state == "missing"' old.json
expect_out old_base 'probe: environment probe: the baseline has none'

# ---- bad input ----
jq '.probe.cpu_ms = [1]' base.json >bad_probe.json
run_pg bad_probe 2 compare --base bad_probe.json --head head.json
expect_err bad_probe 'bad_probe.json: \$\.probe\.cpu_ms: expected \[before, after\]'
sed 's/"normalize": "probe"/"normalize": "cpu"/' norm.json >bad_norm.json
run_pg bad_norm 2 run -c bad_norm.json
expect_err bad_norm 'bad_norm.json: \$\.benchmarks\[0\]\.normalize: expected "probe" or "none", found "cpu"'

finish
