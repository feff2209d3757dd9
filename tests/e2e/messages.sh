#!/usr/bin/env bash
# messages.sh - what perfgate says is inert and says the right thing: -q/-v on every verb,
# control characters from names and a benchmark's output never reach a terminal raw, a bare
# repository's --save names --commit, a row with only an absolute gate says so.
source "$(dirname "$0")/lib.bash"

# ---- -q and -v: every verb takes them ----
for verb in run check ab bisect compare import show log plot changes publish export accept prune size sync hook save; do
  run_pg "q-$verb" 0 "$verb" -q --help
  run_pg "v-$verb" 0 "$verb" --verbose --help
  expect_out "v-$verb" '(^| )-q[, ]'
  expect_out "v-$verb" '-v, --verbose'
  # Help is printed as it is, not through printf: a doubled %% would reach the reader.
  check "$verb --help has no doubled %" bash -c "! grep -q '%%' '$T/v-$verb.out'"
done

make_repo repo
cd repo || exit 1
cat >g.json <<'JSON'
{"schema": "perfgate-gates/1", "defaults": {"runs": 3, "warmup": 0, "probe": false},
 "benchmarks": [{"name": "t", "command": ["true"]}],
 "gates": [{"metric": "t.wall.p99", "max": "10s"}]}
JSON
git add g.json && git commit -q -m gates
run_pg save-one 0 run -q --save -c g.json
# -q on a read-only verb: its output stays, nothing is said on stderr.
run_pg show-q 0 show -q
expect_out show-q '^linux|t +ok'
check "show -q says nothing on stderr" test ! -s "$T/show-q.err"
# -v says which repository, gates file, env key and baseline it used.
run_pg check-v 0 check -v -c g.json --base HEAD
expect_err check-v '^perfgate: repository /'
expect_err check-v '^perfgate: gates file g\.json: 1 benchmark, regression threshold 10 %'
expect_err check-v '^perfgate: env key [a-z0-9._-]+ \(detected\)'
expect_err check-v '^perfgate: baseline: [0-9a-f]{40} \(--base HEAD\)'
run_pg log-v 0 log -v
expect_err log-v '^perfgate: repository /'
run_pg log-plain 0 log
check "log without -v says nothing about the repository" bash -c "! grep -q 'repository' '$T/log-plain.err'"

# ---- a row with only an absolute gate says so, in the terminal and in markdown ----
expect_out check-v 'wall\.p99 .*\(absolute gate only\)'
expect_out check-v 'user .*\(not gated\)'
run_pg check-md 0 check -q -c g.json --base HEAD --format markdown
expect_out check-md '\| wall\.p99 \|.*\| absolute gate only \|'

# ---- control characters: inert on stdout and stderr ----
printf '%s\n' '{"schema": "perfgate-gates/1", "defaults": {"runs": 2, "warmup": 0, "probe": false},' \
  ' "benchmarks": [{"name": "a\u001b[31mred\u0007", "command": ["sh", "-c", "printf '"'"'x\\033]0;title\\007\\n::error::boom\\n'"'"' >&2; exit 1"]}]}' >hostile.json
run_pg hostile-run 1 run -c hostile.json
run_pg hostile-check 1 check -c hostile.json --base HEAD
for f in hostile-run hostile-check; do
  for stream in out err; do
    check "$f.$stream has no ESC or BEL byte" bash -c "! grep -q \$'[\\x1b\\x07]' '$T/$f.$stream'"
    check "$f.$stream has no line that starts a workflow command" bash -c "! grep -q '^::' '$T/$f.$stream'"
  done
done
expect_out hostile-run 'a\\x1b\[31mred\\x07'
expect_err hostile-run "benchmark 'a\\\\x1b\[31mred\\\\x07' failed: .*stderr: x\\\\x1b\]0;title\\\\x07 ::error::boom"
# A usage error keeps its usage on a line of its own.
run_pg usage 2 show --no-such-option
expect_err usage "^perfgate: show: unknown option '--no-such-option'$"
expect_err usage '^usage: perfgate show '
run_pg usage-value 2 show --env
expect_err usage-value "^perfgate: show: missing value for option '--env'$"
run_pg usage-flag 2 show --all-runs=yes
expect_err usage-flag "^perfgate: show: option '--all-runs' takes no value$"
# compare names its sides with options; a stray operand is refused, not ignored.
run_pg compare-operand 2 compare base.json head.json
expect_err compare-operand "unexpected argument 'base\.json': name the sides with --base and --head"
run_pg hook-word 2 hook instal
expect_err hook-word "expected 'install' or 'print', found 'instal'"

# ---- a bare repository: --save needs --commit, and says so ----
cd "$T" || exit 1
git clone -q --bare repo bare.git
cd bare.git || exit 1
run_pg bare-save 2 run -q --save -c "$T/repo/g.json"
expect_err bare-save 'bare repository.*--commit REV'
run_pg bare-save-commit 0 run -q --save -c "$T/repo/g.json" --commit HEAD
run_pg bare-show 0 show HEAD
expect_out bare-show 't +ok'

# ---- plot: names gnuplot must read as text, and names that make one file name ----
if command -v gnuplot >/dev/null; then
  make_repo plots
  cd plots || exit 1
  printf '%s\n' '{"schema": "perfgate-gates/1", "defaults": {"runs": 3, "warmup": 0, "probe": false},' \
    ' "benchmarks": [{"name": "'"'"'q", "command": ["true"]}, {"name": "a|b", "command": ["true"]},' \
    '  {"name": "a\tb", "command": ["true"]}]}' >g.json
  git add g.json && git commit -q -m gates
  run_pg plot-save1 0 run -q --save -c g.json
  git commit -q --allow-empty -m two
  run_pg plot-save2 0 run -q --save -c g.json
  run_pg plot-names 0 plot -o out
  for f in _q.wall.png a_b.wall.png a_b.wall-2.png; do
    check "plot wrote $f, a PNG" bash -c "head -c 8 'out/$f' | od -An -tx1 | grep -q '89 50 4e 47'"
  done
  check "no plot is dropped with a warning" bash -c "! grep -q 'share the plot file' '$T/plot-names.err'"
  run_pg plot-check 0 check -q -c g.json --base HEAD~1 --plot checkplots
  check "check --plot draws the benchmark named 'q" test -s "checkplots/_q.wall.dist.png"
  cd "$T" || exit 1
else
  echo "skipped: the plot names need gnuplot (not installed)"
fi

# ---- --repo-url goes into href attributes: http(s) only ----
cd repo || exit 1
n=0
for url in 'javascript:alert(1)' 'data:text/html,x' 'https://' 'https://x/"onclick="y'; do
  n=$((n + 1))
  run_pg "repo-url-$n" 2 publish -o site --repo-url "$url"
  expect_err "repo-url-$n" "--repo-url .*: expected an http:// or https:// address"
done
check "a refused --repo-url writes no site" test ! -e site
run_pg repo-url-ok 0 publish -q -o site --repo-url https://example.invalid/o/r/
check "the site links commits to URL/commit/SHA" grep -rq 'href="https://example.invalid/o/r/commit/' site

# ---- accept --reason is one line: it is printed in every report ----
run_pg accept-newline 2 accept 't.*' --reason $'intended\n::error::forged'
expect_err accept-newline "accept: --reason: expected one line"
run_pg accept-show 0 show --format json
check "the refused acceptance left no record" bash -c "! grep -q forged '$T/accept-show.out'"
cd "$T" || exit 1

# ---- -o FILE beside --format F=FILE: -o takes the text report, each file its own ----
cd repo || exit 1
run_pg out-beside 0 check -q -c g.json --base HEAD -o report.txt --format json=verdict.json
check "-o beside --format json=FILE: the text report in report.txt" grep -q '^t$' report.txt
check "-o beside --format json=FILE: the verdict in verdict.json" jq -e '.schema == "perfgate-verdict/1"' verdict.json
check "no file named after both" bash -c '! ls | grep -q "="'
cd "$T" || exit 1

# ---- the no-baseline warning counts every commit it searched ----
make_repo nobase
cd nobase || exit 1
cp "$T/repo/g.json" . && git add g.json && git commit -q -m two && git commit -q --allow-empty -m three
run_pg nobase 0 check -c g.json
expect_out nobase "no baseline: no stored results on the 2 first-parent commits from [0-9a-f]{7} \(first parent of HEAD\)"
cd "$T" || exit 1

# ---- the executable and its module: --version loads neither; a verb says what is missing ----
check "--version loads no libgit2" bash -c "! LD_DEBUG=libs '$PERFGATE' --version 2>&1 | grep -q libgit2"
check "nor does a verb's --help (it opens no repository)" bash -c "! LD_DEBUG=libs '$PERFGATE' show --help 2>&1 | grep -q libgit2"
check "a verb that opens a repository loads it (through libperfgate-git.so)" \
  bash -c "cd nobase && LD_DEBUG=libs '$PERFGATE' log 2>&1 | grep -q 'calling init: .*libgit2' &&
           LD_DEBUG=libs '$PERFGATE' log 2>&1 | grep -q 'calling init: .*libperfgate-git.so'"
# libgit2 (Debian's, with mbedTLS) would parse the whole CA bundle at init: perfgate needs none.
strace -f -e trace=open,openat -o "$T/strace.out" "$PERFGATE" show >/dev/null 2>&1
check "a verb opens libgit2 (strace sees it)" grep -q 'libgit2' "$T/strace.out"
check "but not the CA bundle" bash -c "! grep -q 'ca-certificates' '$T/strace.out'"
# Nor does it need libssh2 to start OpenSSL (1.7 MB of peak RSS): the executable answers both calls.
LD_DEBUG=bindings "$PERFGATE" show >/dev/null 2>"$T/bindings.out"
check "libgit2's libssh2_init() is the executable's" grep -q "binding file .*libgit2.* to .*perfgate \\[0\\]: normal symbol .libssh2_init'" "$T/bindings.out"
check "and so is mbedtls_x509_crt_parse_file()" grep -q "binding file .*libgit2.* to .*perfgate \\[0\\]: normal symbol .mbedtls_x509_crt_parse_file'" "$T/bindings.out"
mkdir -p alone fake
cp "$PERFGATE" alone/perfgate
"$T/alone/perfgate" --version >alone.out 2>alone.err
check "an executable without its module still prints its version" grep -q '^perfgate ' alone.out
"$T/alone/perfgate" show >alone.out 2>alone.err
status=$?
check "but a verb exits 3 (got $status)" test $status -eq 3
check "naming the module and where it looked" grep -q "cannot find libperfgate-cli.so beside this executable or at $T/alone/../lib/perfgate/libperfgate-cli.so" alone.err
cp "$PERFGATE" fake/perfgate
printf 'const char pg_cli_version[] = "0.0.1-other";\nint pg_cli_main(int c, char **v) { (void)c; (void)v; return 0; }\n' >fake.c
cc -shared -fPIC -o fake/libperfgate-cli.so fake.c
"$T/fake/perfgate" show >fake.out 2>fake.err
status=$?
check "a module of another version is refused with exit 3 (got $status)" test $status -eq 3
check "naming both versions" grep -q "is not the module of this perfgate .* (it is 0.0.1-other)" fake.err

finish
