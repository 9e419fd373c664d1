#!/usr/bin/env bash
# Formats Tern's C++ with clang-format (Debian's clang-format, style in .clang-format).
# Usage: scripts/format.sh          rewrite every tracked .cc/.h under src/, tests/, loadtest/
#        scripts/format.sh --check  change nothing; list unformatted files and exit 1 if any
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files -- 'src/*.cc' 'src/*.h' 'tests/*.cc' 'tests/*.h' \
  'loadtest/*.cc' 'loadtest/*.h')
if [ "${1:-}" = "--check" ]; then
  bad=()
  for f in "${files[@]}"; do
    clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
  done
  if [ ${#bad[@]} -gt 0 ]; then
    printf 'format: not clang-formatted: %s\n' "${bad[@]}" >&2
    echo "format: run scripts/format.sh to fix" >&2
    exit 1
  fi
  echo "format: ${#files[@]} C++ files clang-formatted"
else
  clang-format -i "${files[@]}"
fi
