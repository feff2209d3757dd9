#!/usr/bin/env bash
# ab_trials.sh - how often each way of deciding fails, with a background CPU load switched on
# halfway through every trial: (a) check against a stored baseline, (b) same-runner ab,
# (c) the seed's rule (mean ratio > 1.10, no test) on the samples of (a).
#   tests/bench/ab_trials.sh [BUILD_DIR] [TRIALS] [WORK]     (default: build, 100, 25 ~ 50 ms)
# Prints a table of fail rates and runs used per true change (0, 5, 10, 20 %).
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
trials=${2:-100}
work=${3:-25}
pg=$build/perfgate
command -v jq >/dev/null || { echo "ab_trials: jq is not installed" >&2; exit 3; }
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
export TMPDIR=$tmp

git init -q -b main "$tmp/repo"
git -C "$tmp/repo" config user.name bench
git -C "$tmp/repo" config user.email bench@perfgate.invalid
mkdir "$tmp/repo/gates"
cat >"$tmp/repo/gates/default.json" <<JSON
{"schema": "perfgate-gates/1", "defaults": {"runs": 10, "warmup": 1},
 "benchmarks": [{"name": "w", "command": ["$build/perfgate-workload", "--work", "$work", "--slowdown-file", "{root}/slow.txt"]}]}
JSON
echo 0 >"$tmp/repo/slow.txt"
git -C "$tmp/repo" add -A && git -C "$tmp/repo" commit -q -m base

# A busy loop on the other core from $1 seconds from now, for $2 seconds.
load_later() { (sleep "$1"; timeout "$2" sh -c 'while :; do :; done') & }

printf '%-7s %-28s %-28s %-22s\n' change "(a) check vs stored" "(b) ab (same runner)" "(c) seed rule"
for change in 0 5 10 20; do
  git -C "$tmp/repo" checkout -q main 2>/dev/null
  git -C "$tmp/repo" branch -q -D head 2>/dev/null
  git -C "$tmp/repo" checkout -q -b head
  echo "$change" >"$tmp/repo/slow.txt"
  git -C "$tmp/repo" commit -q -am "+$change %"
  git -C "$tmp/repo" checkout -q main -- slow.txt 2>/dev/null; git -C "$tmp/repo" checkout -q head -- slow.txt
  fa=0 fb=0 fc=0 ra=0 rb=0
  for t in $(seq "$trials"); do
    # (a): the base measured first, the load comes on halfway, the head after it.
    (cd "$tmp/repo" && git checkout -q main && "$pg" run -q -o "$tmp/base.json")
    (cd "$tmp/repo" && git checkout -q head)
    load_later 0 5
    (cd "$tmp/repo" && "$pg" check -q --base "$tmp/base.json" --format json="$tmp/a.json" 2>/dev/null)
    [[ $? -eq 1 ]] && fa=$((fa + 1))
    kill $(jobs -p) 2>/dev/null; wait 2>/dev/null
    ra=$((ra + 10 + $(jq '[.metrics[0].n_head] | add' "$tmp/a.json")))
    # (c): the seed's rule on the same samples.
    (cd "$tmp/repo" && "$pg" run -q -o "$tmp/head.json" -b w --runs 10 >/dev/null 2>&1)
    ratio=$(jq -n --slurpfile b "$tmp/base.json" --slurpfile h "$tmp/head.json" \
      '($h[0].benchmarks[0].metrics[0].summary.mean) / ($b[0].benchmarks[0].metrics[0].summary.mean)')
    awk -v r="$ratio" 'BEGIN { exit !(r > 1.10) }' && fc=$((fc + 1))
    # (b): the same-runner A/B, the load switched on halfway through it.
    load_later 0.4 5
    (cd "$tmp/repo" && "$pg" ab -q --base main --format json="$tmp/b.json" 2>/dev/null)
    [[ $? -eq 1 ]] && fb=$((fb + 1))
    kill $(jobs -p) 2>/dev/null; wait 2>/dev/null
    rb=$((rb + $(jq '.metrics[0].n_head + .metrics[0].n_base' "$tmp/b.json")))
  done
  printf '%-7s %-28s %-28s %-22s\n' "+$change %" \
    "$(awk -v f=$fa -v t=$trials -v r=$ra 'BEGIN{printf "%5.1f %% fail, %5.0f runs", 100*f/t, r/t}')" \
    "$(awk -v f=$fb -v t=$trials -v r=$rb 'BEGIN{printf "%5.1f %% fail, %5.0f runs", 100*f/t, r/t}')" \
    "$(awk -v f=$fc -v t=$trials 'BEGIN{printf "%5.1f %% fail", 100*f/t}')"
done
echo "runs: per trial, both sides together (ab: pairs x 2 halves, excluding its A/A block)"
