#!/usr/bin/env bash
# The main job: set up, build, and show the seed scenario's lanes and the resources they become.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh default
lanectl=build/default/app/lanectl
example=resources/examples/mock.lanes.yaml
"$lanectl" validate "$example"
"$lanectl" paths "$example"
echo
"$lanectl" render "$example" --flavor asm
