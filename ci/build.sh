#!/usr/bin/env bash
# build.sh - configure and build perfgate into a directory.
#   ci/build.sh [BUILD_DIR] [extra cmake arguments...]   (default: build)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-"$here/build"}
shift || true
cmake -S "$here" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)" >/dev/null
