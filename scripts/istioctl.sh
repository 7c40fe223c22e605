#!/usr/bin/env bash
# istioctl for LaneDeck's side-by-side tests (tests/kube/tst_analysis.cpp), built from the Go module proxy at
# a pinned version and cached like the test cluster (scripts/testcluster.sh).
#
#   scripts/istioctl.sh build   build once into the cache (a cold build takes about 15 minutes on 2 cores),
#                               print the binary path
#   scripts/istioctl.sh path    print where the binary is (or would be) cached
#
# Environment: LANEDECK_CACHE (default ~/.cache/lanedeck), GO (go binary).
set -euo pipefail

VERSION=v0.0.0-20260827124520-eed52ebb66ad
MODULE=istio.io/istio/istioctl/cmd/istioctl
CACHE="${LANEDECK_CACHE:-${HOME}/.cache/lanedeck}"
# Bump when the build command below changes, so cached binaries are rebuilt.
RECIPE=1

die() { echo "istioctl.sh: $*" >&2; exit 1; }

source "$(dirname "${BASH_SOURCE[0]}")/go-cache.sh"

binary_path() { echo "$CACHE/istioctl/$VERSION-r$RECIPE/istioctl"; }

build_istioctl() { # GO OUT
  local gobin
  gobin="$(mktemp -d "$(dirname "$2")/gobin.XXXXXX")"
  # The same command as a plain `go install`, so Go's build cache from an earlier one is reused.
  if ! (cd "$gobin" && GOBIN="$gobin" CGO_ENABLED=0 "$1" install -trimpath "$MODULE@$VERSION"); then
    rm -rf "$gobin"
    return 1
  fi
  mv -f "$gobin/istioctl" "$2"
  rm -rf "$gobin"
}

do_build() { cached_build "$(binary_path)" "$MODULE@$VERSION; a cold build takes about 15 minutes" build_istioctl; }

cmd="${1:-}"
case "$cmd" in
  build) do_build ;;
  path) binary_path ;;
  *) die "usage: $0 build | path" ;;
esac
