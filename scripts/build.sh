#!/usr/bin/env bash
# Configures and builds Tern with CMake + Ninja. The server binary is build/tern.
# Usage: scripts/build.sh [--asan]    (--asan: AddressSanitizer+UBSan build in build-asan/)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=build
# Lets ccache share objects between checkouts of the tree (worktrees, CI clones).
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(cd .. && pwd)}"
export CCACHE_NOHASHDIR=1
EXTRA=()
if [ "${1:-}" = "--asan" ]; then
  BUILD_DIR=build-asan
  EXTRA=(-DTERN_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
fi
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${EXTRA[@]}" >/dev/null
fi
ninja -C "$BUILD_DIR" > "$BUILD_DIR/last-build.log" 2>&1 || { tail -n 60 "$BUILD_DIR/last-build.log"; exit 1; }
echo "build: $BUILD_DIR/tern is up to date"

