#!/usr/bin/env bash
# setup.sh - install the Debian packages perfgate needs, only those missing.
#   ci/setup.sh          what building and running perfgate needs
#   ci/setup.sh --tests  that, plus what the test suite needs
set -euo pipefail

packages=(build-essential cmake pkg-config git ca-certificates
          libgit2-dev libcjson-dev zlib1g-dev libcmark-gfm-dev libcmark-gfm-extensions-dev gnuplot-nox)
if [[ "${1:-}" == "--tests" ]]; then
  packages+=(libcmocka-dev jq hyperfine valgrind procps python3 python3-yaml curl binutils file
             cmark-gfm libxml2-utils libbenchmark-dev chromium shellcheck debootstrap strace)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "setup: installing ${missing[*]}" >&2
if [[ $(id -u) -ne 0 ]]; then
  sudo=sudo
else
  sudo=
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh Debian has no package lists; update once, then install.
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
