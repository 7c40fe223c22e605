#!/usr/bin/env bash
# Real Kubernetes API server for LaneDeck's tests (see tests/kube/testcluster/README.md).
#
#   scripts/testcluster.sh build                 build once into the cache, print the binary path
#   scripts/testcluster.sh start DIR [FLAGS...]  start in the background, wait for READY, write DIR/pid
#                                                (FLAGS: --mesh asm, --port N, --exec-ttl S, --max-lifetime 30m,
#                                                 -- apiserver flags)
#   scripts/testcluster.sh stop DIR              SIGTERM, wait until it has exited
#   scripts/testcluster.sh run DIR [FLAGS...]    run in the foreground (debugging)
#
# Environment: LANEDECK_CACHE (default ~/.cache/lanedeck), GO (go binary),
#              LANEDECK_TESTCLUSTER_TIMEOUT (seconds to wait for READY, default 120).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="$ROOT/tests/kube/testcluster"
CACHE="${LANEDECK_CACHE:-${HOME}/.cache/lanedeck}"
TIMEOUT="${LANEDECK_TESTCLUSTER_TIMEOUT:-120}"
# Bump when the build command below changes, so cached binaries are rebuilt.
RECIPE=1

die() { echo "testcluster.sh: $*" >&2; exit 1; }

source "$ROOT/scripts/go-cache.sh"

# Hash of everything that goes into the binary: go.mod, go.sum, *.go and the
# embedded CRD files (plus the build recipe version).
source_hash() {
  (
    cd "$SRC"
    echo "recipe=$RECIPE"
    for f in go.mod go.sum $(LC_ALL=C ls *.go) $(find crds -type f | LC_ALL=C sort); do
      echo "== $f"
      cat "$f"
    done
  ) | { if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi; } | cut -c1-16
}

binary_path() { echo "$CACHE/testcluster/$(source_hash)/testcluster"; }

build_testcluster() { # GO OUT
  local go="$1" out="$2" kver ktime ldflags major minor
  # The apiserver reports its version from ldflags (kubectl refuses to talk to
  # "v0.0.0-master+$Format:%H$"); take it from the k8s.io/kubernetes requirement.
  kver="$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v1\./ {print $2; exit}' "$SRC/go.mod")"
  [ -n "$kver" ] || die "cannot find the k8s.io/kubernetes version in go.mod"
  ktime="$(cd "$SRC" && GOFLAGS=-mod=readonly "$go" list -m -f '{{if .Time}}{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}{{end}}' k8s.io/kubernetes 2>/dev/null || true)"
  [ -n "$ktime" ] || ktime="1970-01-01T00:00:00Z"
  major="$(echo "$kver" | sed -E 's/^v([0-9]+)\..*/\1/')"
  minor="$(echo "$kver" | sed -E 's/^v[0-9]+\.([0-9]+)\..*/\1/')"
  ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags="$ldflags -X $pkg.gitVersion=$kver -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
    ldflags="$ldflags -X $pkg.gitTreeState=clean -X $pkg.gitCommit= -X $pkg.buildDate=$ktime"
  done
  # go.sum is committed: -mod=readonly never edits the tree; modules come from GOPROXY.
  (cd "$SRC" && GOFLAGS=-mod=readonly CGO_ENABLED=0 "$go" build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$out" .)
}

do_build() { cached_build "$(binary_path)" "kube-apiserver; a cold build takes several minutes" build_testcluster; }

is_testcluster_pid() {
  local pid="$1"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  ps -p "$pid" -o args= 2>/dev/null | grep -q "testcluster.*--dir" || return 1
}

do_start() {
  [ $# -ge 1 ] || die "usage: $0 start DIR [--mesh asm] [testcluster flags...]"
  local dir="$1"; shift
  local bin pid i line
  bin="$(do_build)"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  if [ -f "$dir/pid" ] && is_testcluster_pid "$(cat "$dir/pid")"; then
    die "already running in $dir (pid $(cat "$dir/pid"))"
  fi
  rm -f "$dir/pid" "$dir/testcluster.stdout"
  # All three fds redirected: the caller's pipes must not be held open.
  "$bin" --dir "$dir" "$@" </dev/null >"$dir/testcluster.stdout" 2>>"$dir/testcluster.log" &
  pid=$!
  echo "$pid" >"$dir/pid"
  for ((i = 0; i < TIMEOUT * 10; i++)); do
    if line="$(grep -m1 '^READY ' "$dir/testcluster.stdout" 2>/dev/null)"; then
      echo "$line"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$dir/pid"
      tail -n 30 "$dir/testcluster.log" >&2 || true
      die "testcluster exited before READY (log: $dir/testcluster.log)"
    fi
    sleep 0.1
  done
  kill -TERM "$pid" 2>/dev/null || true
  tail -n 30 "$dir/testcluster.log" >&2 || true
  die "no READY after ${TIMEOUT}s (log: $dir/testcluster.log)"
}

do_stop() {
  [ $# -eq 1 ] || die "usage: $0 stop DIR"
  local dir="$1" pid i
  [ -f "$dir/pid" ] || { echo "testcluster.sh: not running (no $dir/pid)" >&2; return 0; }
  pid="$(cat "$dir/pid")"
  if ! is_testcluster_pid "$pid"; then
    rm -f "$dir/pid"
    echo "testcluster.sh: not running (stale pid $pid)" >&2
    return 0
  fi
  kill -TERM "$pid"
  for ((i = 0; i < 600; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$dir/pid"
      return 0
    fi
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$dir/pid"
  die "pid $pid did not stop within 60s after SIGTERM; killed"
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  build) do_build ;;
  start) do_start "$@" ;;
  stop) do_stop "$@" ;;
  run)
    [ $# -ge 1 ] || die "usage: $0 run DIR [flags...]"
    bin="$(do_build)"; d="$1"; shift
    exec "$bin" --dir "$d" "$@" ;;
  path) binary_path ;;
  *) die "usage: $0 build | start DIR [--mesh asm] [flags...] | stop DIR | run DIR [flags...] | path" ;;
esac
