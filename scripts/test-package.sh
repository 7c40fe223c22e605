#!/usr/bin/env bash
# Builds the .deb from a build tree, installs it on this machine, and runs the installed programs.
# usage: scripts/test-package.sh [BUILD_DIR]   (default build/ci)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/ci}
rm -f "$build"/lanedeck_*.deb
(cd "$build" && cpack -G DEB >/dev/null)
deb=$(ls "$build"/lanedeck_*.deb)
SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO="sudo"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --reinstall "./$deb" >/dev/null
failed=0
check() {
  local what=$1; shift
  if out=$("$@" 2>&1); then
    echo "PASS: $what"
  else
    echo "FAIL: $what"; echo "$out" | sed 's/^/    /'; failed=$((failed + 1))
  fi
}
check "installed lanectl --version" bash -c '/usr/bin/lanectl --version | grep -q "^lanectl "'
check "installed example validates" /usr/bin/lanectl validate /usr/share/lanedeck/examples/mock.lanes.yaml
check "installed lanectl renders the seed's mocka DestinationRule" bash -c \
  '/usr/bin/lanectl render /usr/share/lanedeck/examples/mock.lanes.yaml | grep -q "name: trafficlabel-dr-test-default-mocka"'
check "man page installed" test -f /usr/share/man/man1/lanectl.1.gz
check "bash completion installed" test -f /usr/share/bash-completion/completions/lanectl
if [[ -x /usr/bin/lanedeck ]]; then
  check "installed lanedeck --version" bash -c 'QT_QPA_PLATFORM=offscreen /usr/bin/lanedeck --version | grep -q "lanedeck "'
  check "desktop file installed" test -f /usr/share/applications/io.lanedeck.LaneDeck.desktop
  # The live demo from the installed files: finds share/lanedeck/examples, starts the sandbox, samples it.
  check "installed lanedeck --demo starts" bash -c 'd=$(mktemp -d) && trap "rm -rf $d" EXIT &&
    XDG_CONFIG_HOME=$d XDG_DATA_HOME=$d XDG_RUNTIME_DIR=$d QT_QPA_PLATFORM=offscreen \
    /usr/bin/lanedeck --demo --screenshot "$d/demo.png" --delay 3000 && test -s "$d/demo.png"'
fi
if /usr/bin/lanectl --help | grep -q "^  demo"; then
  check "installed lanectl demo" /usr/bin/lanectl demo
fi
[[ $failed -eq 0 ]] || { echo "package checks: $failed failed"; exit 1; }
echo "package checks passed"
