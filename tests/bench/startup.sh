#!/usr/bin/env bash
# startup.sh - what perfgate costs before it does anything: `perfgate --version` (the executable
# alone, libc only), `perfgate show --help` (a verb: the module libperfgate-cli.so and the libraries
# it needs are loaded; no spawner) and `perfgate run --help` (a measuring verb: the spawner is
# forked first), beside /bin/true and an empty main() linked against the libraries the module links
# (what the dynamic loader alone costs a verb: libgit2 brings its TLS, SSH, Kerberos and regex
# libraries), all timed by hyperfine -N in one run.
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
module=$build/libperfgate-cli.so
[[ -f $module ]] || { echo "startup: $module is not built" >&2; exit 3; }
echo "shared libraries loaded: $(ldd "$pg" | grep -c '=>') by the executable, $(ldd "$module" | grep -c '=>') by a verb"
# A verb's loader floor: main() { return 0; } needing what the module needs.
needed=$(readelf -d "$module" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | grep -v '^libc\.so' |
  sed 's/^/-l:/' | tr '\n' ' ')
printf 'int main(void) { return 0; }\n' >"$tmp/empty.c"
# shellcheck disable=SC2086 # one -l: argument per library
cc -O2 -o "$tmp/empty-with-libs" "$tmp/empty.c" -Wl,--no-as-needed $needed ||
  { echo "startup: cannot link an empty main against $needed" >&2; exit 3; }
hyperfine -N --runs "$runs" --warmup 20 --export-json "$tmp/h.json" \
  /bin/true "$pg --version" "$pg show --help" "$pg run --help" "$tmp/empty-with-libs" >/dev/null 2>&1
true_ms=$(jq '.results[0].mean * 1000' "$tmp/h.json")
jq -r --argjson t "$true_ms" '.results[] | "\(.command)\t\(.mean * 1000)\t\(.mean * 1000 / $t)"' "$tmp/h.json" |
  awk -F'\t' '{ printf "%-40s %8.3f ms  %5.1f x /bin/true\n", $1, $2, $3 }'
version_ms=$(jq '.results[1].mean * 1000' "$tmp/h.json")
floor_ms=$(jq '.results[4].mean * 1000' "$tmp/h.json")
awk -v v="$version_ms" -v f="$floor_ms" 'BEGIN {
  printf "perfgate --version: %.3f ms against the 2 ms target: %s; a verb'"'"'s loader floor (an empty main with the module'"'"'s libraries): %.3f ms\n", v, v <= 2 ? "met" : "MISSED", f }'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
