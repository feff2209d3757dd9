#!/usr/bin/env bash
# accept.sh - intended changes pass as "accepted": commit trailers (with and without a bound),
# perfgate accept records, and the PR label; a change beyond the bound still fails.
source "$(dirname "$0")/lib.bash"

make_repo repo
mkdir repo/gates
cat >repo/gates/default.json <<JSON
{"schema": "perfgate-gates/1",
 "benchmarks": [{"name": "blob", "kind": "size", "files": ["{root}/blob.bin"]}]}
JSON
grow() { head -c "$1" /dev/urandom >repo/blob.bin; }
pg() { (cd repo && "$PERFGATE" "$@"); }
grow 10000
git -C repo add -A && git -C repo commit -q -m "a 10 kB blob"
pg check --save -q || fail "base check"

# +30 % with a trailer accepting up to +40 %: accepted, named by commit and subject.
grow 13000
git -C repo commit -q -am "Grow the blob on purpose" -m "Perfgate-Accept: blob.* +40%"
pg check --format json=v.json --format markdown=v.md --format junit=v.xml --format text >t.out 2>t.err
check "an accepted change passes" test $? -eq 0
check "it is reported as accepted" jq -e '.metrics[0].verdict == "accepted" and .counts.accepted >= 1' repo/v.json
check "by the commit's short id and subject" \
  jq -e --arg id "$(git -C repo rev-parse --short=7 HEAD)" '.metrics[0].accepted_by | startswith($id + " Grow the blob on purpose")' repo/v.json
check "the terminal report says so" grep -q "accepted by" t.out
check "the markdown report has an accepted section" grep -q "Accepted changes" repo/v.md
check "the JUnit report does not fail it" bash -c "! grep -q '<failure' repo/v.xml"

# A bound the change exceeds: still a regression, with a note.
git -C repo reset -q --hard HEAD~1
grow 13000
git -C repo commit -q -am "Grow it more than said" -m "Perfgate-Accept: blob.* +10%"
pg check --format json=v.json >/dev/null 2>&1
check "a change beyond the bound fails" test $? -eq 1
check "and says what was accepted" jq -e '.metrics[0].verdict == "regression" and (.metrics[0].note | test("accepted up to \\+10 %"))' repo/v.json

# No bound: any change of those metrics passes.
git -C repo commit -q --amend -m "Grow it, no bound" -m "Perfgate-Accept: blob.bytes"
pg check --format json=v.json >/dev/null 2>&1
check "a trailer without a bound accepts any change" jq -e '[.metrics[] | select(.metric == "bytes")][0].verdict == "accepted"' repo/v.json

# A malformed trailer is named with its commit and ignored.
git -C repo commit -q --amend -m "Grow it, badly accepted" -m "Perfgate-Accept: blob.* twentypercent"
pg check --format json=v.json >/dev/null 2>&1
check "a malformed trailer does not accept" test $? -eq 1
check "and is warned about with its commit" \
  jq -e --arg id "$(git -C repo rev-parse --short=7 HEAD)" '.warnings | map(test("commit " + $id + ": malformed Perfgate-Accept")) | any' repo/v.json

# perfgate accept: a record in the note of a commit that cannot be amended.
pg accept 'blob.*' --reason "the blob grew on purpose" --max +50% >acc.out 2>acc.err
check "accept records on HEAD" test $? -eq 0
check "the record is in the note" bash -c "git -C repo notes --ref=perfgate show HEAD | jq -e 'select(.schema == \"perfgate-accept/1\") | .reason == \"the blob grew on purpose\"'"
pg check --format json=v.json >/dev/null 2>&1
check "a recorded acceptance passes the change" jq -e '.metrics[0].verdict == "accepted" and (.metrics[0].accepted_by | test("the blob grew on purpose"))' repo/v.json
pg show >show.out 2>&1
check "show reads a note holding an acceptance" test $? -eq 0
pg log -n 3 >log.out 2>&1
check "log too" test $? -eq 0

# The PR label, as the action passes it.
git -C repo commit -q --amend -m "Grow it, labelled"
git -C repo notes --ref=perfgate remove HEAD 2>/dev/null
PERFGATE_ACCEPT_LABELED=true PERFGATE_ACCEPT_LABEL=perf-accepted pg check --format json=v.json >/dev/null 2>&1
check "a labelled PR's regression passes" test $? -eq 0
check "accepted by the label" jq -e '.metrics[0].accepted_by | test("label perf-accepted")' repo/v.json

# Without a baseline there is no base..head range: trailers in the history are not read, nor
# warned about as matching nothing (check used to walk the whole history for them).
make_repo fresh
cp -r repo/gates fresh/
head -c 100 /dev/urandom >fresh/blob.bin
git -C fresh add -A && git -C fresh commit -q -m "first" -m "Perfgate-Accept: blob.* +5%"
echo more >>fresh/blob.bin && git -C fresh commit -q -am "second"
(cd fresh && "$PERFGATE" check --format json=v.json >/dev/null 2>&1)
check "with no baseline, check passes" test $? -eq 0
check "and reads no trailer from the history before it" \
  jq -e '.base.found == false and (.warnings | map(test("Perfgate-Accept")) | any | not)' fresh/v.json
# A baseline file has no commit: then head's own trailer still accepts (head alone, as with --base).
(cd fresh && "$PERFGATE" run -q -o base.json >/dev/null 2>&1)
head -c 150 /dev/urandom >>fresh/blob.bin
git -C fresh commit -q -am "grow it" -m "Perfgate-Accept: blob.* +500%"
(cd fresh && "$PERFGATE" check --base base.json --format json=vf.json >/dev/null 2>&1)
check "against a baseline file, head's trailer accepts the change" test $? -eq 0
check "and names head" jq -e --arg id "$(git -C fresh rev-parse --short=7 HEAD)" \
  '[.metrics[] | select(.verdict == "accepted")] | length > 0 and all(.accepted_by | startswith($id + " grow it"))' fresh/vf.json

# check reads the acceptances before it measures, from the base commit it foresees (that of the
# first benchmark with a baseline); when compare names another (that benchmark failed at head), it
# reads them again from that one. Here a's baseline is at c1, b's at c2, and c2's own trailer is
# part of b's baseline: it must not accept b's next change.
make_repo two
cat >two/gates.json <<JSON
{"schema": "perfgate-gates/1",
 "benchmarks": [{"name": "a", "kind": "size", "files": ["{root}/a.bin"]},
                {"name": "b", "kind": "size", "files": ["{root}/b.bin"]}]}
JSON
head -c 10000 /dev/urandom >two/a.bin
head -c 10000 /dev/urandom >two/b.bin
git -C two add -A && git -C two commit -q -m c1
(cd two && "$PERFGATE" check -c gates.json --save -q) || fail "check --save at c1"
head -c 11000 /dev/urandom >two/b.bin
git -C two commit -q -am c2 -m "Perfgate-Accept: b.*"
(cd two && "$PERFGATE" run -c gates.json -b b --save -q) || fail "run -b b --save at c2"
git -C two rm -q a.bin
head -c 15000 /dev/urandom >two/b.bin
git -C two commit -q -am "c3: a is gone, b grows"
(cd two && "$PERFGATE" check -c gates.json --format json=v.json >/dev/null 2>&1)
check "the base commit is b's (a failed)" jq -e --arg c "$(git -C two rev-parse HEAD~1)" '.base.commit == $c' two/v.json
check "the base commit's own trailer does not accept b's change" \
  jq -e '[.metrics[] | select(.bench == "b" and .metric == "bytes")][0].verdict == "regression"' two/v.json

# Bad input.
pg accept 'blob.*' --reason x --commit no-such-commit >/dev/null 2>bad.err
check "accept on a commit that does not exist exits 2" test $? -eq 2
check "naming it" grep -q "no-such-commit: not a commit" bad.err
pg accept 'blob.*' >/dev/null 2>noreason.err
check "accept without --reason exits 2" test $? -eq 2
pg accept 'blob.*' --reason x --max lots >/dev/null 2>badmax.err
check "accept with a bad bound exits 2" test $? -eq 2
finish
