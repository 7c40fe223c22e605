#!/usr/bin/env bash
# The main job: set up, build, and run the live canary demonstration. `lanedeck --demo` opens the seed
# scenario (resources/examples/mock.lanes.yaml), runs it in the local sandbox mesh, samples it, and charts
# the split converging to 60/20/20 with the seed's three response chains. Change a weight in the designer
# and push (Ctrl+P) while it samples: the charts follow.
#
# Without a display (neither DISPLAY nor WAYLAND_DISPLAY set), or with --no-gui, the same scenario runs
# headless: lanectl validates the example, prints its lane paths, and runs `lanectl demo` (sandbox, 2000
# requests, the split, the verdict and the distinct chains).
#
# With --rollout promote (or fault), the Traffic page's Rollout panel also runs the canary rollout of s2 from 0
# to 50% in three steps (with mockc v2 failing 20% of its requests, so that it rolls back by itself).
#
# usage: scripts/demo.sh [--no-gui] [more lanedeck options, e.g. --canary 20/40/40@15, --rollout fault]
set -euo pipefail
cd "$(dirname "$0")/.."
gui=1
if [[ ${1:-} == --no-gui ]]; then
  gui=0
  shift
elif [[ -z ${DISPLAY:-} && -z ${WAYLAND_DISPLAY:-} ]]; then
  gui=0
  echo "demo: no DISPLAY or WAYLAND_DISPLAY; running the headless demo (scripts/demo.sh --no-gui)" >&2
fi
# The ci preset, as scripts/test-all.sh: one build serves both (the presets differ only in -Werror, which
# changes every compile command, so two presets would compile everything twice).
bash scripts/build.sh ci
build=build/ci
if ((gui)) && [[ -x $build/app/lanedeck ]]; then
  exec "$build/app/lanedeck" --demo "$@"
fi
example=resources/examples/mock.lanes.yaml
"$build/app/lanectl" validate "$example"
"$build/app/lanectl" paths "$example"
echo
exec "$build/app/lanectl" demo "$example"
