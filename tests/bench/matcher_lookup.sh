#!/usr/bin/env bash
# matcher_lookup.sh - does the matcher kind's latency measure the lookup, not the pipe?
#   tests/bench/matcher_lookup.sh [BUILD_DIR] [TRIALS]      (default: build, 20)
# 1. perfgate's latency median against the target's own --time-corpus p50 (the anchor), for the
#    self-timed answers (--report-time) and for the round trip less the echo floor;
# 2. catch rates with `perfgate ab` (base and head interleaved on this runner): a +30 % lookup
#    (--rounds 10 --slowdown 30: 13 lookups a query instead of 10, every query) must fail in
#    >= 95 % of TRIALS and A/A in none, in both modes.
# Everything runs pinned to one CPU (taskset), as tests/e2e/timing_kind_matcher.sh does: an
# exchange that wakes the other side on another core costs 8 to 50 us here, depending on where
# the scheduler put the two, which swamps a 10 us lookup in the round trip.
# Prints figures with the load average; exits 1 when a catch-rate target is missed.
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
trials=${2:-20}
perfgate=$build/perfgate
matcher=$build/perfgate-matcher
corpus=$here/fixtures/matcher/queries.txt
command -v jq >/dev/null || { echo "matcher_lookup: jq is not installed" >&2; exit 3; }
cpu=$(( $(nproc) > 1 ? 1 : 0 ))
pin() { taskset -c "$cpu" "$@"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# 1. Against the anchor.
anchor=$(pin "$matcher" --time-corpus "$corpus" --passes 10 | jq .p50_us)
for mode in report-time floor; do
  extra=$([[ $mode == report-time ]] && echo ', "--report-time"')
  cat >"$tmp/g.json" <<JSON
{"schema": "perfgate-gates/1", "defaults": {"probe": false},
 "benchmarks": [{"name": "matcher", "kind": "matcher", "runs": 10, "warmup": 1,
   "target": {"command": ["$matcher", "--serve"$extra], "protocol": "line"}, "corpus": "$corpus"}]}
JSON
  pin "$perfgate" run -q -c "$tmp/g.json" -o "$tmp/r.json"
  med() { jq "[.benchmarks[0].metrics[] | select(.name == \"$1\")][0].summary.median * 1000" "$tmp/r.json"; }
  printf '%-12s latency p50 %7.3f us, roundtrip p50 %7.3f us; --time-corpus p50 %7.3f us; ratio latency / anchor %.2f\n' \
    "$mode" "$(med latency)" "$(med roundtrip)" "$anchor" "$(awk -v a="$(med latency)" -v b="$anchor" 'BEGIN { print a / b }')"
done

# 2. Catch rates, interleaved on this runner.
status=0
for mode in report-time floor; do
  repo=$tmp/repo-$mode
  mkdir -p "$repo/gates"
  git -C "$repo" init -q -b main
  git -C "$repo" config user.name bench && git -C "$repo" config user.email bench@perfgate.invalid
  echo 0 >"$repo/slow.txt"
  flag=$([[ $mode == report-time ]] && echo "--report-time")
  cat >"$repo/gates/default.json" <<JSON
{"schema": "perfgate-gates/1",
 "benchmarks": [{"name": "matcher", "kind": "matcher",
   "target": {"command": ["sh", "-c", "exec $matcher --serve $flag --rounds 10 --slowdown \$(cat {root}/slow.txt)"],
              "protocol": "line"},
   "corpus": "$corpus"}]}
JSON
  git -C "$repo" add -A && git -C "$repo" commit -q -m base
  echo 30 >"$repo/slow.txt"
  git -C "$repo" commit -q -am "+30 % lookup"
  aa_failed=0 caught=0
  for _ in $(seq "$trials"); do
    (cd "$repo" && pin "$perfgate" ab --no-build -q --base HEAD) || aa_failed=$((aa_failed + 1))
    (cd "$repo" && pin "$perfgate" ab --no-build -q --base HEAD~1 --format json="$tmp/v.json")
    [[ $? -eq 1 ]] && caught=$((caught + 1))
  done
  echo "$mode: +30 % lookup failed ab in $caught of $trials trials (target >= 95 %); A/A failed in $aa_failed (target 0); last change $(jq -r '[.metrics[] | select(.metric == "latency" and .stat == null)][0].change' "$tmp/v.json"); load average $(cut -d' ' -f1-3 /proc/loadavg)"
  if ((caught * 100 < 95 * trials || aa_failed > 0)); then
    echo "result: $mode TARGET MISSED"
    status=1
  fi
done
[[ $status -eq 0 ]] && echo "result: targets met"
exit $status
