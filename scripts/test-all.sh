#!/usr/bin/env bash
# Sets up, checks the format, builds warnings-as-errors, and runs every test: the Qt Test suites (CTest), the installed .deb,
# a fixed fuzzing budget per target (seed and input count fixed, so the verdict is the same on any machine), and the suites again under ASan + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache (found by CMakeLists.txt) shares objects between the presets and checkouts of the same sources.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
# A fresh checkout's builds (ci, fuzz, asan) take about 11 GiB; say so now rather than fail a link 10 minutes in.
need_gib=$((12 - $(du -s --block-size=1G build 2>/dev/null | cut -f1 || echo 0)))
free_gib=$(df --output=avail --block-size=1G . | tail -1 | tr -d ' ')
if ((free_gib < need_gib)); then
  echo "test-all: ${free_gib} GiB free on $(df --output=target . | tail -1), the builds need about ${need_gib} GiB more" >&2
  exit 1
fi
bash scripts/install-deps.sh
# Formatting first: a drift fails the run before anything is built.
bash scripts/check-format.sh
# No function in models/ or ui/ over 120 lines (docs/HACKING.md).
python3 scripts/check-function-length.py
bash scripts/build.sh ci
# istioctl for the side-by-side analysis test (pinned, cached like the test cluster; cold: about 15 minutes).
bash scripts/istioctl.sh build
export QT_QPA_PLATFORM=offscreen
ctest --preset ci --output-on-failure -j 2
bash scripts/test-package.sh build/ci
FUZZ_SEED=1 FUZZ_RUNS=20000 bash scripts/fuzz.sh
# The whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer: any report fails the test.
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$(nproc)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset asan --output-on-failure -j 2
