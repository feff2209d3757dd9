#!/usr/bin/env bash
# vmm_standin_firecracker_qemu.sh - gates/vmm.json's Firecracker and QEMU microvm entries, run against
# stand-in VMMs (test doubles: fixtures/vmm-standin/bin replays each VMM's boot output at its pace),
# since neither VMM boots a Linux guest on this kind of machine (see the README)
source "$(dirname "$0")/lib.bash"

STANDIN=$PG_SRCDIR/fixtures/vmm-standin
export PATH="$STANDIN/bin:$PATH"
R=$T/repo
make_repo "$R"
mkdir -p "$R/gates" "$R/vm"
cp "$PG_SRCDIR/gates/vmm.json" "$PG_SRCDIR/gates/firecracker-vm.json" "$R/gates/"
printf 'kernel' >"$R/vm/vmlinux"
printf 'rootfs' >"$R/vm/rootfs.ext4"
printf 'initramfs' >"$R/vm/initramfs.cpio"
cd "$R" || exit 1

# jqt FILTER FILE : the filter holds
jqt() {
  jq -e "$1" "$2" >/dev/null
}

# The stand-ins refuse what the real VMMs refuse, with their words.
firecracker --no-api >/dev/null 2>fc_usage.err
check "stand-in firecracker: --no-api without --config-file exits 1" test $? -eq 1
check "... with Firecracker's complaint" grep -q 'requires --config-file' fc_usage.err
qemu-system-x86_64 -M pc -kernel vm/vmlinux >/dev/null 2>qemu_usage.err
check "stand-in qemu plays -M microvm only" test $? -eq 1

run_pg run 0 run -c gates/vmm.json --runs 5 -o "$T/vmm.json"
for b in firecracker qemu-microvm; do
  check "$b: the benchmark is ok" jqt ".benchmarks[] | select(.name == \"$b\") | .status == \"ok\"" "$T/vmm.json"
  check "$b: spawn, teardown and peak_rss, 5 runs each" \
    jqt ".benchmarks[] | select(.name == \"$b\") | [.metrics[] | select(.name == \"spawn\" or .name == \"teardown\" or .name == \"peak_rss\") | .summary.n] == [5, 5, 5]" "$T/vmm.json"
done
# The replayed boots reach "ready" at 124 ms (Firecracker) and 176 ms (QEMU): spawn is at least
# that (the stand-in cannot be early) and, on a busy machine, not far beyond.
check "firecracker: spawn median from 124 ms to 1 s" \
  jqt '.benchmarks[] | select(.name == "firecracker") | .metrics[] | select(.name == "spawn") | .summary.median >= 124 and .summary.median < 1000' "$T/vmm.json"
check "qemu-microvm: spawn median from 176 ms to 1 s" \
  jqt '.benchmarks[] | select(.name == "qemu-microvm") | .metrics[] | select(.name == "spawn") | .summary.median >= 176 and .summary.median < 1000' "$T/vmm.json"
check "spawn is measured in ms" \
  jqt '[.benchmarks[].metrics[] | select(.name == "spawn") | .unit] == ["ms", "ms"]' "$T/vmm.json"

# The seed's target: boots replayed at half their pace (62 and 88 ms, room for a busy machine) pass
# it; stretched 1.5 times, QEMU's (264 ms at the least) fails it by name.
PERFGATE_STANDIN_SCALE=0.5 run_pg gates_pass 0 check -c gates/vmm.json --runs 5 --no-probe
expect_out gates_pass '^  pass firecracker\.spawn\.median <= 200ms: '
expect_out gates_pass '^  pass qemu-microvm\.spawn\.median <= 200ms: '
PERFGATE_STANDIN_SCALE=1.5 run_pg gates_slow 1 check -c gates/vmm.json --runs 3 --no-probe -b qemu-microvm
expect_out gates_slow '^  FAIL qemu-microvm\.spawn\.median <= 200ms: [0-9.]+ ms$'

# A missing kernel: the VMM's own error, named, and the benchmark failed.
rm vm/vmlinux
run_pg no_kernel 1 run -c gates/vmm.json --runs 1 -o "$T/nokernel.json"
check "firecracker: no kernel is a failed benchmark with Firecracker's message" \
  jqt '.benchmarks[] | select(.name == "firecracker") | .status == "failed" and (.reason | test("InvalidKernelPath"))' "$T/nokernel.json"
check "qemu-microvm: no kernel is a failed benchmark with QEMU's message" \
  jqt '.benchmarks[] | select(.name == "qemu-microvm") | .status == "failed" and (.reason | test("could not open"))' "$T/nokernel.json"

finish
