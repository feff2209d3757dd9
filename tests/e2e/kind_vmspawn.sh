#!/usr/bin/env bash
# kind_vmspawn.sh - the vmspawn kind: ready markers, stop signals, skip without KVM, failures, the regression decision
source "$(dirname "$0")/lib.bash"

VM="$PG_BINDIR/perfgate-microvm"
if [[ ! -x $VM ]]; then
  fail "$VM is not built"
  finish
fi

# gates FILE BENCH_JSON... : a gates file with these benchmarks and small defaults
gates() {
  local file=$1 IFS=,
  shift
  printf '{"schema": "perfgate-gates/1", "defaults": {"runs": 3, "warmup": 1, "timeout": "20s"},\n "benchmarks": [%s]}\n' "$*" >"$file"
}

# holds FILTER FILE : the jq FILTER is true of FILE
holds() { jq -e "$1" "$2" >/dev/null; }

gates probe.json '{"name": "probe", "kind": "vmspawn", "command": ["true"]}'
if ! "$PERFGATE" run --list -c probe.json >probe.out 2>probe.err; then
  fail "perfgate run --list: $(head -c 300 probe.err)"
  finish
fi

# Guest rounds for a boot of about MS milliseconds on this machine (the launcher's
# own --self-time, fastest of three), so the tests neither crawl nor vanish in noise.
work_for_ms() {
  local ms=$1 work=20000 spawn
  for _ in 1 2; do
    spawn=$(for _ in 1 2 3; do "$VM" --work "$work" --self-time 2>&1 >/dev/null | jq '.spawn_ms'; done | sort -g | head -n 1)
    [[ -n $spawn ]] || return 1
    work=$(awk -v w="$work" -v s="$spawn" -v ms="$ms" 'BEGIN { w = int(w * ms / (s > 0.01 ? s : 0.01)); print (w < 1 ? 1 : (w > 4000000000 ? 4000000000 : w)) }')
  done
  echo "$work"
}
# The parts that boot the microVM are skipped, with the reason, only where this machine has no
# KVM device at all; a /dev/kvm that does not boot is a failure.
kvm=1
if [[ ! -e /dev/kvm ]]; then
  kvm=0
  echo "skipped (part): no /dev/kvm on this machine: the microVM boot, stop and decision checks do not run"
elif ! "$VM" --work 1 >/dev/null 2>vm.err; then
  fail "perfgate-microvm does not boot here ($(cat vm.err)); /dev/kvm is expected on this machine"
  finish
fi

# --- end to end against perfgate-microvm ---------------------------------------------------
if ((kvm)); then
WORK=$(work_for_ms 20) || WORK=20000
gates vm.json "{\"name\": \"vm\", \"kind\": \"vmspawn\", \"command\": [\"$VM\", \"--work\", \"$WORK\"], \"ready\": {\"match\": \"^ready\$\"}, \"runs\": 5}"
run_pg vm 0 run -c vm.json -o vm.out.json
check "microvm: the benchmark is ok" holds '.benchmarks[0].status == "ok"' vm.out.json
check "microvm: the metrics are spawn, teardown, peak_rss, cpu, cpu_percent, io_read_bytes, io_write_bytes, rss_mean" \
  holds '[.benchmarks[0].metrics[] | [.name, .unit]] == [["spawn","ms"],["teardown","ms"],["peak_rss","bytes"],["cpu","ms"],["cpu_percent","ratio"],["io_read_bytes","bytes"],["io_write_bytes","bytes"],["rss_mean","bytes"]]' vm.out.json
check "microvm: cpu_percent is the launch's (user + sys) / wall, between 0 and the cores" \
  holds '[.benchmarks[0].metrics[] | select(.name == "cpu_percent") | .samples[] | . >= 0 and . <= 4] | all' vm.out.json
# rss_mean is sampled every 10 ms while the launcher runs: a launch done sooner has none.
check "microvm: 5 samples each (the warm-up is not recorded)" \
  holds 'all(.benchmarks[0].metrics[] | select(.name != "rss_mean"); (.samples | length) == 5)' vm.out.json
check "microvm: every spawn > 0, every teardown >= 0, every peak_rss > 0" \
  holds '.benchmarks[0].metrics as $m | ($m[0].samples | all(. > 0)) and ($m[1].samples | all(. >= 0)) and ($m[2].samples | all(. > 0))' vm.out.json
fi

gates skip.json "{\"name\": \"vm\", \"kind\": \"vmspawn\", \"command\": [\"$VM\", \"--kvm-path\", \"/nonexistent\"], \"ready\": {\"match\": \"^ready\$\"}}"
run_pg skip 0 run -c skip.json -o skip.out.json
check "no usable /dev/kvm: the benchmark is skipped, and perfgate exits 0" holds '.benchmarks[0].status == "skipped"' skip.out.json
check "... with the launcher's reason" \
  holds '.benchmarks[0].reason == "skipped: perfgate-microvm: no usable /dev/kvm: No such file or directory"' skip.out.json
check "... and no figures (never faked)" holds '.benchmarks[0].metrics == []' skip.out.json

# --- what spawn and teardown measure (shell launchers with known sleeps) -------------------------
gates timed.json '{"name": "out", "kind": "vmspawn", "command": ["/bin/sh", "-c", "sleep 0.3; echo booted; sleep 0.2"], "ready": {"match": "boot"}, "runs": 2, "warmup": 0}' \
  '{"name": "err", "kind": "vmspawn", "command": ["/bin/sh", "-c", "echo starting >&2; sleep 0.3; echo guest up >&2; sleep 0.2"], "ready": {"stream": "stderr", "match": "^guest up$"}, "runs": 2, "warmup": 0}' \
  '{"name": "exit", "kind": "vmspawn", "command": ["/bin/sh", "-c", "sleep 0.3"], "runs": 2, "warmup": 0}'
run_pg timed 0 run -c timed.json -o timed.out.json
# The marker is seen a little after it is written (later still on a loaded machine):
# spawn is at least the 300 ms sleep, spawn + teardown at least both sleeps.
for b in out err; do
  check "$b: spawn is until the marker line (300-1000 ms)" \
    holds ".benchmarks[] | select(.name == \"$b\") | .metrics[0].samples | all(. >= 300 and . < 1000)" timed.out.json
  check "$b: teardown is from the marker to the exit (100-1000 ms; with spawn at least 500 ms)" \
    holds ".benchmarks[] | select(.name == \"$b\") | [.metrics[0].samples, .metrics[1].samples] | transpose
           | all(.[1] >= 100 and .[1] < 1000 and .[0] + .[1] >= 500)" timed.out.json
done
check "without ready, spawn ends at the exit and teardown is 0" \
  holds '.benchmarks[] | select(.name == "exit") | (.metrics[0].samples | all(. >= 300 and . < 1000)) and (.metrics[1].samples | all(. == 0))' timed.out.json

# --- stop: a signal at the marker ends a launcher that would linger --------------------------
if ((kvm)); then
gates hold.json "{\"name\": \"held\", \"kind\": \"vmspawn\", \"command\": [\"$VM\", \"--work\", \"$WORK\", \"--hold-ms\", \"2000\"], \"ready\": {\"match\": \"^ready\$\"}, \"stop\": \"TERM\", \"runs\": 2, \"warmup\": 0}" \
  "{\"name\": \"lingering\", \"kind\": \"vmspawn\", \"command\": [\"$VM\", \"--work\", \"$WORK\", \"--hold-ms\", \"300\"], \"ready\": {\"match\": \"^ready\$\"}, \"runs\": 1, \"warmup\": 0}"
run_pg hold 0 run -c hold.json -o hold.out.json
check "stop TERM: the launcher killed by our signal is ok" holds '.benchmarks[0].status == "ok"' hold.out.json
check "stop TERM: teardown is short though the launcher would hold 2 s (< 1000 ms)" \
  holds '.benchmarks[0].metrics[1].samples | all(. < 1000)' hold.out.json
check "without stop: teardown includes most of the 300 ms hold" \
  holds '.benchmarks[1].metrics[1].samples | all(. >= 200)' hold.out.json
fi

# --- definitions that are wrong: exit 2, before anything runs -----------------------------------
gates badregex.json '{"name": "vm", "kind": "vmspawn", "command": ["/bin/sh", "-c", "touch ran"], "ready": {"match": "("}}'
run_pg badregex 2 run -c badregex.json
expect_err badregex "benchmark 'vm': ready.match: '\(':"
check "a bad regex is refused before the launcher runs" test ! -e ran
gates badstop.json '{"name": "vm", "kind": "vmspawn", "command": ["true"], "ready": {"match": "x"}, "stop": "STOP"}'
run_pg badstop 2 run -c badstop.json
expect_err badstop "benchmark 'vm': stop: unknown signal \"STOP\""
gates badstream.json '{"name": "vm", "kind": "vmspawn", "command": ["true"], "ready": {"match": "x", "stream": "stdin"}}'
run_pg badstream 2 run -c badstream.json
expect_err badstream "ready.stream: expected \"stdout\" or \"stderr\""
gates stopalone.json '{"name": "vm", "kind": "vmspawn", "command": ["true"], "stop": "TERM"}'
run_pg stopalone 2 run -c stopalone.json
expect_err stopalone "stop: needs a ready marker"

# --- launchers that fail -------------------------------------------------------------------------
gates hang.json "{\"name\": \"vm\", \"kind\": \"vmspawn\", \"command\": [\"$WORKLOAD\", \"--hang\"], \"ready\": {\"match\": \"^ready\$\"}, \"timeout\": \"1s\", \"warmup\": 0}"
run_pg hang 1 run -c hang.json -o hang.out.json
check "no marker within the timeout: timeout" holds '.benchmarks[0].status == "timeout"' hang.out.json
expect_err hang "benchmark 'vm' timed out: run 1: no line matching /\^ready\\$/ on stdout within 1 s"

gates early.json "{\"name\": \"vm\", \"kind\": \"vmspawn\", \"command\": [\"$WORKLOAD\", \"--stderr\", \"guest kernel panic\"], \"ready\": {\"match\": \"^ready\$\"}}"
run_pg early 1 run -c early.json -o early.out.json
check "a launcher that exits before the marker fails, with its stderr" \
  holds '.benchmarks[0].status == "failed" and (.benchmarks[0].reason | test("exited before the ready marker .*guest kernel panic"))' early.out.json

gates after.json '{"name": "vm", "kind": "vmspawn", "command": ["/bin/sh", "-c", "echo ready; echo teardown failed >&2; exit 3"], "ready": {"match": "^ready$"}}'
run_pg after 1 run -c after.json -o after.out.json
check "a non-zero exit after the marker fails" \
  holds '.benchmarks[0].status == "failed" and (.benchmarks[0].reason | test("after the ready marker, the launcher exited with status 3 .*teardown failed"))' after.out.json

# --- the decision: --slowdown 60 against --slowdown 0 is a regression, 0 against 0 is not ---------
if ((!kvm)); then
  finish
fi
if ! "$PERFGATE" help | grep -qE '^  compare '; then
  echo "SKIP (part): verb compare is not registered in this build; the regression decision is not checked"
  finish
fi
# The real boot, no --work: --slowdown stretches the VMM's setup path (about half of the spawn
# here), so +60 % of it is a spawn some 25-30 % longer, clear of the 10 % threshold.
bench() {
  echo "{\"name\": \"$1\", \"kind\": \"vmspawn\", \"runs\": 1, \"warmup\": 0, \"ready\": {\"match\": \"^ready\$\"},
    \"command\": [\"$VM\", \"--slowdown\", \"$2\"]}"
}
# Base, head and base again run in rounds, in rotating order, one launch each, so that
# load from other jobs on this machine falls on every side alike.
gates order0.json "$(bench base 0)" "$(bench head 60)" "$(bench again 0)"
gates order1.json "$(bench head 60)" "$(bench again 0)" "$(bench base 0)"
gates order2.json "$(bench again 0)" "$(bench base 0)" "$(bench head 60)"
ROUNDS=120
for r in $(seq "$ROUNDS"); do
  "$PERFGATE" run -c "order$((r % 3)).json" -q -o "round.$r.json" || fail "decision: round $r did not run"
done
# side NAME : one result set of benchmark NAME's launches in every round, named vm
side() {
  jq -s --arg s "$1" '.[0] as $env | [.[] | .benchmarks[] | select(.name == $s)] as $bs | $env
    | .benchmarks = [$bs[0] | .name = "vm" | .metrics = [range(.metrics | length) as $j | .metrics[$j]
        | .samples = [$bs[].metrics[$j].samples[]] | del(.summary)]]' round.*.json >"$1.json"
}
side base
side head
side again
check "decision: each side has $ROUNDS launches" holds ".benchmarks[0].metrics[0].samples | length == $ROUNDS" head.json
# alpha 0.01: a false alarm of the same against the same is rarer; a 60 % slower setup
# over this many launches is still far beyond it.
gates decide.json "$(bench vm 0)"
sed -i 's/"defaults": {/"defaults": {"alpha": 0.01, /' decide.json
run_pg decide_slow 1 compare -c decide.json --base base.json --head head.json || sed "s/^/    /" decide_slow.out >&2
expect_out decide_slow "spawn .* regression"
run_pg decide_same 0 compare -c decide.json --base base.json --head again.json || sed "s/^/    /" decide_same.out >&2

finish
