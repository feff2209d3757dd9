#!/usr/bin/env bash
# kind_matcher.sh - the matcher kind end to end against perfgate-matcher, and each way a
# line-protocol target can break the protocol
source "$(dirname "$0")/lib.bash"

matcher="$PG_BINDIR/perfgate-matcher"
corpus="$PG_SRCDIR/fixtures/matcher/queries.txt"
printf 'list files\tlist_files\nshow disk usage\nsomething odd\n' >small.txt
: >empty.txt
cat >g.json <<JSON
{"schema": "perfgate-gates/1", "defaults": {"runs": 2, "warmup": 1},
 "benchmarks": [
  {"name": "line", "kind": "matcher", "target": {"command": ["$matcher", "--serve"], "protocol": "line"}, "corpus": "$corpus"},
  {"name": "oneshot", "kind": "matcher", "target": {"command": ["$matcher"], "protocol": "oneshot"}, "corpus": "small.txt", "runs": 1, "warmup": 0},
  {"name": "dies", "kind": "matcher", "target": {"command": ["bash", "-c", "read -r l; echo a; read -r l; echo b; exit 3"]}, "corpus": "small.txt"},
  {"name": "silent", "kind": "matcher", "target": {"command": ["sleep", "100"]}, "corpus": "small.txt", "query_timeout": 0.3},
  {"name": "chatty", "kind": "matcher", "target": {"command": ["bash", "-c", "while read -r l; do echo a; echo b; done"]}, "corpus": "small.txt"},
  {"name": "late", "kind": "matcher", "target": {"command": ["bash", "-c", "while read -r l; do echo a; done; echo b"]}, "corpus": "small.txt", "runs": 1, "warmup": 0},
  {"name": "empty", "kind": "matcher", "target": {"command": ["$matcher", "--serve"]}, "corpus": "empty.txt"}
 ]}
JSON

run_pg line 0 run -c g.json -b line -o line.json
check "every query is a latency sample" jq -e '.benchmarks[0].metrics[0] | .name == "latency" and .summary.n == 2*765' line.json
check "hit rate and accuracy as the matcher's own timing says" \
  jq -e --argjson own "$("$matcher" --time-corpus "$corpus" --passes 1)" \
  '[.benchmarks[0].metrics[] | {(.name): .value}] | add | (.hit_rate - $own.hit_rate | fabs) < 1e-3 and (.accuracy - $own.accuracy | fabs) < 1e-3' line.json
check "throughput, peak_rss and rss_growth are there" \
  jq -e '[.benchmarks[0].metrics[].name] | contains(["throughput", "peak_rss", "rss_growth"])' line.json
check "p99 is under the seed's 10 ms" jq -e '.benchmarks[0].metrics[0].summary.p99 < 10' line.json

run_pg oneshot 0 run -c g.json -b oneshot -o oneshot.json
check "oneshot: a process per query" jq -e '.benchmarks[0].metrics[0].summary.n == 3' oneshot.json

run_pg dies 1 run -c g.json -b dies -o dies.json
check "a target that dies mid-corpus fails, saying how many were answered" \
  jq -e '.benchmarks[0].status == "failed" and (.benchmarks[0].reason | test("stopped answering at query 3.*after 2 answered.*status 3"))' dies.json
run_pg silent 1 run -c g.json -b silent -o silent.json
check "a target that never answers times out per query" \
  jq -e '.benchmarks[0].status == "timeout" and (.benchmarks[0].reason | test("no answer to query 1"))' silent.json
run_pg chatty 1 run -c g.json -b chatty -o chatty.json
check "two answer lines for one query is a protocol error" \
  jq -e '.benchmarks[0].reason | test("protocol error: the target answered more than one line")' chatty.json
# A line no query asked for, written when the input ends: a second line that comes after
# perfgate read the first leaves the same trace (each answer one query behind, one line over).
run_pg late 1 run -c g.json -b late -o late.json
check "a second line written late is a protocol error too" \
  jq -e '.benchmarks[0].reason | test("protocol error: the target answered more than one line to a query \\(1 line after")' late.json
run_pg empty 2 run -c g.json -b empty
expect_err empty "empty.txt: the corpus has no queries"
finish
