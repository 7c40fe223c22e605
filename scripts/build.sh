#!/usr/bin/env bash
# Installs the Debian packages LaneDeck needs, then configures and builds with a CMake preset.
# usage: scripts/build.sh [PRESET]   (default: default; CI uses ci, sanitizers use asan)
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-default}
bash scripts/install-deps.sh
# ccache (found by CMakeLists.txt) shares objects between presets and checkouts of the same sources.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
