#!/usr/bin/env bash
# target_microvm.sh - perfgate-microvm really boots a KVM guest: ready marker, self-timing, slowdown, no-KVM skip
source "$(dirname "$0")/lib.bash"

MICROVM="$PG_BINDIR/perfgate-microvm"

# run_vm NAME ARGS... : run the launcher, keep stdout/stderr in $T/NAME.{out,err}, return its status
run_vm() {
  local name=$1
  shift
  "$MICROVM" "$@" >"$T/$name.out" 2>"$T/$name.err"
}

# Skipped, not failed, where this machine has no KVM to boot.
run_vm probe --work 0
probe=$?
if [[ $probe -eq 77 ]]; then
  echo "skipped: no usable /dev/kvm ($(cat "$T/probe.err"))"
  exit 77
fi

# json_field NAME KEY : KEY of the --self-time line NAME wrote on stderr
json_field() {
  jq -r ".$2" "$T/$1.err"
}

# json_holds NAME EXPR : the --self-time line NAME wrote on stderr satisfies the jq EXPR
json_holds() {
  jq -e "$2" "$T/$1.err" >/dev/null
}

# median_spawn PREFIX : median spawn_ms over $T/PREFIX.*.err
median_spawn() {
  jq -s -r 'map(.spawn_ms) | sort | .[length / 2 | floor]' "$T/$1".*.err
}

# --- a plain run boots, prints exactly "ready", and exits 0
run_vm plain
status=$?
check "a plain run exits 0 (got $status; stderr: $(head -c 300 "$T/plain.err"))" test $status -eq 0
check "stdout is exactly 'ready'" cmp -s "$T/plain.out" <(printf 'ready\n')
check "a plain run writes nothing on stderr" test ! -s "$T/plain.err"

# --- the marker is flushed at the boot, not at exit: it arrives while the VM is held
mkfifo "$T/ready.fifo"
"$MICROVM" --hold-ms 1500 >"$T/ready.fifo" 2>"$T/held.err" &
held=$!
exec 3<"$T/ready.fifo"
line=""
read -r -t 5 line <&3
check "the held run printed 'ready' before exiting (got '$line')" test "$line" = ready
check "the held run is still alive after its marker" kill -0 "$held"
wait "$held"
status=$?
check "the held run exits 0 (got $status)" test $status -eq 0
exec 3<&-

# --- --self-time: one JSON line with consistent times
run_vm timed --self-time
status=$?
check "--self-time run exits 0 (got $status)" test $status -eq 0
check "--self-time writes one line on stderr" test "$(wc -l <"$T/timed.err")" -eq 1
check "spawn_ms > 0 ($(json_field timed spawn_ms))" json_holds timed '.spawn_ms > 0'
check "teardown_ms >= 0" json_holds timed '.teardown_ms >= 0'
check "total_ms >= spawn_ms + teardown_ms" json_holds timed '.total_ms >= .spawn_ms + .teardown_ms'
check "stdout is still exactly 'ready' with --self-time" cmp -s "$T/timed.out" <(printf 'ready\n')

# --- --hold-ms waits after the marker: counted in total_ms, not in spawn_ms or teardown_ms
run_vm hold --self-time --hold-ms 200
status=$?
check "--hold-ms run exits 0 (got $status)" test $status -eq 0
check "--hold-ms 200 adds at least 200 ms after ready" json_holds hold '.total_ms - .spawn_ms - .teardown_ms >= 200'

# --- --slowdown 100 does twice the guest work: honestly slower (median of 5, interleaved)
for i in 1 2 3 4 5; do
  run_vm "slow0.$i" --self-time --slowdown 0 || fail "--slowdown 0 run $i failed: $(head -c 300 "$T/slow0.$i.err")"
  run_vm "slow100.$i" --self-time --slowdown 100 || fail "--slowdown 100 run $i failed: $(head -c 300 "$T/slow100.$i.err")"
done
base=$(median_spawn slow0)
slow=$(median_spawn slow100)
check "--slowdown 100 spawns at least 1.3x slower (median ${slow} ms vs ${base} ms)" \
  awk -v s="$slow" -v b="$base" 'BEGIN { exit !(b > 0 && s >= 1.3 * b) }'

# --- no usable KVM: exit 77 with the reason, never a fake "ready"
run_vm nokvm --kvm-path /nonexistent
status=$?
check "--kvm-path /nonexistent exits 77 (got $status)" test $status -eq 77
check "--kvm-path /nonexistent says why" grep -qx 'perfgate-microvm: no usable /dev/kvm: No such file or directory' "$T/nokvm.err"
check "--kvm-path /nonexistent prints no ready marker" test ! -s "$T/nokvm.out"

# A device that is not KVM (what a bind mount of /dev/null over /dev/kvm looks like).
run_vm notkvm --kvm-path /dev/null
status=$?
check "--kvm-path /dev/null exits 77 (got $status)" test $status -eq 77
check "--kvm-path /dev/null says why" grep -q '^perfgate-microvm: no usable /dev/kvm: ' "$T/notkvm.err"
check "--kvm-path /dev/null prints no ready marker" test ! -s "$T/notkvm.out"

# --- bad usage exits 2 with a message
for args in "--work abc" "--work -1" "--mem 0" "--slowdown x" "--hold-ms" "--bogus" "extra"; do
  # shellcheck disable=SC2086 # the words are the arguments
  run_vm usage $args
  status=$?
  check "'$args' exits 2 (got $status)" test $status -eq 2
  check "'$args' explains on stderr" grep -q '^perfgate-microvm: ' "$T/usage.err"
  check "'$args' prints no ready marker" test ! -s "$T/usage.out"
done

# --- other memory sizes boot too
for mib in 1 1024; do
  run_vm "mem$mib" --mem "$mib"
  status=$?
  check "--mem $mib boots (got $status: $(head -c 300 "$T/mem$mib.err"))" \
    test $status -eq 0 -a "$(cat "$T/mem$mib.out")" = ready
done

# --- 20 runs in a row: nothing leaks from one VM to the next
ok=0
for i in $(seq 20); do
  if run_vm "row.$i" && cmp -s "$T/row.$i.out" <(printf 'ready\n'); then
    ok=$((ok + 1))
  else
    fail "run $i of 20 failed: $(head -c 300 "$T/row.$i.err")"
  fi
done
check "20 runs in a row all boot ($ok of 20)" test $ok -eq 20

finish
