#!/usr/bin/env bash
# trust_trials.sh - how often each way of deciding fails or cannot tell, on a controlled ~50 ms
# workload (perfgate-workload --work 25), at a true change of 0, +5, +10 and +20 %, in three
# conditions:
#   q  nothing added (the machine as it is: the load average is printed)
#   l  tests/bench/load.sh on every core while the head is measured (stored check), or while
#      the whole A/B runs (ab)
#   r  the stored history and baseline measured under that load (a slower runner), the head not
# Ways: stored `perfgate check` against a baseline with 10 earlier stored runs (the run-to-run
# model, the probe, CPU time), `perfgate ab` (same runner; r is l for it: it stores nothing),
# and the seed's rule (head/base median of wall > 1.10, no test) on the stored check's samples.
#   tests/bench/trust_trials.sh [BUILD_DIR] [TRIALS] [RUNS] [KEEP_DIR]   (default: build, 100, 25)
# Prints fail % and inconclusive % per row, and the runs used per decision. With KEEP_DIR, the
# verdict JSON of every A/A (+0 %) trial that failed is kept there, to see which metric did.
# CONDS="q l" (environment) runs only those conditions; CHANGES="0 20" only those changes.
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
trials=${2:-100}
runs=${3:-25}
keep=${4:-}
[[ -z $keep ]] || mkdir -p "$keep"
pg=$build/perfgate
load="$here/tests/bench/load.sh"
command -v jq >/dev/null || { echo "trust_trials: jq is not installed" >&2; exit 3; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TMPDIR=$tmp
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; $trials trials per row, $runs runs a side"

# repo CONDITION: 11 commits on main, each with a stored run (under load for r), then a head
# branch per change.
make_history() {
  local dir=$tmp/repo-$1
  git init -q -b main "$dir"
  git -C "$dir" config user.name bench && git -C "$dir" config user.email bench@perfgate.invalid
  mkdir "$dir/gates"
  cat >"$dir/gates/default.json" <<JSON
{"schema": "perfgate-gates/1", "defaults": {"runs": $runs, "warmup": 2},
 "build": [["true"]],
 "benchmarks": [{"name": "w", "command": ["$build/perfgate-workload", "--work", "25", "--slowdown-file", "{root}/slow.txt"]}]}
JSON
  echo 0 >"$dir/slow.txt"
  for i in $(seq 11); do
    echo "$i" >"$dir/n.txt"
    git -C "$dir" add -A && git -C "$dir" commit -q -m "history $i"
    if [[ $1 == r ]]; then
      (cd "$dir" && "$load" -- "$pg" run -q --save) 2>/dev/null
    else
      (cd "$dir" && "$pg" run -q --save)
    fi
  done
}

verdict_of() { # FILE: fail | inconclusive | pass, from the verdict JSON
  jq -r '.verdict' "$1" 2>/dev/null || echo error
}

row() { # CONDITION CHANGE
  local cond=$1 change=$2 dir=$tmp/repo-$1
  git -C "$dir" checkout -q main
  git -C "$dir" branch -q -D "head" 2>/dev/null
  git -C "$dir" checkout -q -b head
  echo "$change" >"$dir/slow.txt"
  git -C "$dir" commit -q --allow-empty -am "+$change %"
  local sf=0 si=0 sr=0 af=0 ai=0 ar=0 cf=0 v
  for _ in $(seq "$trials"); do
    # Stored check of the head against main's history; load on for the head only in l.
    local wrap=()
    [[ $cond == l ]] && wrap=("$load" --)
    (cd "$dir" && "${wrap[@]}" "$pg" check -q --base main --format json="$tmp/s.json" >/dev/null 2>&1)
    v=$(verdict_of "$tmp/s.json")
    [[ $v == fail ]] && sf=$((sf + 1))
    [[ $v == inconclusive ]] && si=$((si + 1))
    [[ $v == fail && $change == 0 && -n $keep ]] && cp "$tmp/s.json" "$keep/stored-$cond-$sf.json"
    sr=$((sr + $(jq '[.metrics[] | select(.metric == "wall" and .stat == null) | .n_head] | add // 0' "$tmp/s.json")))
    jq -e '[.metrics[] | select(.metric == "wall" and .stat == null)][0] | .head / .base > 1.10' \
      "$tmp/s.json" >/dev/null 2>&1 && cf=$((cf + 1))
    # Same-runner A/B; load on throughout in l and r.
    wrap=()
    [[ $cond != q ]] && wrap=("$load" --)
    (cd "$dir" && "${wrap[@]}" "$pg" ab -q --base main --no-build --format json="$tmp/a.json" >/dev/null 2>&1)
    v=$(verdict_of "$tmp/a.json")
    [[ $v == fail ]] && af=$((af + 1))
    [[ $v == inconclusive ]] && ai=$((ai + 1))
    [[ $v == fail && $change == 0 && -n $keep ]] && cp "$tmp/a.json" "$keep/ab-$cond-$af.json"
    ar=$((ar + $(jq '[.metrics[] | select(.metric == "wall" and .stat == null)][0] | .n_head + .n_base' "$tmp/a.json" 2>/dev/null || echo 0)))
  done
  awk -v c="$cond" -v ch="$change" -v t="$trials" -v sf=$sf -v si=$si -v sr=$sr -v af=$af -v ai=$ai \
    -v ar=$ar -v cf=$cf 'BEGIN {
      printf "%-4s %-6s %6.1f %% %6.1f %% %6.0f   %6.1f %% %6.1f %% %6.0f   %6.1f %%\n", c, "+" ch "%",
        100*sf/t, 100*si/t, sr/t, 100*af/t, 100*ai/t, ar/t, 100*cf/t }'
}

conds=${CONDS:-q l r}
changes=${CHANGES:-0 5 10 20}
for cond in $conds; do
  make_history "$cond"
done
printf '%-4s %-6s %-26s %-26s %s\n' "" "" "stored check (K=10)" "ab (same runner)" "seed rule"
printf '%-4s %-6s %8s %8s %6s   %8s %8s %6s   %8s\n' cond change fail inconcl runs fail inconcl runs fail
for cond in $conds; do
  for change in $changes; do
    row "$cond" "$change"
  done
done
echo "runs: the head's runs per decision for the stored check (its baseline and 10 stored runs were"
echo "measured once before the trials); both sides' runs for ab, its A/A block not counted."
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
