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
# ---- latency is the lookup: the target's own time, or the round trip less the echo floor ----
printf 'list files\tlist_files\tfiles\nshow disk usage\t\tdisks\nsomething odd\n' >categories.txt
cat >timing.json <<JSON
{"schema": "perfgate-gates/1", "defaults": {"runs": 3, "warmup": 1, "probe": false},
 "benchmarks": [
  {"name": "own", "kind": "matcher", "target": {"command": ["$matcher", "--serve", "--report-time"]}, "corpus": "$corpus"},
  {"name": "floor", "kind": "matcher", "target": {"command": ["$matcher", "--serve"]}, "corpus": "$corpus"},
  {"name": "fixed", "kind": "matcher", "target": {"command": ["bash", "-c", "while read -r l; do printf 'list_files\\\\tls\\\\tns=1500000\\\\n'; done"]}, "corpus": "small.txt"},
  {"name": "notatime", "kind": "matcher", "target": {"command": ["bash", "-c", "while read -r l; do printf 'list_files\\\\tns=soon\\\\n'; done"]}, "corpus": "small.txt"},
  {"name": "cats", "kind": "matcher", "target": {"command": ["$matcher", "--serve", "--report-time"]}, "corpus": "categories.txt"}
 ]}
JSON
run_pg timing 0 run -c timing.json -o timing.json.out
m() { jq "[.benchmarks[] | select(.name == \"$1\")][0].metrics | map({(.name): .}) | add" timing.json.out; }
m own >own.json; m floor >floor.json; m fixed >fixed.json; m notatime >notatime.json; m cats >cats.json
check "own time: latency is the lookup, well under the round trip" \
  jq -e '.latency.summary.median < .roundtrip.summary.median / 2' own.json
check "own time: no echo floor is measured" jq -e '.transport_floor == null' own.json
check "own time: the ns= field is not part of the answer (hit rate and accuracy as --time-corpus)" \
  jq -e --argjson own "$("$matcher" --time-corpus "$corpus" --passes 1)" \
  '(.hit_rate.value - $own.hit_rate | fabs) < 1e-3 and (.accuracy.value - $own.accuracy | fabs) < 1e-3' own.json
check "a fixed ns=1500000 is 1.5 ms of latency, whatever the pipe took" \
  jq -e '.latency.summary.min == 1.5 and .latency.summary.max == 1.5' fixed.json
check "floor: the echo floor is measured beside every query" jq -e '.transport_floor.summary.n == 3 * 765' floor.json
check "floor: latency is the round trip less the floor" \
  jq -e '.latency.summary.median < .roundtrip.summary.median and .latency.summary.median >= 0' floor.json
check "ns=soon is no time: the answer keeps it, the floor is measured" \
  jq -e '.transport_floor.summary.n == 9 and .hit_rate.value == 1' notatime.json
check "a category per corpus line: latency:files and latency:disks, each its queries" \
  jq -e '.["latency:files"].summary.n == 3 and .["latency:disks"].summary.n == 3 and .latency.summary.n == 9' cats.json
check "a line with an empty expected id still has its category" jq -e '.accuracy.value == 1' cats.json

finish
