#!/usr/bin/env bash
# changes_scale.sh - `perfgate changes -n 10000` over 10,000 commits x 20 metrics, each metric with one +20 % step.
#   tests/bench/changes_scale.sh [BUILD_DIR] [COMMITS] [METRICS] [SAMPLES]   (default: build, 10000, 20, 10)
# PERFGATE overrides the executable. Target: <= 2 s.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
commits=${2:-10000}
metrics=${3:-20}
samples_per_metric=${4:-10}
pg=${PERFGATE:-$build/perfgate}
"$pg" help | grep -q '^  changes ' || { echo "changes_scale: $pg has no changes verb" >&2; exit 3; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
repo=$tmp/repo
git init -q -b main "$repo"

# Benchmark b steps up 20 % at commit step(b) = n/4 + b * n/(2 * metrics); per-commit noise +-1 %.
start=$(date +%s%N)
awk -v n="$commits" -v nm="$metrics" -v ns="$samples_per_metric" 'BEGIN {
  srand(1)
  for (i = 1; i <= n; i++) {
    printf "commit refs/heads/main\nmark :%d\ncommitter Bench <bench@perfgate.invalid> %d +0000\n", i, 1600000000 + i * 60
    msg = sprintf("change %d", i)
    printf "data %d\n%s\n\n", length(msg), msg
  }
  printf "commit refs/notes/perfgate\ncommitter perfgate <perfgate@localhost> %d +0000\ndata 12\nbench notes\n\n", 1600000000 + n * 60
  for (i = 1; i <= n; i++) {
    benches = ""
    for (b = 0; b < nm; b++) {
      level = 100 * (i >= int(n / 4 + b * n / (2 * nm)) ? 1.2 : 1.0)
      samples = ""
      for (s = 0; s < ns; s++)
        samples = samples sprintf("%s%.4f", s ? "," : "", level * (1 + (rand() - 0.5) / 50))
      med = level * (1 + (rand() - 0.5) / 50)
      benches = benches sprintf("%s{\"name\":\"b%02d\",\"kind\":\"command\",\"status\":\"ok\",\"reason\":null,\"definition_hash\":\"3f9a0c1d2e3f4a5b\",\"metrics\":[" \
        "{\"name\":\"wall\",\"unit\":\"ms\",\"better\":\"lower\",\"samples\":[%s],\"summary\":{\"n\":%d,\"min\":%.4f,\"max\":%.4f,\"mean\":%.4f,\"stddev\":0.5,\"median\":%.4f,\"mad\":0.4,\"p50\":%.4f,\"p90\":%.4f,\"p95\":%.4f,\"p99\":%.4f}}]}", \
        b ? "," : "", b, samples, ns, level * 0.99, level * 1.01, med, med, med, level * 1.008, level * 1.009, level * 1.01)
    }
    # (concatenated, not sprintf: mawk caps a sprintf result at 8 KiB)
    note = sprintf("{\"schema\":\"perfgate/1\",\"run_id\":\"00000000-0000-4000-8000-%012d\",\"commit\":null,\"dirty\":false," \
      "\"env\":{\"key\":\"linux-x86_64-bench\",\"os\":\"linux\",\"arch\":\"x86_64\",\"cpu\":\"Bench CPU\",\"cores\":2,\"runner\":\"github\"}," \
      "\"created\":\"2026-01-01T00:00:%02d.%03dZ\",\"tool\":\"perfgate 0.1.0\",\"rss_floor\":1843200,\"benchmarks\":[", \
      i, i % 60, i % 1000) benches "]}"
    printf "N inline :%d\ndata %d\n%s\n", i, length(note) + 1, note
  }
}' | git -C "$repo" fast-import --quiet
git -C "$repo" reset -q --hard main
built=$(( ($(date +%s%N) - start) / 1000000 ))

cd "$repo"
# The first read builds the summary index; the timed runs below read through it.
t0=$(date +%s%N)
"$pg" changes -n "$commits" --format json >"$tmp/changes.json"
cold=$(( ($(date +%s%N) - t0) / 1000000 ))
t0=$(date +%s%N)
PERFGATE_NO_INDEX=1 "$pg" changes -n "$commits" >/dev/null
bypass=$(( ($(date +%s%N) - t0) / 1000000 ))
found=$(jq '.changes | length' "$tmp/changes.json")
series=$(jq '.metrics' "$tmp/changes.json")
[[ $series -eq $metrics ]] || { echo "changes_scale: $series metrics examined, expected $metrics" >&2; exit 1; }
# Each step found at its commit (change N is commit N: subjects say "change N").
missed=$(jq --argjson n "$commits" --argjson nm "$metrics" '[range(0; $nm) as $b
  | ("b" + (if $b < 10 then "0" else "" end) + ($b | tostring) + ".wall") as $m
  | (($n / 4 + $b * $n / (2 * $nm)) | floor) as $at
  | select([.changes[] | select(.metric == $m and .subject == "change \($at)")] | length != 1)] | length' "$tmp/changes.json")

best=999999999
for _ in 1 2 3; do
  t0=$(date +%s%N)
  "$pg" changes -n "$commits" >/dev/null
  t1=$(date +%s%N)
  (( (t1 - t0) / 1000000 < best )) && best=$(( (t1 - t0) / 1000000 ))
done
printf '%d commits x %d metrics (%d samples each), built in %.1f s\n' "$commits" "$metrics" "$samples_per_metric" \
  "$(awk -v ms="$built" 'BEGIN { print ms / 1000 }')"
printf '  perfgate changes -n %d    %6d ms   (target <= 2000); %d changes found, %d of %d steps missed\n' \
  "$commits" "$best" "$found" "$missed" "$metrics"
printf '  the same, summary index cold (built) %d ms, bypassed (PERFGATE_NO_INDEX=1) %d ms; load average %s\n' \
  "$cold" "$bypass" "$(cut -d' ' -f1-3 /proc/loadavg)"
[[ $missed -eq 0 && $found -eq $metrics && $best -le 2000 ]] && echo "result: targets met" || { echo "result: TARGET MISSED"; exit 1; }
