#!/usr/bin/env bash
# Fails when a tracked C++ file differs from what clang-format (.clang-format) makes of it.
# usage: scripts/check-format.sh        check, print the files that drift, exit 1 if any
#        scripts/check-format.sh --fix  reformat them in place
set -euo pipefail
cd "$(dirname "$0")/.."
clang_format=$(command -v clang-format-14 || command -v clang-format || true)
[[ -n "$clang_format" ]] || { echo "check-format.sh: clang-format not found (scripts/install-deps.sh installs it)" >&2; exit 2; }
mapfile -t files < <(git ls-files -- '*.h' '*.cpp')
if [[ "${1:-}" == "--fix" ]]; then
  "$clang_format" -i "${files[@]}"
  exit 0
fi
drift=()
for f in "${files[@]}"; do
  "$clang_format" --dry-run --Werror "$f" >/dev/null 2>&1 || drift+=("$f")
done
if ((${#drift[@]})); then
  echo "check-format.sh: ${#drift[@]} file(s) not formatted as .clang-format says (fix: scripts/check-format.sh --fix):" >&2
  printf '  %s\n' "${drift[@]}" >&2
  exit 1
fi
echo "check-format.sh: ${#files[@]} files formatted"
