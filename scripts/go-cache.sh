# Sourced by scripts/testcluster.sh and scripts/istioctl.sh: the Go toolchain and the build-once cache that
# both of their test binaries share (~/.cache/lanedeck survives into CI, so a binary is built once a machine).
# The sourcing script defines die() first.

find_go() {
  if [ -n "${GO:-}" ]; then echo "$GO"; return; fi
  if command -v go >/dev/null 2>&1; then command -v go; return; fi
  if [ -x /usr/local/go/bin/go ]; then echo /usr/local/go/bin/go; return; fi
  die "no Go toolchain found (set GO=/path/to/go)"
}

# cached_build BIN WHAT BUILDER: prints BIN, building it first unless it is there. BUILDER GO TMP must write
# the binary to TMP (a path beside BIN, so the final move is atomic); WHAT names it in the progress line.
# Concurrent callers (parallel test runners) wait for one build instead of each starting their own.
cached_build() {
  local bin="$1" what="$2" builder="$3" dir go tmp t0
  if [ -x "$bin" ]; then echo "$bin"; return 0; fi
  dir="$(dirname "$bin")"
  mkdir -p "$dir"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$dir/.lock"
    flock 9
    if [ -x "$bin" ]; then echo "$bin"; return 0; fi
  fi
  go="$(find_go)"
  tmp="$(mktemp "$dir/build.XXXXXX")"
  echo "$(basename "$0"): building $bin ($what)" >&2
  t0=$SECONDS
  if ! "$builder" "$go" "$tmp" >&2; then
    rm -f "$tmp"
    die "build failed"
  fi
  chmod +x "$tmp"
  mv -f "$tmp" "$bin"
  echo "$(basename "$0"): built in $((SECONDS - t0))s" >&2
  echo "$bin"
}
