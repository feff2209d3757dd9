#!/usr/bin/env bash
# check_unloads_git.sh - check and run let libgit2 go while their benchmarks run (its pages are
# not perfgate's while they are measured) and load it again to save; a git module that cannot be
# loaded is named, exit 3
source "$(dirname "$0")/lib.bash"

make_repo repo
mkdir repo/gates
# The benchmark looks at perfgate's own maps: its parent is perfgate's spawner, whose parent is
# perfgate (whose parent is not perfgate). It writes: the maps lines of libgit2, its module and the
# libraries only libgit2 needs; the lines of the CLI module; 1 when the process it read is the
# outermost perfgate.
cat >repo/probe.sh <<'SH'
#!/bin/sh
pg=$(awk '{print $4}' "/proc/$PPID/stat")
above=$(awk '{print $4}' "/proc/$pg/stat")
outermost=0
[ "$(readlink "/proc/$pg/exe")" = "$PERFGATE_EXE" ] && [ "$(readlink "/proc/$above/exe")" != "$PERFGATE_EXE" ] && outermost=1
[ -f delay ] && sleep "$(cat delay)"
echo "$(grep -cE 'libgit2|libperfgate-git|libmbed|libssh2|libkrb5|libgssapi|libpcre2|libhttp_parser' "/proc/$pg/maps") $(grep -c libperfgate-cli "/proc/$pg/maps") $outermost" >>"$1"
SH
PERFGATE_EXE=$(readlink -f "$PERFGATE")
export PERFGATE_EXE
runs=8 # enough for a change to be significant (the confirmation below)
cat >repo/gates/default.json <<JSON
{"schema": "perfgate-gates/1", "defaults": {"warmup": 0, "runs": $runs},
 "benchmarks": [{"name": "probe", "command": ["sh", "probe.sh", "$T/maps.txt"]}]}
JSON
git -C repo add -A && git -C repo commit -q -m "a benchmark that reads perfgate's maps"

# Neither run nor check keeps libgit2 while it measures. The probe's second and third figures
# show it read the right process's maps: perfgate's, with its CLI module in them.
(cd repo && run_pg run 0 run -q --save)
check "the probe ran $runs times under run" test "$(wc -l <maps.txt)" -eq $runs
check "no libgit2 in perfgate's maps while run measured" \
  bash -c "awk '\$1 != 0 || \$2 == 0 || \$3 != 1 {bad = 1} END {exit bad}' maps.txt"
check "and run saved after (libgit2 loaded again)" \
  test "$(git -C repo notes --ref=perfgate show HEAD | wc -l)" -eq 1

rm -f maps.txt
(cd repo && run_pg check_save 0 check --save -q)
check "the probe ran $runs times under check" test "$(wc -l <maps.txt)" -eq $runs
check "no libgit2 in perfgate's maps while check measured" \
  bash -c "awk '\$1 != 0 || \$2 == 0 || \$3 != 1 {bad = 1} END {exit bad}' maps.txt"
check "and check saved after (libgit2 loaded again)" \
  test "$(git -C repo notes --ref=perfgate show HEAD | wc -l)" -eq 2

# A second commit: check reads the baseline, measures without libgit2, compares.
git -C repo commit -q --allow-empty -m "head"
rm -f maps.txt
(cd repo && run_pg check_base 0 check -v --format json="$T/verdict.json")
expect_err check_base "^perfgate: baseline: "
# A runner slowed by other work can make the head look slower: check then measures it again to
# confirm, so there may be more than $runs runs, and all are looked at.
check "the probe ran at least $runs times" test "$(wc -l <maps.txt)" -ge $runs
check "without libgit2 while measuring against a stored baseline too" \
  bash -c "awk '\$1 != 0 || \$2 == 0 || \$3 != 1 {bad = 1} END {exit bad}' maps.txt"
check "the verdict compared with the stored result" \
  jq -e --arg base "$(git -C repo rev-parse HEAD~1)" '.base.found and .base.commit == $base and (.metrics | length) > 0' verdict.json

# A regression, with --save: saved, then confirmed by measuring again, still without libgit2.
echo 0.2 >repo/delay && git -C repo add delay && git -C repo commit -q -m "a slower probe"
rm -f maps.txt
(cd repo && run_pg check_confirm 1 check --save --format json="$T/confirm.json")
check "the slower head is a regression" jq -e '.counts.regressions >= 1' confirm.json
check "confirmed by measuring again (more than the first $runs runs)" test "$(wc -l <maps.txt)" -gt $runs
check "without libgit2 in the confirmation runs too" \
  bash -c "awk '\$1 != 0 || \$2 == 0 || \$3 != 1 {bad = 1} END {exit bad}' maps.txt"
check "and saved" test "$(git -C repo notes --ref=perfgate show HEAD | wc -l)" -eq 1

# An installation without the git module: every verb that opens a repository says so, exit 3.
mkdir lonely
cp "$PERFGATE" "$PG_BINDIR/libperfgate-cli.so" lonely/
(cd repo && PERFGATE=$T/lonely/perfgate run_pg no_module 3 log)
expect_err no_module "^perfgate: cannot load $T/lonely/libperfgate-git.so \(git repositories\): .*; reinstall perfgate$"

# A git module of another build (its version string changed in place) is refused, not called through.
mkdir stale
cp "$PERFGATE" "$PG_BINDIR/libperfgate-cli.so" "$PG_BINDIR/libperfgate-git.so" stale/
version=$("$PERFGATE" --version | cut -d' ' -f2)
V="$version" perl -0pi -e 's/\Q$ENV{V}\E\0/"x" x length($ENV{V}) . "\0"/e' stale/libperfgate-git.so
check "the stale module no longer carries this version" bash -c "! grep -qaF '$version' stale/libperfgate-git.so"
(cd repo && PERFGATE=$T/stale/perfgate run_pg stale_module 3 log)
expect_err stale_module "^perfgate: $T/stale/libperfgate-git.so is not the git module of this perfgate $version; reinstall perfgate$"
finish
