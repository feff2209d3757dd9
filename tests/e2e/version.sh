#!/usr/bin/env bash
# version.sh - perfgate's version: git describe of the tree (v9.8.7 -> 9.8.7, commits after a tag,
# -dirty), the tag written into src/version.txt of a git-archive tarball, else the project's
source "$(dirname "$0")/lib.bash"

if ! git -C "$PG_SRCDIR" rev-parse --git-dir >/dev/null 2>&1; then
  echo "skipped: $PG_SRCDIR is not a git checkout (a tarball has no history to describe)"
  exit 77
fi
version_of() { # version_of SRC_DIR : what src/version.cmake writes for that tree
  rm -f "$T/v.h"
  cmake -DSRC="$1" -DOUT="$T/v.h" -DFALLBACK=0.0.1 -P "$1/src/version.cmake" >/dev/null &&
    sed -n 's/^#define PG_VERSION "\(.*\)"$/\1/p' "$T/v.h"
}
git clone -q "$PG_SRCDIR" src
git -C src config user.name t && git -C src config user.email t@perfgate.invalid
git -C src tag -d $(git -C src tag -l) >/dev/null 2>&1

got=$(version_of src)
check "no tag: the project version and the commit ($got)" \
  test "$got" = "0.0.1-g$(git -C src rev-parse --short=7 HEAD)"
git -C src tag -a v9.8.7 -m "perfgate 9.8.7"
got=$(version_of src)
check "on a tag: its version without the v ($got)" test "$got" = 9.8.7
git -C src commit -q --allow-empty -m after
got=$(version_of src)
check "a commit after the tag: git describe's form ($got)" \
  test "$got" = "9.8.7-1-g$(git -C src rev-parse --short=7 HEAD)"
echo "// edit" >>src/src/main.c
got=$(version_of src)
check "modified tracked files: -dirty ($got)" bash -c '[[ $1 == *-dirty ]]' _ "$got"
git -C src checkout -q -- src/main.c

# A source tarball (git archive, as the release workflow makes it) has no .git: the tag is in
# src/version.txt through export-subst.
git -C src archive --format=tar --prefix=perfgate-9.8.7/ v9.8.7 | tar -xf -
check "the tarball has no .git" test ! -e perfgate-9.8.7/.git
check "src/version.txt holds the tag" test "$(cat perfgate-9.8.7/src/version.txt)" = v9.8.7
got=$(version_of perfgate-9.8.7)
check "a tarball's version is its tag's ($got)" test "$got" = 9.8.7

# The built executable prints what the build tree's header says.
want=$(sed -n 's/^#define PG_VERSION "\(.*\)"$/\1/p' "$PG_BINDIR/generated/pg_version.h")
check "perfgate --version prints the generated version" test "$("$PERFGATE" --version)" = "perfgate $want"

finish
