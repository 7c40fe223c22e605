#!/usr/bin/env bash
# Renders the real lanedeck main window with the seed scenario (resources/examples/mock.lanes.yaml) into
# docs/screenshots/*.png under Xvfb: each main view in the light palette, the designer in the dark palette, the
# topology of the seed and of the branching example (resources/examples/shop.lanes.yaml),
# and the designer at 200% scaling (QT_SCALE_FACTOR=2); then the Traffic page of `lanedeck --demo` sampling the
# local sandbox live (light and dark, after 12 s), the Topology tab during the same demo, a canary step
# (20/40/40 pushed after 10 s, shot at 22 s) with its charts PNG as the Export button writes it, the Rollout
# panel during the demo's rollout and after its fault rolled it back, the Traffic page on a 1366x768 screen,
# and the telemetry view of the propagation-off demonstration (--source telemetry --no-baggage mockb) on the
# Traffic page and on the Topology tab (lane s2 lit).
#
# usage: scripts/screenshots.sh [BUILD_DIR]      (default: build/dev; needs xvfb-run and xauth)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/dev}
app="$build/app/lanedeck"
[[ -x $app ]] || { echo "screenshots: $app not built (cmake --build $build --target lanedeck)" >&2; exit 1; }
doc=resources/examples/mock.lanes.yaml
out=docs/screenshots
mkdir -p "$out"

# A private home: no settings, recent files or autosaves of the user's leak into the pictures.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export XDG_CONFIG_HOME=$scratch/config XDG_DATA_HOME=$scratch/data XDG_CACHE_HOME=$scratch/cache
export XDG_RUNTIME_DIR=$scratch/runtime
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
export QT_QPA_PLATFORM=xcb

shot() { # NAME SCREEN ARGS...
  local name=$1 screen=$2
  shift 2
  xvfb-run -a -s "-screen 0 ${screen}x24" "$app" "$doc" --screenshot "$out/$name.png" "$@"
}

shot designer-light 1400x900 --light --tab designer --size 1360x860
shot designer-dark 1400x900 --dark --tab designer --size 1360x860
shot lane-paths-light 1400x900 --light --tab paths --size 1360x860
shot resources-light 1400x900 --light --tab resources --size 1360x860
shot resources-dark 1400x900 --dark --tab resources --size 1360x860
# The same group with mistakes, to show how validation marks cells and fields.
invalid=$scratch/invalid.lanes.yaml
sed -e 's/value: v2/value: v 2/' -e 's/routingHeader: x-asm-prefer-tag/routingHeader: x asm prefer tag/' \
  -e '$ s/weight: 20/weight: 30/' "$doc" >"$invalid"
doc=$invalid shot designer-invalid-light 1400x900 --light --tab designer --size 1360x860
# The topology: the seed's chain, and the branching example with all lanes and with one lane lit.
shot topology-light 1400x900 --light --tab topology --size 1360x860
shot topology-dark 1400x900 --dark --tab topology --lane s3 --size 1360x860
doc=resources/examples/shop.lanes.yaml shot topology-shop-light 1400x900 --light --tab topology --size 1360x860
doc=resources/examples/shop.lanes.yaml shot topology-shop-lane-light 1400x900 --light --tab topology --lane cart-v2 \
  --size 1360x860
doc=resources/examples/shop.lanes.yaml shot topology-shop-lane-dark 1400x900 --dark --tab topology --lane cart-v2 \
  --size 1360x860
doc=resources/examples/shop.lanes.yaml shot lane-paths-shop-light 1400x900 --light --tab paths --size 1360x860
QT_SCALE_FACTOR=2 shot designer-200pct 2800x1800 --light --tab designer --size 1360x860

# The live demo: the sandbox runs, the sampler samples it at 400/s, the charts fill in; shot after a while.
demo_shot() { # NAME ARGS...
  local name=$1
  shift
  xvfb-run -a -s "-screen 0 1400x900x24" "$app" --demo --screenshot "$out/$name.png" --size 1360x860 "$@"
}
demo_shot traffic-light --light --delay 12000
demo_shot traffic-dark --dark --delay 12000
# The topology while the demo samples: each call's requests/s, every service's error rate.
demo_shot topology-demo-light --light --tab topology --delay 12000
demo_shot traffic-canary-light --light --canary 20/40/40@10 --delay 22000 \
  --export-charts "$out/traffic-export-light.png"
# The Rollout panel: the demo's canary of s2 holding its second step, and the same with a fault on mockc v2
# after the runner rolled it back by itself.
# (A wider window: the panel sits beside the charts.)
rollout_shot() { # NAME ARGS...
  local name=$1
  shift
  xvfb-run -a -s "-screen 0 1700x1000x24" "$app" --demo --screenshot "$out/$name.png" --size 1640x940 "$@"
}
rollout_shot rollout-running-light --light --rollout promote --delay 17000
rollout_shot rollout-rolledback-light --light --rollout fault --delay 15000
# A laptop screen with the Problems panel open: the charts keep their axis labels.
xvfb-run -a -s "-screen 0 1366x768x24" "$app" --demo --screenshot "$out/traffic-1366x768-light.png" \
  --size 1366x740 --light --delay 12000
# The mesh's telemetry (the demo's own Prometheus scraping the sandbox) with mockb dropping the baggage
# header: the split still 60/20/20 at the ingress, s2's requests leaving their lane on mockb -> mockc.
demo_shot traffic-telemetry-leak-light --light --source telemetry --no-baggage mockb --delay 25000
# The same from the Topology tab: the mesh's per-hop figures on the edges, s2's leaking call marked.
demo_shot topology-telemetry-leak-light --light --tab topology --lane s2 --source telemetry --no-baggage mockb \
  --delay 25000
