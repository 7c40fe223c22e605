#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each for SECONDS (default 30).
# The committed seeds in tests/fuzz/corpus/<target> are copied into build/fuzz/corpus/<target>, which
# grows across runs; crashes, leaks and timeouts land in build/fuzz/artifacts/ and fail the run.
# FUZZ_SEED=N fixes libFuzzer's random seed and FUZZ_RUNS=N replaces the time budget by N inputs per target:
# from the committed seeds the same inputs are then tried in the same order on any machine, fast or slow, so
# a CI run's verdict does not depend on luck or on the machine's speed (the README's test command uses both).
# usage: [FUZZ_SEED=N] [FUZZ_RUNS=N] scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
bash scripts/install-deps.sh
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)"
targets=("$@")
((${#targets[@]})) || targets=($(ls tests/fuzz/*.cpp | xargs -n1 basename | sed 's/\.cpp$//'))
mkdir -p build/fuzz/artifacts build/fuzz/scratch
# Targets that need a file write it here, under a name that does not change from run to run.
export LANEDECK_FUZZ_SCRATCH=$PWD/build/fuzz/scratch
if [[ -n ${FUZZ_RUNS:-} ]]; then budget=(-runs="$FUZZ_RUNS"); spent="$FUZZ_RUNS inputs"
else budget=(-max_total_time="$seconds"); spent="${seconds}s"; fi
failed=0
for target in "${targets[@]}"; do
  name=${target#fuzz_}
  corpus=build/fuzz/corpus/$name
  mkdir -p "$corpus"
  cp -n tests/fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null || true
  log=build/fuzz/$target.log
  # Every input that once crashed or hung a target runs first, as a regression test.
  if compgen -G "tests/fuzz/regressions/$name/*" >/dev/null; then
    if ! build/fuzz/tests/fuzz/"$target" -timeout=10 tests/fuzz/regressions/"$name"/* >"$log.regressions" 2>&1; then
      echo "FAIL: $target regression inputs — see $log.regressions"; tail -30 "$log.regressions"
      failed=$((failed + 1)); continue
    fi
  fi
  if build/fuzz/tests/fuzz/"$target" "$corpus" "${budget[@]}" -timeout=10 -rss_limit_mb=2048 \
      -max_len=65536 -seed="${FUZZ_SEED:-0}" -artifact_prefix=build/fuzz/artifacts/"$target"- >"$log" 2>&1; then
    echo "PASS: $target ($(grep -oE '#[0-9]+' "$log" | tail -1 | tr -d '#') runs, budget ${spent}, corpus $(ls "$corpus" | wc -l))"
  else
    echo "FAIL: $target — see $log"; tail -30 "$log"; failed=$((failed + 1))
  fi
done
[[ $failed -eq 0 ]]
