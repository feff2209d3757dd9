#!/usr/bin/env bash
# main.sh - perfgate's main job on the gates that ship: set up, build, measure, gate.
# This is the README's first command. Extra arguments go to perfgate.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/ci/setup.sh"
"$here/ci/build.sh" "$here/build" -DPG_TESTS=OFF
cd "$here"
exec "$here/build/perfgate" check -c "$here/gates/default.json" "$@"
