#!/usr/bin/env bash
# Installs the Debian packages LaneDeck needs, then configures and builds with a CMake preset.
# usage: scripts/build.sh [PRESET]   (default: default; CI uses ci, sanitizers use asan)
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-default}
bash scripts/install-deps.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
