#!/usr/bin/env bash
# Configures and builds Tern with CMake + Ninja. The server binary is build/tern.
# Usage: scripts/build.sh [--asan] [TARGET...]
#   --asan   AddressSanitizer+UBSan build in build-asan/
#   TARGET   ninja targets to build (default: everything, tests and tools included);
#            serve.sh builds just `tern`
# Shows ninja's progress ([done/total] and the file being built); the full log is in
# <build dir>/last-build.log, and its tail is printed when the build fails.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=build
# Lets ccache share objects between checkouts of the tree (worktrees, CI clones).
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(cd .. && pwd)}"
export CCACHE_NOHASHDIR=1
EXTRA=()
TARGETS=()
for arg in "$@"; do
  case "$arg" in
    --asan) BUILD_DIR=build-asan; EXTRA=(-DTERN_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug) ;;
    *) TARGETS+=("$arg") ;;
  esac
done
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  echo "build: configuring $BUILD_DIR (CMake + Ninja)"
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${EXTRA[@]}" >/dev/null
fi
LOG="$BUILD_DIR/last-build.log"
echo "build: ninja -C $BUILD_DIR ${TARGETS[*]:-(all)} (a first build takes 10-20 minutes on 2 cores)"
# On a terminal the status line rewrites itself; elsewhere (CI logs) a line every 5%.
set +e
ninja -C "$BUILD_DIR" "${TARGETS[@]}" 2>&1 | tee "$LOG" | awk -v tty="$([ -t 1 ] && echo 1 || echo 0)" '
  /^\[[0-9]+\/[0-9]+\] / {
    s = $1; gsub(/[][]/, "", s); split(s, n, "/"); step = int(n[2] / 20); if (step < 1) step = 1
    if (n[1] == 0) next  # CMake re-checking its globs, not a build step
    line = substr($0, 1, 110)
    if (tty) { printf "\r\033[K%s", line; fflush() }
    else if (n[1] % step == 0 || n[1] == n[2]) { print line; fflush() }
  }
  END { if (tty) printf "\r\033[K" }'
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
  tail -n 60 "$LOG"
  echo "build: FAILED (full log: $LOG)" >&2
  exit 1
fi
echo "build: $BUILD_DIR/${TARGETS[*]:-tern and all tests} up to date"
