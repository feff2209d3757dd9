#!/usr/bin/env bash
# vmspawn.sh - what perfgate's vmspawn figure for perfgate-microvm is made of, and whether a +30 % slower
# setup path shows in it:
#   tests/bench/vmspawn.sh [BUILD_DIR] [RUNS]      (default: build, 20)
# 1. perfgate's spawn median (the vmspawn kind, RUNS launches) beside an anchor taken in the same
#    run: KVM_CREATE_VM to the guest's "ready" written on stdout, from `strace -f -ttt -T -e
#    trace=ioctl,write` (strace slows the syscalls it traces, so the anchor is an upper bound of
#    that span), and the ratio; with the time KVM_SET_USER_MEMORY_REGION takes inside it;
# 2. the launcher's own --self-time split: setup path, guest boot, their share of its spawn and of
#    perfgate's spawn median;
# 3. --slowdown 30 against 0, base and head interleaved launch by launch: both spawn medians, the
#    ratio, and `perfgate compare`'s verdict on the two sides.
# Prints the load average before and after: on a shared 2-core runner the figures move with it.
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
runs=${2:-20}
perfgate=$build/perfgate
vm=$build/perfgate-microvm
command -v jq >/dev/null || { echo "vmspawn: jq is not installed" >&2; exit 3; }
[[ -x $vm ]] || { echo "vmspawn: $vm is not built" >&2; exit 3; }
"$vm" >/dev/null 2>&1
case $? in
  0) ;;
  77) echo "vmspawn: skipped: $("$vm" 2>&1 >/dev/null)" >&2; exit 77 ;;
  *) echo "vmspawn: perfgate-microvm does not boot here: $("$vm" 2>&1 >/dev/null)" >&2; exit 1 ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "nan" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "nan" }'; }

# 1 and 3: perfgate's launches, --slowdown 0 and 30 alternating (the first of each pair
# alternating too), one launch per `perfgate run`, so drift and neighbours hit both alike.
bench() {
  printf '{"name": "%s", "kind": "vmspawn", "runs": 1, "warmup": 0, "ready": {"stream": "stdout", "match": "^ready$"},
    "command": ["%s", "--slowdown", "%s"]}' "$1" "$vm" "$2"
}
for order in 0 1; do
  if ((order == 0)); then pair="$(bench base 0), $(bench head 30)"; else pair="$(bench head 30), $(bench base 0)"; fi
  printf '{"schema": "perfgate-gates/1", "defaults": {"probe": false}, "benchmarks": [%s]}\n' "$pair" >"$tmp/order$order.json"
done
printf '{"schema": "perfgate-gates/1", "defaults": {"probe": false}, "benchmarks": [%s]}\n' "$(bench vm 0)" >"$tmp/decide.json"
"$vm" >/dev/null # warm the page cache and KVM's module state
for r in $(seq "$runs"); do
  "$perfgate" run -q -c "$tmp/order$((r % 2)).json" -o "$tmp/round.$r.json" ||
    { echo "vmspawn: perfgate run failed in round $r" >&2; exit 1; }
done
# side NAME : one result set holding benchmark NAME's launches of every round, renamed vm
side() {
  jq -s --arg s "$1" '.[0] as $env | [.[] | .benchmarks[] | select(.name == $s)] as $bs | $env
    | .benchmarks = [$bs[0] | .name = "vm" | .metrics = [range(.metrics | length) as $j | .metrics[$j]
        | .samples = [$bs[].metrics[$j].samples[]] | del(.summary)]]' "$tmp"/round.*.json >"$tmp/$1.json"
}
side base
side head
spawn_base=$(jq '.benchmarks[0].metrics[0].samples[]' "$tmp/base.json" | median)
spawn_head=$(jq '.benchmarks[0].metrics[0].samples[]' "$tmp/head.json" | median)

# The anchor: KVM_CREATE_VM's start to the start of the write of "ready".
if command -v strace >/dev/null; then
  n=$((runs < 10 ? runs : 10))
  for i in $(seq "$n"); do
    strace -f -ttt -T -e trace=ioctl,write -o "$tmp/strace.$i" "$vm" >/dev/null 2>&1
  done
  anchor=$(for i in $(seq "$n"); do
    awk '/KVM_CREATE_VM/ && !c { c = $2 } /write\(1, "ready\\n"/ && !w { w = $2 } END { if (c && w) printf "%.3f\n", (w - c) * 1000 }' "$tmp/strace.$i"
  done | median)
  memslot=$(for i in $(seq "$n"); do
    sed -n 's/.*KVM_SET_USER_MEMORY_REGION.*<\([0-9.]*\)>$/\1/p' "$tmp/strace.$i" | awk '{ printf "%.3f\n", $1 * 1000 }'
  done | median)
  printf 'spawn median (perfgate, %d launches) %7.2f ms; anchor KVM_CREATE_VM -> write "ready" (strace, median of %d) %7.2f ms; ratio %s\n' \
    "$runs" "$spawn_base" "$n" "$anchor" "$(ratio "$spawn_base" "$anchor")"
  printf '  of which KVM_SET_USER_MEMORY_REGION (strace -T, median) %.2f ms\n' "$memslot"
else
  printf 'spawn median (perfgate, %d launches) %7.2f ms; anchor: strace is not installed, skipped\n' "$runs" "$spawn_base"
fi

# 2: the launcher's own split, interleaved with its slowed twin.
for i in $(seq "$runs"); do
  "$vm" --self-time 2>>"$tmp/self0" >/dev/null
  "$vm" --self-time --slowdown 30 2>>"$tmp/self30" >/dev/null
done
self() { jq -r "$2" "$tmp/$1" | median; }
setup=$(self self0 .setup_ms)
boot=$(self self0 .boot_ms)
printf 'self-timed (median of %d): spawn %.2f ms = setup path %.2f ms + guest boot %.2f ms (+ start-up); teardown %.2f ms\n' \
  "$runs" "$(self self0 .spawn_ms)" "$setup" "$boot" "$(self self0 .teardown_ms)"
printf '  setup share: %.2f of the self-timed spawn (median of per-run shares), %s of perfgate'"'"'s spawn median\n' \
  "$(self self0 '.setup_ms / .spawn_ms')" "$(ratio "$setup" "$spawn_base")"
printf '  with --slowdown 30: self-timed spawn %.2f ms, (spawn - boot) / setup %.2f (>= 1.30 by construction)\n' \
  "$(self self30 .spawn_ms)" "$(self self30 '(.spawn_ms - .boot_ms) / .setup_ms')"

# 3: the slowdown through perfgate, and the decision on it.
printf 'spawn median --slowdown 30 %.2f ms vs 0 %.2f ms: ratio %s\n' "$spawn_head" "$spawn_base" \
  "$(ratio "$spawn_head" "$spawn_base")"
"$perfgate" compare -c "$tmp/decide.json" --no-probe --base "$tmp/base.json" --head "$tmp/head.json" >"$tmp/compare.out" 2>&1
status=$?
printf 'perfgate compare (--slowdown 30 as head, 10 %% threshold): exit %d, %s\n' "$status" \
  "$(grep -E '^ *spawn ' "$tmp/compare.out" | head -n 1 | sed 's/  */ /g; s/^ //')"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
