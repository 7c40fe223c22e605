#!/usr/bin/env bash
# Regenerates the golden files of tests/mesh/tst_render.cpp from the example documents.
# Read the resulting `git diff tests/data/golden` line by line before committing it.
set -euo pipefail
cd "$(dirname "$0")/.."
lanectl=${LANECTL:-build/default/app/lanectl}
example=resources/examples/mock.lanes.yaml
golden=tests/data/golden
"$lanectl" render "$example" --flavor asm >"$golden/mock-asm.yaml"
"$lanectl" render "$example" --flavor istio >"$golden/mock-istio.yaml"
"$lanectl" render "$example" --flavor istio --api-version v1beta1 >"$golden/mock-istio-v1beta1.yaml"
"$lanectl" render "$example" --flavor asm-crd >"$golden/mock-asm-crd.yaml"
# The example with settings adopted from an operator's VirtualService and DestinationRule (lanectl analyze --adopt).
adopted=tests/data/adopted.lanes.yaml
"$lanectl" render "$adopted" --flavor asm >"$golden/adopted-asm.yaml"
"$lanectl" render "$adopted" --flavor istio >"$golden/adopted-istio.yaml"
git --no-pager diff --stat -- "$golden"
