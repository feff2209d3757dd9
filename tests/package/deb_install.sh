#!/usr/bin/env bash
# deb_install.sh - the .deb a release ships installs with apt on a fresh Debian 12 root and works:
# `cpack -G DEB` in BUILD_DIR, a clean debootstrap minbase root, `apt-get install ./perfgate_*.deb`
# (Depends from dpkg-shlibdeps must pull every library), then `perfgate --version` and one
# `perfgate check` of the installed gates outside any repository.
#   tests/package/deb_install.sh BUILD_DIR
# Needs root (chroot) and Debian's package mirror. The minbase root is cached in
# /var/cache/perfgate-tests/ (delete it to rebuild). Prints "N passed, N failed".
set -uo pipefail
build=$(cd "${1:?usage: tests/package/deb_install.sh BUILD_DIR}" && pwd)
if [[ $(id -u) -ne 0 ]]; then
  echo "skipped: installing a .deb into a fresh root needs root (chroot)"
  exit 77
fi
passes=0 failures=0
pass() { passes=$((passes + 1)); }
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
finish() { echo "$passes passed, $failures failed"; [[ $failures -eq 0 ]]; }

# 1. The package, and what it says it needs.
pkgdir=$build/package
rm -rf "$pkgdir" && mkdir -p "$pkgdir"
if ! (cd "$build" && cpack -G DEB -B "$pkgdir" >"$pkgdir/cpack.log" 2>&1); then
  tail -n 20 "$pkgdir/cpack.log" >&2
  fail "cpack -G DEB failed in $build"
  finish
  exit 1
fi
deb=$(ls "$pkgdir"/perfgate_*.deb 2>/dev/null | head -n 1)
[[ -n $deb ]] && pass || { fail "cpack made no perfgate_*.deb in $pkgdir"; finish; exit 1; }
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libgit2- libcjson zlib1g libc6 libcmark-gfm0 libcmark-gfm-extensions0; do
  if [[ $depends == *"$lib"* ]]; then pass; else fail "Depends lacks $lib: $depends"; fi
done
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/bin/perfgate ./usr/lib/perfgate/libperfgate-cli.so ./usr/lib/perfgate/libperfgate-git.so \
  ./usr/lib/perfgate/libperfgate-commonmark.so ./usr/bin/perfgate-matcher ./usr/bin/perfgate-decoder \
  ./usr/bin/perfgate-microvm ./usr/share/man/man1/perfgate.1 \
  ./usr/share/bash-completion/completions/perfgate ./usr/share/perfgate/gates/default.json \
  ./usr/share/perfgate/gates/release.json ./usr/share/perfgate/fixtures/matcher/queries.txt; do
  if grep -qxF "$f" <<<"$contents"; then pass; else fail "the package lacks $f"; fi
done

# 2. A clean Debian 12 root (cached), with this machine's mirror.
cache=/var/cache/perfgate-tests/bookworm-minbase.tar
root=$(mktemp -d /tmp/perfgate-deb-root.XXXXXX)
cleanup() {
  for m in dev/pts dev proc; do umount "$root/$m" 2>/dev/null; done
  # Never delete while something is still mounted inside: that would reach the host's /dev.
  if ! awk -v r="$root/" 'index($2, r) == 1 {found = 1} END {exit !found}' /proc/mounts; then
    rm -rf "$root"
  fi
}
trap cleanup EXIT
if [[ ! -s $cache ]]; then
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
  [[ -n $mirror ]] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null)
  [[ -n $mirror ]] || mirror=http://deb.debian.org/debian
  command -v debootstrap >/dev/null || { fail "debootstrap is not installed (ci/setup.sh --tests)"; finish; exit 1; }
  echo "deb_install: making a Debian 12 minbase root from $mirror (once)" >&2
  if ! debootstrap --variant=minbase bookworm "$root" "$mirror" >"$pkgdir/debootstrap.log" 2>&1; then
    tail -n 5 "$pkgdir/debootstrap.log" >&2
    fail "debootstrap of a Debian 12 root failed"
    finish
    exit 1
  fi
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/" && rm -f "$root/etc/apt/sources.list"
  fi
  mkdir -p "$(dirname "$cache")" && tar -C "$root" -cf "$cache.tmp" . && mv "$cache.tmp" "$cache"
else
  tar -C "$root" -xf "$cache"
fi
mount --bind /proc "$root/proc" && mount --bind /dev "$root/dev" && mount --bind /dev/pts "$root/dev/pts" ||
  { fail "cannot mount /proc or /dev inside $root"; finish; exit 1; }
cp "$deb" "$root/tmp/"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 bash -c "$1"; }

# 3. apt installs it with everything it depends on, on a root that has none of it.
if in_root "command -v perfgate" >/dev/null 2>&1; then fail "the fresh root already has perfgate"; else pass; fi
if in_root "export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends /tmp/$(basename "$deb")" \
  >"$pkgdir/apt.log" 2>&1; then pass; else
  tail -n 15 "$pkgdir/apt.log" >&2
  fail "apt-get install ./$(basename "$deb") failed on a fresh Debian 12 root"
  finish
  exit 1
fi

# 4. It runs: the version of this build, and one check of the installed gates outside a repository.
want=$("$build/perfgate" --version)
got=$(in_root "perfgate --version" 2>&1)
if [[ $got == "$want" ]]; then pass; else fail "installed perfgate --version: '$got', expected '$want'"; fi
in_root "mkdir -p /tmp/w && cd /tmp/w && perfgate check -c /usr/share/perfgate/gates/default.json --runs 3 --warmup 0" \
  >"$pkgdir/check.out" 2>"$pkgdir/check.err"
status=$?
if [[ $status -eq 0 ]]; then pass; else
  tail -n 20 "$pkgdir/check.out" "$pkgdir/check.err" >&2
  fail "installed perfgate check of /usr/share/perfgate/gates/default.json: exit $status, expected 0"
fi
if grep -Eq '^PASS' "$pkgdir/check.out"; then pass; else fail "the installed check printed no PASS line"; fi
for bench in matcher inference vmspawn binary startup; do
  if grep -q "$bench" "$pkgdir/check.out"; then pass; else fail "the installed check did not report $bench"; fi
done
# The modules perfgate loads itself (publish's markdown renderer, libgit2's): every library each
# needs resolves on the fresh root (their Depends came from dpkg-shlibdeps reading them).
for module in commonmark:libcmark-gfm-extensions git:libgit2; do
  module_libs=$(in_root "ldd /usr/lib/perfgate/libperfgate-${module%%:*}.so" 2>&1)
  if [[ $module_libs == *"${module#*:}"* && $module_libs != *"not found"* ]]; then pass; else
    fail "libperfgate-${module%%:*}.so does not resolve on the fresh root: $module_libs"
  fi
done
man_page=$(in_root "test -s /usr/share/man/man1/perfgate.1 && echo yes")
[[ $man_page == yes ]] && pass || fail "the man page is not installed"
echo "deb_install: $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB) installed on a fresh Debian 12 root; Depends: $depends"
finish
