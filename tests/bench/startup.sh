#!/usr/bin/env bash
# startup.sh - what perfgate costs before it does anything: `perfgate --version` (no spawner, no
# repository), `perfgate show --help` (a verb that measures nothing: no spawner either) and
# `perfgate run --help` (a measuring verb: the spawner is forked first), beside /bin/true, all
# timed by hyperfine -N in one run.
#   tests/bench/startup.sh [BUILD_DIR] [RUNS]     (default: build, 300)
# Prints each mean, its ratio to /bin/true, and the load average; the target is a 2 ms start.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
runs=${2:-300}
command -v hyperfine >/dev/null || { echo "startup: hyperfine is not installed (apt-get install hyperfine)" >&2; exit 3; }
command -v jq >/dev/null || { echo "startup: jq is not installed" >&2; exit 3; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pg=$build/perfgate
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; $runs runs each"
echo "shared libraries loaded: $(ldd "$pg" | grep -c '=>')"
hyperfine -N --runs "$runs" --warmup 20 --export-json "$tmp/h.json" \
  /bin/true "$pg --version" "$pg show --help" "$pg run --help" >/dev/null 2>&1
true_ms=$(jq '.results[0].mean * 1000' "$tmp/h.json")
jq -r --argjson t "$true_ms" '.results[] | "\(.command)\t\(.mean * 1000)\t\(.mean * 1000 / $t)"' "$tmp/h.json" |
  awk -F'\t' '{ printf "%-40s %8.3f ms  %5.1f x /bin/true\n", $1, $2, $3 }'
version_ms=$(jq '.results[1].mean * 1000' "$tmp/h.json")
awk -v v="$version_ms" 'BEGIN { printf "perfgate --version: %.3f ms against the 2 ms target: %s\n", v, v <= 2 ? "met" : "MISSED" }'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
