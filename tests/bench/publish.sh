#!/usr/bin/env bash
# publish.sh - `perfgate publish` over 1,000 commits with 50 metrics each: the full build of the site,
# a second run with nothing new, and the run after one more commit where every benchmark was measured
# (the normal CI case: every metric page, its plot and its data file change), three times over: each
# run's time and their median, which the target holds (the machine's speed wanders between runs).
#   tests/bench/publish.sh [BUILD_DIR] [COMMITS] [BENCHMARKS]   (default: build, 1000, 50)
# PERFGATE overrides the executable. Targets: full build <= 10 s, one more commit <= 1 s.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
commits=${2:-1000}
benches=${3:-50}
pg=${PERFGATE:-$build/perfgate}
"$pg" help 2>&1 | grep -q '^  publish ' || { echo "publish bench: $pg has no publish verb" >&2; exit 3; }
command -v gnuplot >/dev/null || echo "publish bench: gnuplot is not installed: timing pages without plots" >&2
tmp=$(mktemp -d)
trap '[[ -n "${PG_KEEP:-}" ]] || rm -rf "$tmp"' EXIT
repo=$tmp/repo
git init -q -b main "$repo"

# note BENCH_FROM BENCH_TO I: one result set line with benchmarks b<from>..b<to>, one metric each
# (a 10-sample median and its summary), the level stepping every 100 commits; every fifth
# benchmark 15 % slower from the middle commit on (a change point on its page). A release tag
# every 100 commits (a sign-off page each).
gen() {
  awk -v n="$commits" -v nb="$benches" -v only="${1:-}" '
  function note(i, from, to,   s, b, v, samples, k) {
    s = sprintf("{\"schema\":\"perfgate/1\",\"run_id\":\"00000000-0000-4000-8000-%012d\",\"commit\":null,\"dirty\":false," \
      "\"env\":{\"key\":\"linux-x86_64-bench\",\"os\":\"linux\",\"arch\":\"x86_64\",\"cpu\":\"Bench CPU\",\"cores\":2,\"runner\":\"github\"}," \
      "\"created\":\"2026-01-01T00:00:%02d.%03dZ\",\"tool\":\"perfgate 0.1.0\",\"rss_floor\":1843200,\"benchmarks\":[", i, i % 60, i % 1000)
    for (b = from; b <= to; b++) {
      v = 4.5 + (b % 7) + int(i / 100) * 0.05 + ((i * 7 + b * 13) % 10) / 500.0
      if (b % 5 == 0 && i > n / 2)
        v *= 1.15
      samples = ""
      for (k = 0; k < 10; k++)
        samples = samples sprintf("%s%.4f", k ? "," : "", v + (k - 5) / 1000.0)
      s = s sprintf("%s{\"name\":\"bench%02d\",\"kind\":\"command\",\"status\":\"ok\",\"reason\":null,\"definition_hash\":\"3f9a0c1d2e3f4a5b\",\"metrics\":[" \
        "{\"name\":\"wall\",\"unit\":\"ms\",\"better\":\"lower\",\"samples\":[%s],\"summary\":{\"n\":10,\"min\":%.4f,\"max\":%.4f,\"mean\":%.4f,\"stddev\":0.003,\"median\":%.4f,\"mad\":0.002,\"p50\":%.4f,\"p90\":%.4f,\"p95\":%.4f,\"p99\":%.4f}}]}", \
        b > from ? "," : "", b, samples, v - 0.005, v + 0.004, v, v, v, v + 0.003, v + 0.004, v + 0.004)
    }
    return s "]}"
  }
  BEGIN {
    if (only != "") {
      # one more commit on top of main (the only-th more), every benchmark measured
      n += only - 1
      printf "commit refs/heads/main\nmark :%d\ncommitter Bench <bench@perfgate.invalid> %d +0000\n", n + 1, 1600000000 + (n + 1) * 60
      msg = "one more change"
      printf "data %d\n%s\nfrom refs/heads/main^0\n\n", length(msg), msg
      printf "commit refs/notes/perfgate\ncommitter perfgate <perfgate@localhost> %d +0000\ndata 4\nmore\nfrom refs/notes/perfgate^0\n", 1600000000 + (n + 1) * 60
      t = note(n + 1, 1, nb)
      printf "N inline :%d\ndata %d\n%s\n", n + 1, length(t) + 1, t
      exit
    }
    for (i = 1; i <= n; i++) {
      printf "commit refs/heads/main\nmark :%d\ncommitter Bench <bench@perfgate.invalid> %d +0000\n", i, 1600000000 + i * 60
      msg = sprintf("change %d: adjust the matcher table", i)
      printf "data %d\n%s\n\n", length(msg), msg
    }
    for (i = 100; i <= n; i += 100) {
      msg = sprintf("release %d.0", i / 100)
      printf "tag v%d.0\nfrom :%d\ntagger Bench <bench@perfgate.invalid> %d +0000\ndata %d\n%s\n", i / 100, i, 1600000000 + i * 60 + 30, length(msg), msg
    }
    printf "commit refs/notes/perfgate\ncommitter perfgate <perfgate@localhost> %d +0000\ndata 12\nbench notes\n\n", 1600000000 + n * 60
    for (i = 1; i <= n; i++) {
      t = note(i, 1, nb)
      printf "N inline :%d\ndata %d\n%s\n", i, length(t) + 1, t
    }
  }'
}
gen | git -C "$repo" fast-import --quiet
git -C "$repo" reset -q --hard main

ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b - a) / 1e6 }'; }
cd "$repo"
n=$((commits + 10))
t0=$(date +%s%N); "$pg" publish -o "$tmp/site" -n "$n" >"$tmp/full.out"; t1=$(date +%s%N)
full=$(ms "$t0" "$t1")
t0=$(date +%s%N); "$pg" publish -o "$tmp/site" -n "$n" >"$tmp/same.out"; t1=$(date +%s%N)
same=$(ms "$t0" "$t1")
mores=()
for k in 1 2 3; do
  gen "$k" | git fast-import --quiet
  git reset -q --hard main
  t0=$(date +%s%N); "$pg" publish -o "$tmp/site" -n "$n" >"$tmp/more.out"; t1=$(date +%s%N)
  mores+=("$(ms "$t0" "$t1")")
done
more=$(printf '%s\n' "${mores[@]}" | sort -n | sed -n 2p)
pages=$(ls "$tmp/site" | wc -l)
bytes=$(du -sk "$tmp/site" | cut -f1)

printf '%d commits x %d metrics, -n %d: %d files, %d KiB\n' "$commits" "$benches" "$n" "$pages" "$bytes"
printf '  full build                        %7d ms   (target <= 10000)  %s\n' "$full" "$(cat "$tmp/full.out")"
printf '  again, nothing new                %7d ms                      %s\n' "$same" "$(cat "$tmp/same.out")"
printf '  one more commit (all benchmarks)  %7d ms   (target <= 1000)   %s\n' "$more" "$(cat "$tmp/more.out")"
printf '    the three runs: %s ms; the median is held to the target\n' "${mores[*]}"
printf '  load average %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
awk -v a="$full" -v b="$more" 'BEGIN {
  ok = (a <= 10000 && b <= 1000)
  print ok ? "result: targets met" : "result: TARGET MISSED"
  exit ok ? 0 : 1
}'
