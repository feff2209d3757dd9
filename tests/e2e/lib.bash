# lib.bash - helpers for the end-to-end tests (sourced by each tests/e2e/*.sh)
set -uo pipefail

: "${PERFGATE:?set PERFGATE to the perfgate executable}"
: "${PG_BINDIR:?set PG_BINDIR to the build directory}"
: "${PG_SRCDIR:?set PG_SRCDIR to the source tree}"
WORKLOAD="$PG_BINDIR/perfgate-workload"

T=$(mktemp -d "${TMPDIR:-/tmp}/perfgate-e2e.XXXXXX")
trap '[[ -n "${PG_KEEP:-}" ]] || rm -rf "$T"' EXIT
cd "$T" || exit 1
failures=0
passes=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

pass() {
  passes=$((passes + 1))
}

# run_pg NAME EXPECTED_STATUS ARGS... : run perfgate, keep stdout/stderr in $T/NAME.{out,err}
run_pg() {
  local name=$1 want=$2
  shift 2
  "$PERFGATE" "$@" >"$T/$name.out" 2>"$T/$name.err"
  local got=$?
  if [[ $got -ne $want ]]; then
    fail "$name: exit status $got, expected $want (perfgate $*)"
    sed 's/^/    stderr: /' "$T/$name.err" | head -n 5 >&2
    return 1
  fi
  pass
  return 0
}

# expect_err NAME PATTERN : stderr of NAME matches the extended regex
expect_err() {
  if grep -Eq -- "$2" "$T/$1.err"; then pass; else
    fail "$1: stderr does not match /$2/:"
    sed 's/^/    /' "$T/$1.err" | head -n 5 >&2
  fi
}

expect_out() {
  if grep -Eq -- "$2" "$T/$1.out"; then pass; else
    fail "$1: stdout does not match /$2/:"
    sed 's/^/    /' "$T/$1.out" | head -n 8 >&2
  fi
}

# check DESCRIPTION COMMAND... : a condition that must hold
check() {
  local what=$1
  shift
  if "$@" >/dev/null; then pass; else fail "$what"; fi
}

# check_trials DESCRIPTION GOT TRIALS : GOT of TRIALS went the expected way, at most one the other.
# For decisions against a stored baseline only (timing_decision.sh): a burst of other work on a
# shared runner (a neighbour's job, steal time) can land on a head run and its confirmation
# alike, and the gate cannot tell it from the code. A broken decision rule (a wrong direction,
# the threshold ignored, no significance test) misses in most trials, not one.
check_trials() {
  local what=$1 got=$2 trials=$3
  if [[ $got -ge $((trials - 1)) ]]; then pass; else fail "$what: $got of $trials trials"; fi
}

# make_repo DIR : a git repository with one commit and a user
make_repo() {
  mkdir -p "$1"
  git -C "$1" init -q -b main
  git -C "$1" config user.name "perfgate test"
  git -C "$1" config user.email "test@perfgate.invalid"
  echo one >"$1/file.txt"
  git -C "$1" add file.txt
  git -C "$1" commit -q -m "first"
}

# hyperfine_json FILE SCALE SAMPLE...: a hyperfine export of command "w", samples in ms times SCALE.
hyperfine_json() {
  local file=$1 scale=$2
  shift 2
  printf '%s\n' "$@" | awk -v s="$scale" '{ t[NR] = $1 * s / 1000 } END {
    printf "{\"results\":[{\"command\":\"w\",\"mean\":%.9f,\"stddev\":0,\"median\":%.9f,\"user\":0,\"system\":0,\"min\":%.9f,\"max\":%.9f,\"times\":[", t[1], t[1], t[1], t[1]
    for (i = 1; i <= NR; i++) printf "%s%.9f", (i > 1 ? "," : ""), t[i]
    print "]}]}"
  }' >"$file"
}

finish() {
  echo "$passes passed, $failures failed"
  [[ $failures -eq 0 ]]
  exit $?
}
