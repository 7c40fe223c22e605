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

find_go() {
  if [ -n "${GO:-}" ]; then echo "$GO"; return; fi
  if command -v go >/dev/null 2>&1; then command -v go; return; fi
  if [ -x /usr/local/go/bin/go ]; then echo /usr/local/go/bin/go; return; fi
  die "no Go toolchain found (set GO=/path/to/go)"
}

binary_path() { echo "$CACHE/istioctl/$VERSION-r$RECIPE/istioctl"; }

do_build() {
  local bin dir go tmp
  bin="$(binary_path)"
  if [ -x "$bin" ]; then echo "$bin"; return 0; fi
  dir="$(dirname "$bin")"
  mkdir -p "$dir"
  # Serialize concurrent builds (parallel test runners).
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$dir/.lock"
    flock 9
    if [ -x "$bin" ]; then echo "$bin"; return 0; fi
  fi
  go="$(find_go)"
  tmp="$(mktemp -d "$dir/build.XXXXXX")"
  echo "istioctl.sh: building $MODULE@$VERSION into $bin (a cold build takes about 15 minutes)" >&2
  local t0=$SECONDS
  # The same command as a plain `go install`, so Go's build cache from an earlier one is reused.
  if ! (cd "$tmp" && GOBIN="$tmp" CGO_ENABLED=0 "$go" install -trimpath "$MODULE@$VERSION"); then
    rm -rf "$tmp"
    die "build failed"
  fi
  mv -f "$tmp/istioctl" "$bin"
  rm -rf "$tmp"
  echo "istioctl.sh: built in $((SECONDS - t0))s" >&2
  echo "$bin"
}

cmd="${1:-}"
case "$cmd" in
  build) do_build ;;
  path) binary_path ;;
  *) die "usage: $0 build | path" ;;
esac
