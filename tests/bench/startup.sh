#!/usr/bin/env bash
# startup.sh - what perfgate costs before it does anything: `perfgate --version` (the executable
# alone, libc only), `perfgate show --help` (a verb: the module libperfgate-cli.so and the libraries
# it needs are loaded; no spawner, no libgit2), `perfgate run --help` (a measuring verb: the spawner
# is forked first) and `perfgate log -n 1` in a one-commit repository (a verb that opens one:
# libgit2 and the fourteen libraries it needs come with libperfgate-git.so), beside /bin/true and
# two empty main()s, linked against the libraries the module links and against those and the git
# module's (what the dynamic loader alone costs a verb), all timed by hyperfine -N in one run.
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
git_module=$build/libperfgate-git.so
[[ -f $git_module ]] || { echo "startup: $git_module is not built" >&2; exit 3; }
echo "shared libraries loaded: $(ldd "$pg" | grep -c '=>') by the executable, $(ldd "$module" | grep -c '=>') by a verb," \
  "$(ldd "$git_module" | grep -c '=>') by the git module (libgit2 and what it needs)"
# A verb's loader floor: main() { return 0; } needing what the module needs (and the git module).
needed() { readelf -d "$@" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | grep -v '^libc\.so' | sort -u |
  sed 's/^/-l:/' | tr '\n' ' '; }
printf 'int main(void) { return 0; }\n' >"$tmp/empty.c"
for floor in "module:$module" "git:$module $git_module"; do
  # shellcheck disable=SC2046 # one -l: argument per library
  cc -O2 -o "$tmp/empty-with-${floor%%:*}-libs" "$tmp/empty.c" -Wl,--no-as-needed $(needed ${floor#*:}) ||
    { echo "startup: cannot link an empty main against the libraries of ${floor#*:}" >&2; exit 3; }
done
git init -q "$tmp/repo" && git -C "$tmp/repo" -c user.name=s -c user.email=s@perfgate.invalid \
  commit -q --allow-empty -m one
# In the repository: log opens it.
(cd "$tmp/repo" && hyperfine -N --runs "$runs" --warmup 20 --export-json "$tmp/h.json" \
  /bin/true "$pg --version" "$pg show --help" "$pg run --help" "$pg log -n 1" \
  "$tmp/empty-with-module-libs" "$tmp/empty-with-git-libs" >/dev/null 2>&1)
true_ms=$(jq '.results[0].mean * 1000' "$tmp/h.json")
jq -r --argjson t "$true_ms" '.results[] | "\(.command)\t\(.mean * 1000)\t\(.mean * 1000 / $t)"' "$tmp/h.json" |
  awk -F'\t' '{ printf "%-40s %8.3f ms  %5.1f x /bin/true\n", $1, $2, $3 }'
version_ms=$(jq '.results[1].mean * 1000' "$tmp/h.json")
floor_ms=$(jq '.results[5].mean * 1000' "$tmp/h.json")
git_floor_ms=$(jq '.results[6].mean * 1000' "$tmp/h.json")
awk -v v="$version_ms" -v f="$floor_ms" -v g="$git_floor_ms" 'BEGIN {
  printf "perfgate --version: %.3f ms against the 2 ms target: %s; loader floors (an empty main with the libraries): a verb %.3f ms, a verb that opens a repository %.3f ms\n", v, v <= 2 ? "met" : "MISSED", f, g }'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
