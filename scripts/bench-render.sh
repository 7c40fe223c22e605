#!/usr/bin/env bash
# Renders a generated 1,000-service x 20-lane group in each flavor, 5 runs each, and prints the medians.
# usage: scripts/bench-render.sh [BUILD_DIR]   (default build/default; build it first with scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
bench=${1:-build/default}/bench/bench_render
printf '%-8s %10s %12s %14s %10s\n' flavor resources yaml_MiB median_s peak_MiB
for flavor in asm istio asm-crd; do
  times=(); rss=(); line=""
  for _ in 1 2 3 4 5; do
    line=$("$bench" "$flavor" 1000 20)
    times+=("$(sed -E 's/.*seconds=([0-9.]+).*/\1/' <<<"$line")")
    rss+=("$(sed -E 's/.*peak_rss_mib=([0-9.]+).*/\1/' <<<"$line")")
  done
  median() { printf '%s\n' "$@" | sort -g | sed -n 3p; }
  resources=$(sed -E 's/.*resources=([0-9]+).*/\1/' <<<"$line")
  bytes=$(sed -E 's/.*yaml_bytes=([0-9]+).*/\1/' <<<"$line")
  printf '%-8s %10s %12.1f %14s %10s\n' "$flavor" "$resources" "$(echo "$bytes/1048576" | bc -l)" \
    "$(median "${times[@]}")" "$(median "${rss[@]}")"
done
