#!/usr/bin/env bash
# Sets everything up, builds Tern and runs every test: C++ unit tests (ctest), the proto
# wire-compatibility check against TensorFlow's own descriptors, and the integration tests
# (pytest) that run build/tern against real SavedModels with the official clients, and the
# differential test of the model zoo against TensorFlow (tests/conformance).
# Usage: scripts/test.sh [--asan]   (--asan also runs the unit tests under ASan+UBSan)
set -euo pipefail
cd "$(dirname "$0")/.."
ASAN=0
for arg in "$@"; do
  case "$arg" in
    --asan) ASAN=1 ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done

scripts/setup.sh
scripts/build.sh
echo "== unit tests (ctest)"
ctest --test-dir build --output-on-failure -j2
if [ "$ASAN" = 1 ]; then
  scripts/build.sh --asan
  echo "== unit tests under ASan+UBSan"
  ctest --test-dir build-asan --output-on-failure -j2
fi
echo "== proto wire compatibility"
.venv/bin/python tests/conformance/check_proto_wire_compat.py 2>&1 | grep -v -E 'oneDNN|cpu_feature_guard|rebuild TensorFlow|AVX'
echo "== integration tests (pytest)"
export TF_CPP_MIN_LOG_LEVEL=2
.venv/bin/python -m pytest tests/integration -q -p no:cacheprovider
echo "== conformance with TensorFlow (model zoo)"
.venv/bin/python -m pytest tests/conformance -q -p no:cacheprovider
