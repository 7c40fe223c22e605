#!/usr/bin/env bash
# Installs every Debian 12 package LaneDeck needs to build, test and package.
# Idempotent: re-running only installs what is missing.
# wrk, hey and nginx-light are for bench/bench_sampler only (docs/BENCHMARKS.md); nothing else needs them.
# prometheus (with promtool) is for the telemetry tests and bench_telemetry, and lets the demo show
# "mesh telemetry" (docs/TELEMETRY.md).
# qt6-base-private-dev is for tst_topologyview only: it turns Qt's accessibility on offscreen, as Qt's own
# accessibility tests do, to hear the canvas's events.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ccache
  qt6-base-dev qt6-base-dev-tools qt6-charts-dev libqt6opengl6-dev libqt6svg6 qt6-qpa-plugins qt6-base-private-dev
  libgl-dev libxkbcommon-dev
  libyaml-cpp-dev libcurl4-openssl-dev nlohmann-json3-dev libre2-dev libcpp-httplib-dev libssl-dev
  libgraphviz-dev
  xvfb xauth curl file bc librsvg2-bin clang-format python3 iproute2
  clang-14 libclang-rt-14-dev libfuzzer-14-dev
  wrk hey nginx-light
  prometheus
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
