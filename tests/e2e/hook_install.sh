#!/usr/bin/env bash
# hook_install.sh - `perfgate hook install` puts the pre-push hook into any repository, runs this
# perfgate by default, never clobbers someone else's hook, and refuses where there is no repository
source "$(dirname "$0")/lib.bash"

make_repo r
(cd r && run_pg install 0 hook install)
hook=r/.git/hooks/pre-push
check "the hook is written" test -f "$hook"
check "the hook is executable" test -x "$hook"
check "the hook is ci/pre-push.sample with one line added" \
  diff <(sed '2,3d' "$hook") "$PG_SRCDIR/ci/pre-push.sample"
# The default perfgate of the hook is the one that installed it, wherever the repository is.
got=$(env -u PERFGATE bash -c "$(sed -n 3p "$hook"); printf %s \"\$PERFGATE\"")
check "the hook runs the perfgate that installed it ($got)" test "$got" = "$(readlink -f "$PERFGATE")"
expect_out install "pre-push hook installed in .*/r/\.git/hooks/pre-push"

# Installing again replaces our own hook without asking.
(cd r && run_pg again 0 hook install)

# Someone else's hook stays unless --force.
printf '#!/bin/sh\necho theirs\n' >"$hook"
(cd r && run_pg foreign 2 hook install)
expect_err foreign "^perfgate: .*/r/\.git/hooks/pre-push: a pre-push hook that is not perfgate's is there; --force replaces it"
check "their hook is untouched" grep -q theirs "$hook"
(cd r && run_pg forced 0 hook install --force)
check "--force replaces it" grep -q "run perfgate's gates" "$hook"

# core.hooksPath is where git looks, so that is where the hook goes.
make_repo h
git -C h config core.hooksPath githooks
(cd h && run_pg hookspath 0 hook install)
check "core.hooksPath is honoured" test -x h/githooks/pre-push

# A push through the installed hook really runs it (PERFGATE_SKIP: skip message, push goes).
git init -q --bare -b main origin.git
git -C r remote add origin "$T/origin.git"
PERFGATE_SKIP=1 git -C r push -q origin main >"$T/push.out" 2>"$T/push.err"
check "a push through the installed hook succeeds" test $? -eq 0
expect_err push "perfgate pre-push: skipped \(PERFGATE_SKIP=1\)"

# print writes the same hook to stdout.
(cd r && run_pg print 0 hook print)
check "hook print writes the hook" cmp -s "$T/print.out" "$hook"

# Bad command lines and no repository.
run_pg bare_verb 2 hook
expect_err bare_verb "^perfgate: hook: expected 'install' or 'print'"
(cd r && run_pg bad_arg 2 hook install --frce)
expect_err bad_arg "hook: unknown option '--frce'"
mkdir -p norepo && (cd norepo && GIT_CEILING_DIRECTORIES="$T" run_pg norepo 3 hook install)
expect_err norepo "^perfgate: hook install: not in a git repository"

finish
