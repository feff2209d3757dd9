#!/usr/bin/env bash
# target_microvm.sh - perfgate-microvm boots its ELF guest on KVM: boot log, timer ticks, ready, self-timing, slowdown, --kernel checks, failures, no-KVM skip
source "$(dirname "$0")/lib.bash"

MICROVM="$PG_BINDIR/perfgate-microvm"
GUEST_ELF="$PG_BINDIR/perfgate-microvm-guest.elf"

# run_vm NAME ARGS... : run the launcher, keep stdout/stderr in $T/NAME.{out,err}, return its status
run_vm() {
  local name=$1
  shift
  "$MICROVM" "$@" >"$T/$name.out" 2>"$T/$name.err"
}

# Skipped only where this machine has no KVM device at all; a /dev/kvm that
# perfgate-microvm cannot use is a failure to look into, not a skip.
if [[ ! -e /dev/kvm ]]; then
  echo "skipped: no /dev/kvm on this machine"
  exit 77
fi
run_vm probe
probe=$?
if [[ $probe -ne 0 ]]; then
  fail "/dev/kvm exists but a plain boot exits $probe: $(head -c 400 "$T/probe.err")"
  finish
fi

# json_field NAME KEY : KEY of the --self-time line NAME wrote on stderr
json_field() {
  jq -r ".$2" "$T/$1.err"
}

# json_holds NAME EXPR : the --self-time line NAME wrote on stderr satisfies the jq EXPR
json_holds() {
  jq -e "$2" "$T/$1.err" >/dev/null
}

# median PREFIX JQ_EXPR : median of JQ_EXPR over the --self-time lines in $T/PREFIX.*.err
median() {
  jq -s -r "map($2) | sort | .[length / 2 | floor]" "$T/$1".*.err
}

# boot_log_ok NAME : stdout of NAME is the guest's boot log, then "ready", and nothing else
boot_log_ok() {
  local out="$T/$1.out"
  [[ $(wc -l <"$out") -eq 4 ]] &&
    [[ $(sed -n 1p "$out") == "perfgate guest: long mode" ]] &&
    [[ $(sed -n 2p "$out") == "perfgate guest: idt loaded" ]] &&
    grep -qxE 'perfgate guest: timer: [1-9][0-9]* ticks at [0-9]+ Hz' <(sed -n 3p "$out") &&
    [[ $(sed -n 4p "$out") == ready ]]
}

# --- a plain run boots the guest: its boot log, then "ready", exit 0, nothing on stderr
run_vm plain
status=$?
check "a plain run exits 0 (got $status; stderr: $(head -c 300 "$T/plain.err"))" test $status -eq 0
check "stdout is the boot log then 'ready' (got: $(tr '\n' '|' <"$T/plain.out"))" boot_log_ok plain
ticks=$(sed -n 's/^perfgate guest: timer: \([0-9]*\) ticks at .*/\1/p' "$T/plain.out")
check "the guest took at least one timer interrupt (its log says ${ticks:-none})" test "${ticks:-0}" -ge 1
check "a plain run writes nothing on stderr" test ! -s "$T/plain.err"

# --- the guest is an ELF of a few KiB, and the embedded copy is the one built beside the launcher
check "the guest ELF was built ($GUEST_ELF)" test -s "$GUEST_ELF"
size=$(stat -c %s "$GUEST_ELF" 2>/dev/null || echo 0)
check "the guest ELF is a few KiB (${size} bytes < 8192)" test "$size" -gt 0 -a "$size" -lt 8192
check "the guest ELF starts with the ELF magic" cmp -s -n 4 "$GUEST_ELF" <(printf '\177ELF')
run_vm file_kernel --kernel "$GUEST_ELF"
status=$?
check "--kernel with the built guest boots the same (got $status: $(head -c 300 "$T/file_kernel.err"))" \
  test $status -eq 0
check "--kernel with the built guest prints the same boot log" boot_log_ok file_kernel

# --- the marker is flushed at the boot, not at exit: it arrives while the VM is held
mkfifo "$T/ready.fifo"
"$MICROVM" --hold-ms 1500 >"$T/ready.fifo" 2>"$T/held.err" &
held=$!
exec 3<"$T/ready.fifo"
line="" seen=""
while read -r -t 5 line <&3; do
  seen+="$line|"
  [[ $line == ready ]] && break
done
check "the held run printed 'ready' before exiting (got '$seen')" test "$line" = ready
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
check "setup_ms > 0 and boot_ms > 0" json_holds timed '.setup_ms > 0 and .boot_ms > 0'
check "spawn_ms >= setup_ms + boot_ms" json_holds timed '.spawn_ms >= .setup_ms + .boot_ms - 0.002'
check "teardown_ms >= 0" json_holds timed '.teardown_ms >= 0'
check "total_ms >= spawn_ms + teardown_ms" json_holds timed '.total_ms >= .spawn_ms + .teardown_ms'
check "stdout is still the boot log and 'ready' with --self-time" boot_log_ok timed

# --- --hold-ms waits after the marker: counted in total_ms, not in spawn_ms or teardown_ms
run_vm hold --self-time --hold-ms 200
status=$?
check "--hold-ms run exits 0 (got $status)" test $status -eq 0
check "--hold-ms 200 adds at least 200 ms after ready" json_holds hold '.total_ms - .spawn_ms - .teardown_ms >= 200'

# --- --slowdown PCT spins for PCT % of the measured setup path after it, before the guest runs.
# Each run reports its setup (without the spin) and its boot; the rest of its spawn is the spin
# (plus option parsing), which can only overrun its deadline. So (spawn - boot) / setup is at
# least 1.3 with --slowdown 30 in every run, and near 1 without: a ratio per run, which the
# load on this machine moves on both sides alike, where a raw spawn time would not be.
for i in 1 2 3 4 5 6 7; do
  run_vm "slow0.$i" --self-time || fail "--slowdown 0 run $i failed: $(head -c 300 "$T/slow0.$i.err")"
  run_vm "slow30.$i" --self-time --slowdown 30 || fail "--slowdown 30 run $i failed: $(head -c 300 "$T/slow30.$i.err")"
done
for i in 1 2 3 4 5 6 7; do
  check "--slowdown 30 run $i spun for >= 30 % of its setup ($(jq -c . "$T/slow30.$i.err"))" \
    json_holds "slow30.$i" '.spawn_ms - .boot_ms - .setup_ms >= 0.3 * .setup_ms - 0.002'
done
ratio0=$(median slow0 '(.spawn_ms - .boot_ms) / .setup_ms')
ratio30=$(median slow30 '(.spawn_ms - .boot_ms) / .setup_ms')
check "--slowdown 30 makes the setup path longer: median (spawn - boot) / setup ${ratio30} >= 1.29, ${ratio0} < 1.2 without" \
  awk -v s="$ratio30" -v b="$ratio0" 'BEGIN { exit !(s >= 1.29 && b < 1.2) }'
run_vm slow100 --self-time --slowdown 100
check "--slowdown 100 spins at least the setup's own time again ($(jq -c . "$T/slow100.err"))" \
  json_holds slow100 '.spawn_ms - .boot_ms >= 2 * .setup_ms - 0.002'

# --- --work N: the guest spins N rounds before "ready", off by default. How fast a round is
# depends on the host (a cycle under hardware virtualization, about a microsecond where KVM
# emulates the guest), so N grows until the boot takes at least 25 ms longer.
work=20000
for _ in 1 2 3 4 5 6 7 8; do
  run_vm work_probe --self-time --work "$work" || break
  awk -v b="$(json_field work_probe boot_ms)" 'BEGIN { exit !(b >= 25) }' && break
  work=$((work * 8 > 4000000000 ? 4000000000 : work * 8))
done
for i in 1 2 3; do
  run_vm "work0.$i" --self-time
  run_vm "work.$i" --self-time --work "$work"
done
boot0=$(median work0 .boot_ms)
bootw=$(median work .boot_ms)
check "--work $work makes the boot at least 10 ms longer (median boot ${bootw} ms vs ${boot0} ms)" \
  awk -v w="$bootw" -v b="$boot0" 'BEGIN { exit !(w >= b + 10) }'
check "--work still ends in the same boot log and 'ready'" boot_log_ok work.1

# --- --kernel: a foreign ELF kernel boots too; bad images are refused, exit 2, before any VM
# le N VALUE : VALUE as N little-endian bytes, as printf escapes
le() {
  local n=$1 v=$2 i out=""
  for ((i = 0; i < n; i++)); do out+=$(printf '\\x%02x' $(((v >> (8 * i)) & 255))); done
  printf '%s' "$out"
}
# mkelf FILE CODE_HEX [MACHINE [PADDR [ENTRY]]] : an ELF64 executable for MACHINE (default 62,
# x86-64) with one R+X PT_LOAD segment holding CODE (32-bit machine code) at PADDR (default
# 0x100000), entered at ENTRY (default PADDR)
mkelf() {
  local file=$1 code=$2 machine=${3:-62} paddr=${4:-0x100000}
  local entry=${5:-$paddr} size=$((${#2} / 2)) bytes="" i
  for ((i = 0; i < ${#code}; i += 2)); do bytes+="\\x${code:i:2}"; done
  {
    printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000'
    printf '%b' "$(le 2 2)$(le 2 "$machine")$(le 4 1)$(le 8 "$entry")$(le 8 64)$(le 8 0)"
    printf '%b' "$(le 4 0)$(le 2 64)$(le 2 56)$(le 2 1)$(le 2 64)$(le 2 0)$(le 2 0)"
    printf '%b' "$(le 4 1)$(le 4 5)$(le 8 120)$(le 8 "$paddr")$(le 8 "$paddr")$(le 8 "$size")$(le 8 "$size")$(le 8 16)"
    printf '%b' "$bytes"
  } >"$file"
}
POWER_OFF=66b8002066ba040666ef # mov ax, 0x2000; mov dx, 0x604; out dx, ax
HLT=f4

# A kernel of 40 bytes: "ready" on COM1 (no FIFO, no LSR polling: the UART is always ready), power off.
code=66baf803 # mov dx, 0x3f8
for c in 72 65 61 64 79 0a; do code+="b0${c}ee"; done # mov al, C; out dx, al
mkelf "$T/ready.elf" "$code$POWER_OFF$HLT"
run_vm foreign --kernel "$T/ready.elf"
status=$?
check "a hand-made ELF kernel boots (got $status: $(head -c 300 "$T/foreign.err"))" test $status -eq 0
check "... and its 'ready' reaches stdout" cmp -s "$T/foreign.out" <(printf 'ready\n')

printf 'this is not a kernel\n' >"$T/text.bin"
: >"$T/empty.bin"
head -c 100 "$GUEST_ELF" >"$T/short_headers.elf"
head -c 400 "$GUEST_ELF" >"$T/short_segment.elf"
cp "$GUEST_ELF" "$T/class32.elf" && printf '\001' | dd of="$T/class32.elf" bs=1 seek=4 conv=notrunc status=none
mkelf "$T/aarch64.elf" "$HLT" 183
mkelf "$T/high.elf" "$HLT" 62 0x4000000
mkelf "$T/bootinfo.elf" "$HLT" 62 0x7000
mkelf "$T/entry.elf" "$HLT" 62 0x100000 0x200000
# bad_kernel NAME ERROR_REGEX ARGS... : perfgate-microvm ARGS refuses the kernel: exit 2, the reason, no output
bad_kernel() {
  local name=$1 want=$2
  shift 2
  run_vm "$name" "$@"
  local status=$?
  check "$name: a bad kernel exits 2 (got $status)" test $status -eq 2
  check "$name: says why (want /$want/, got: $(head -c 300 "$T/$name.err"))" \
    grep -qE "^perfgate-microvm: (kernel [^:]*: |--kernel [^:]*: |the built-in kernel: ).*$want" "$T/$name.err"
  check "$name: prints nothing on stdout" test ! -s "$T/$name.out"
}
bad_kernel text 'not an ELF file' --kernel "$T/text.bin"
bad_kernel empty 'not an ELF file' --kernel "$T/empty.bin"
bad_kernel short_headers 'truncated: the program header table' --kernel "$T/short_headers.elf"
bad_kernel short_segment "truncated: segment 0's" --kernel "$T/short_segment.elf"
bad_kernel class32 'not a 64-bit ELF file \(class 1\)' --kernel "$T/class32.elf"
bad_kernel aarch64 'built for ELF machine 183, not x86-64 \(62\)' --kernel "$T/aarch64.elf"
bad_kernel high 'segment 0 at guest-physical 0x4000000 .* outside the guest.s 64 MiB of memory' --kernel "$T/high.elf"
bad_kernel bootinfo 'overlaps the boot information at 0x7000' --kernel "$T/bootinfo.elf"
bad_kernel entry 'entry point 0x200000 is in no executable PT_LOAD segment' --kernel "$T/entry.elf"
bad_kernel builtin_1mib 'segment 0 at guest-physical 0x100000 .* 1 MiB of memory' --mem 1
bad_kernel missing 'No such file or directory' --kernel "$T/no-such-kernel"
bad_kernel directory 'not a regular file' --kernel "$T"
# A bad image is refused before KVM is asked: the same exit 2 where there is no KVM.
bad_kernel text_nokvm 'not an ELF file' --kernel "$T/text.bin" --kvm-path /nonexistent

# Random bytes behind a valid-looking ELF64 identification: refused, never a crash.
crashes=0
for i in $(seq 40); do
  { printf '\177ELF\002\001\001'; head -c $((RANDOM % 600 + 1)) /dev/urandom; } >"$T/fuzz.elf"
  run_vm fuzz --kernel "$T/fuzz.elf"
  status=$?
  if [[ $status -ne 2 ]]; then
    crashes=$((crashes + 1))
    cp "$T/fuzz.elf" "$T/fuzz.$i.elf"
    fail "random ELF $i: exit $status, not 2 (kept in $T/fuzz.$i.elf with PG_KEEP=1): $(head -c 200 "$T/fuzz.err")"
  fi
done
check "40 random ELF headers are all refused with exit 2 ($crashes not)" test $crashes -eq 0

# --- a guest that fails is exit 1 with the KVM exit and the vCPU's registers, never a hang
mkelf "$T/hang.elf" ebfe               # jmp $
mkelf "$T/halt.elf" faf4               # cli; hlt: asleep for good
mkelf "$T/triple.elf" 0f0b             # ud2, no IDT: #UD, #NP, #DF, shutdown
mkelf "$T/off.elf" "$POWER_OFF$HLT"    # powers off without a word
mkelf "$T/port.elf" b041e680f4         # mov al, 'A'; out 0x80, al
mkelf "$T/mmio.elf" c7050000001078563412f4 # mov dword [0x10000000], 0x12345678 (beyond 64 MiB)
# guest_fails NAME ERROR_REGEX ARGS... : the guest fails: exit 1 with the reason, no "ready"
guest_fails() {
  local name=$1 want=$2
  shift 2
  local start=$SECONDS
  run_vm "$name" "$@"
  local status=$? took=$((SECONDS - start))
  check "$name: a failing guest exits 1 (got $status)" test $status -eq 1
  check "$name: says why (want /$want/, got: $(head -c 400 "$T/$name.err"))" grep -qE "$want" "$T/$name.err"
  check "$name: prints no ready marker" test "$(grep -c '^ready$' "$T/$name.out")" -eq 0
  check "$name: ends within 5 s (took ${took} s)" test $took -le 5
}
guest_fails hang 'before "ready": timed out after 300 ms; the vCPU is at rip=0x10000[0-9a-f] ' --kernel "$T/hang.elf" --timeout-ms 300
guest_fails halt 'before "ready": timed out after 300 ms; the vCPU is at rip=0x10000[0-9a-f] ' --kernel "$T/halt.elf" --timeout-ms 300
guest_fails triple 'before "ready": KVM_EXIT_SHUTDOWN: the guest triple-faulted.*rip=0x100000 .*cr0=0x11' --kernel "$T/triple.elf"
guest_fails off 'the guest powered off without printing "ready"' --kernel "$T/off.elf"
guest_fails port 'unexpected KVM_EXIT_IO: out to port 0x80 .*rip=0x100004' --kernel "$T/port.elf"
guest_fails mmio 'unexpected KVM_EXIT_MMIO: write of 4 byte\(s\) at guest-physical 0x10000000' --kernel "$T/mmio.elf"

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
for args in "--work abc" "--work -1" "--mem 0" "--slowdown x" "--hold-ms" "--timeout-ms 0" "--kernel" "--bogus" "extra"; do
  # shellcheck disable=SC2086 # the words are the arguments
  run_vm usage $args
  status=$?
  check "'$args' exits 2 (got $status)" test $status -eq 2
  check "'$args' explains on stderr" grep -q '^perfgate-microvm: ' "$T/usage.err"
  check "'$args' prints no ready marker" test ! -s "$T/usage.out"
done
run_vm help --help
check "--help exits 0 and describes the boot and --slowdown" \
  grep -q 'spin for PCT % of the time the setup took' "$T/help.out"

# --- other memory sizes boot too (the kernel sits at 1 MiB, so 2 MiB is the least)
for mib in 2 1024; do
  run_vm "mem$mib" --mem "$mib"
  status=$?
  check "--mem $mib boots (got $status: $(head -c 300 "$T/mem$mib.err"))" test $status -eq 0
  check "--mem $mib prints the boot log and 'ready'" boot_log_ok "mem$mib"
done

# --- 20 runs in a row: nothing leaks from one VM to the next
ok=0
for i in $(seq 20); do
  if run_vm "row.$i" && boot_log_ok "row.$i"; then
    ok=$((ok + 1))
  else
    fail "run $i of 20 failed: $(head -c 300 "$T/row.$i.err")"
  fi
done
check "20 runs in a row all boot ($ok of 20)" test $ok -eq 20

finish
