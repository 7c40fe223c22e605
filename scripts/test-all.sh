#!/usr/bin/env bash
# Sets up, builds warnings-as-errors, and runs every test suite (CTest runs the Qt Test executables).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh ci
export QT_QPA_PLATFORM=offscreen
ctest --preset ci --output-on-failure -j 2
bash scripts/test-package.sh build/ci
bash scripts/fuzz.sh 30
