#!/usr/bin/env bash
# notes_scale.sh - reading results from a 100,000-commit history with a note on every commit:
# `perfgate log -n 50` (what a baseline lookup at depth 50 reads), `perfgate log -n 10000`,
# and `git notes show` called for the same 50 commits, for comparison; `perfgate log` over the whole
# history: its time with the summary index cold (built on that read) and warm, and its peak RSS.
#   tests/bench/notes_scale.sh [BUILD_DIR] [COMMITS] [SAMPLES]   (default: build, 100000, 30)
# PERFGATE overrides the executable. Targets: lookup <= 50 ms, log -n 10000 <= 1 s, peak RSS of
# log over 100,000 commits <= 64 MiB.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
commits=${2:-100000}
samples_per_note=${3:-30}
pg=${PERFGATE:-$build/perfgate}
"$pg" help | grep -q '^  log ' || { echo "notes_scale: $pg has no log verb" >&2; exit 3; }
tmp=$(mktemp -d)
trap '[[ -n "${PG_KEEP:-}" ]] || rm -rf "$tmp"' EXIT
repo=$tmp/repo
git init -q -b main "$repo"

# One fast-import stream: the commits on main, then one notes commit with a note on each
# (fast-import fans the notes tree out by itself: ab/cd/ef... at this size).
start=$(date +%s%N)
awk -v n="$commits" -v ns="$samples_per_note" 'BEGIN {
  for (i = 1; i <= n; i++) {
    printf "commit refs/heads/main\nmark :%d\ncommitter Bench <bench@perfgate.invalid> %d +0000\n", i, 1600000000 + i * 60
    msg = sprintf("change %d: adjust the matcher table", i)
    printf "data %d\n%s\n\n", length(msg), msg
  }
  printf "commit refs/notes/perfgate\ncommitter perfgate <perfgate@localhost> %d +0000\ndata 12\nbench notes\n\n", 1600000000 + n * 60
  for (i = 1; i <= n; i++) {
    samples = ""
    for (s = 0; s < ns; s++)
      samples = samples sprintf("%s%.4f", s ? "," : "", 4.5 + ((i * 7 + s * 13) % 100) / 200.0)
    med = 4.5 + (i % 100) / 200.0
    note = sprintf("{\"schema\":\"perfgate/1\",\"run_id\":\"00000000-0000-4000-8000-%012d\",\"commit\":null,\"dirty\":false," \
      "\"env\":{\"key\":\"linux-x86_64-bench\",\"os\":\"linux\",\"arch\":\"x86_64\",\"cpu\":\"Bench CPU\",\"cores\":2,\"runner\":\"github\"}," \
      "\"created\":\"2026-01-01T00:00:%02d.%03dZ\",\"tool\":\"perfgate 0.1.0\",\"rss_floor\":1843200,\"benchmarks\":[" \
      "{\"name\":\"matcher\",\"kind\":\"matcher\",\"status\":\"ok\",\"reason\":null,\"definition_hash\":\"3f9a0c1d2e3f4a5b\",\"metrics\":[" \
      "{\"name\":\"latency\",\"unit\":\"ms\",\"better\":\"lower\",\"samples\":[%s],\"summary\":{\"n\":%d,\"min\":4.5,\"max\":4.995,\"mean\":%.4f,\"stddev\":0.14,\"median\":%.4f,\"mad\":0.2,\"p50\":%.4f,\"p90\":4.9,\"p95\":4.95,\"p99\":4.99}}," \
      "{\"name\":\"hit_rate\",\"unit\":\"ratio\",\"better\":\"higher\",\"value\":0.862}]}," \
      "{\"name\":\"binary\",\"kind\":\"size\",\"status\":\"ok\",\"reason\":null,\"definition_hash\":\"0123456789abcdef\",\"metrics\":[" \
      "{\"name\":\"stripped_bytes\",\"unit\":\"bytes\",\"better\":\"lower\",\"value\":%d}]}]}", \
      i, i % 60, i % 1000, samples, ns, med, med, med, 1200000 + i)
    printf "N inline :%d\ndata %d\n%s\n", i, length(note) + 1, note
  }
}' | git -C "$repo" fast-import --quiet
git -C "$repo" reset -q --hard main
built=$(( ($(date +%s%N) - start) / 1000000 ))

# best of 5, in ms
best_ms() {
  local best=999999999 t0 t1
  for _ in 1 2 3 4 5; do
    t0=$(date +%s%N)
    "$@" >/dev/null
    t1=$(date +%s%N)
    (( (t1 - t0) / 1000 < best )) && best=$(( (t1 - t0) / 1000 ))
  done
  awk -v us="$best" 'BEGIN { printf "%.1f", us / 1000 }'
}
cd "$repo"
git rev-list --first-parent -n 50 HEAD >"$tmp/fifty"
git_show_50() { while read -r c; do git notes --ref=perfgate show "$c"; done <"$tmp/fifty"; }

# The whole history, first (the summary index is built on this read) and again.
t0=$(date +%s%N); "$pg" log -n "$commits" >/dev/null; t1=$(date +%s%N)
all_cold=$(( (t1 - t0) / 1000000 ))
t0=$(date +%s%N); "$pg" log -n "$commits" >/dev/null; t1=$(date +%s%N)
all_warm=$(( (t1 - t0) / 1000000 ))
rss_kb=0
if [[ -x /usr/bin/time ]]; then
  rss_kb=$( { /usr/bin/time -f '%M' "$pg" log -n "$commits" >/dev/null; } 2>&1 | tail -n 1)
fi
rows=$("$pg" log -n 10000 | wc -l)
[[ $rows -eq 10001 ]] || { echo "notes_scale: log -n 10000 printed $rows lines, expected 10001" >&2; exit 1; }
"$pg" log -n 3 | grep -q '4\.[0-9]* ms' || { echo "notes_scale: log shows no values" >&2; exit 1; }
depth=$(git ls-tree -r --name-only refs/notes/perfgate | sed -n 1p | tr -cd / | wc -c)
lookup=$(best_ms "$pg" log -n 50)
log=$(best_ms "$pg" log -n 10000)
gitshow=$(best_ms git_show_50)
note_bytes=$(git notes --ref=perfgate show HEAD | wc -c)

printf '%d commits, a %d-byte note on each (notes tree fanned out %d levels); built in %.1f s\n' \
  "$commits" "$note_bytes" "$depth" "$(awk -v ms="$built" 'BEGIN { print ms / 1000 }')"
printf '  perfgate log -n 50 (lookup at depth 50)     %8s ms   (target <= 50)\n' "$lookup"
printf '  perfgate log -n 10000                        %8s ms   (target <= 1000)\n' "$log"
printf '  git notes show, 50 commits in a loop         %8s ms\n' "$gitshow"
printf '  perfgate log -n %d: index cold %d ms, warm %d ms; peak RSS %s (target <= 64 MiB)\n' "$commits" \
  "$all_cold" "$all_warm" "$( ((rss_kb > 0)) && awk -v k="$rss_kb" 'BEGIN { printf "%.1f MiB", k / 1024 }' || echo "not measured (no /usr/bin/time)")"
echo "  load average $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v a="$lookup" -v b="$log" -v r="$rss_kb" 'BEGIN {
  ok = (a <= 50 && b <= 1000 && r <= 65536)
  print ok ? "result: targets met" : "result: TARGET MISSED"
  exit ok ? 0 : 1
}'
