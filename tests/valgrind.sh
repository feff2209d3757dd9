#!/usr/bin/env bash
# valgrind.sh - perfgate's CLI paths under valgrind: no leaks, no invalid reads or writes.
#   tests/valgrind.sh BUILD_DIR
set -uo pipefail
build=${1:?usage: tests/valgrind.sh BUILD_DIR}
pg="$build/perfgate"
work="$build/perfgate-workload"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
cat >gates.json <<JSON
{"schema": "perfgate-gates/1", "defaults": {"runs": 2, "warmup": 0, "timeout": "2s"},
 "benchmarks": [{"name": "ok", "command": ["$work", "--work", "1"]},
                {"name": "crash", "command": ["$work", "--crash"]},
                {"name": "missing", "command": ["/nonexistent/x"]}]}
JSON
echo '{"schema": "perfgate-gates/1", "benchmarks": [{"name": "a", "runz": 1}]}' >bad.json

failures=0
passes=0
# vg WANT_STATUS ARGS... : perfgate's own status must be WANT; valgrind's errors exit 99.
vg() {
  local want=$1
  shift
  valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
    "$pg" "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [[ $got -ne $want ]]; then
    echo "FAIL: valgrind perfgate $*: status $got, expected $want" >&2
    sed 's/^/    /' "$tmp/err" | head -n 30 >&2
    failures=$((failures + 1))
  else
    passes=$((passes + 1))
  fi
}

vg 0 --version
vg 0 help
vg 2 nosuchverb
vg 2 run --nosuchoption
vg 0 run -c gates.json -b ok -o result.json
vg 0 run -c gates.json -b ok --format json=r2.json --format text
vg 1 run -c gates.json -b crash
vg 3 run -c gates.json -b missing
vg 2 run -c bad.json
vg 3 run -c absent.json
vg 0 run --runs 2 -- "$work" --work 1
vg 0 compare --base result.json --head result.json --format json=v.json --format markdown=v.md --format junit=v.xml --format signoff=v.txt
vg 0 size "$pg"
# merge: two halves of a run (with the "shard" field `run --shard` writes); the gates file's other benchmarks fail.
jq '.shard = {index: 1, count: 2}' result.json >half-1.json
jq '.shard = {index: 2, count: 2} | .benchmarks[0].name = "ok2"' r2.json >half-2.json
vg 0 merge half-1.json half-2.json -c gates.json -o merged.json --format json=m2.json
vg 2 merge half-1.json half-1.json

# The store and check in a real repository.
git init -q -b main repo && git -C repo config user.name t && git -C repo config user.email t@t
cp gates.json repo/ && git -C repo add gates.json && git -C repo commit -q -m one
cd repo || exit 1
vg 0 check -c gates.json -b ok --save
git commit -q --allow-empty -m two
vg 0 check -c gates.json -b ok --save --format github --format json=../check.json
vg 0 show
vg 0 log -n 5
vg 2 plot -o ../plots --metric ok.wall.nope
vg 0 plot -o ../plots
vg 2 check -c gates.json --base no-such-rev
# The dashboard, with two release tags (sign-offs rendered through cmark-gfm) and change points.
git tag v1 HEAD~1 && git tag -a v2 -m "release 2"
vg 0 publish -o ../site -c gates.json
vg 0 publish -o ../site -c gates.json   # again: the release pages reused
vg 0 changes
vg 0 prune --keep-samples 1
vg 0 hook install
cd .. || exit 1
echo "$passes passed, $failures failed"
[[ $failures -eq 0 ]]
