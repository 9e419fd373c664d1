#!/usr/bin/env bash
# Sets everything up, builds Tern and runs every test: C++ unit tests (ctest), the proto
# wire-compatibility check against TensorFlow's own descriptors, and the integration tests
# (pytest) that run build/tern against real SavedModels with the official clients, and the
# differential test of the model zoo against TensorFlow (tests/conformance).
# Usage: scripts/test.sh [--asan] [--fuzz] [--bench] [--container] [--all-apps]
#   --asan       also runs the unit tests under ASan+UBSan
#   --fuzz       also fuzzes every parser for 10 s under libFuzzer+ASan+UBSan (scripts/fuzz.sh;
#                clang build in build-fuzz/). Without it ctest still replays the fuzz corpora.
#   --bench      runs the full batching, v2 batching, scale-from-zero, wire-format, h2c,
#                runtime-vs-peers, overload and soak benchmarks instead of their short forms
#   --container  builds the image from source (the Dockerfile's default target) instead of
#                packing build/tern
#   --all-apps   the conformance zoo exports all fifteen keras.applications architectures
#                (~1.8 GB, minutes), not the four smallest
set -euo pipefail
cd "$(dirname "$0")/.."
ASAN=0
FUZZ=0
BENCH=0
CONTAINER=0
for arg in "$@"; do
  case "$arg" in
    --asan) ASAN=1 ;;
    --fuzz) FUZZ=1 ;;
    --bench) BENCH=1 ;;
    --container) CONTAINER=1 ;;
    --all-apps) export TERN_ZOO_APPS=all ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done

scripts/setup.sh
echo "== layering (tests/check_layers.py) and formatting (scripts/format.sh --check)"
python3 tests/check_layers.py | tail -n 20
scripts/format.sh --check
scripts/build.sh
echo "== unit tests (ctest)"
ctest --test-dir build --output-on-failure -j2
if [ "$ASAN" = 1 ]; then
  scripts/build.sh --asan
  echo "== unit tests under ASan+UBSan"
  ctest --test-dir build-asan --output-on-failure -j2
fi
if [ "$FUZZ" = 1 ]; then
  echo "== fuzzing, short form (scripts/fuzz.sh --seconds 10)"
  scripts/fuzz.sh --seconds 10
fi
echo "== benchmark smoke (metrics page vs one predict; full run: loadtest/metrics_render.py)"
build/loadtest/metrics_render_bench --models=3 --benchmark_min_time=0.01 2>&1 | grep -E '^BM_'
echo "== GEMM benchmark smoke (full: build/loadtest/gemm/gemm_bench)"
build/loadtest/gemm/gemm_bench --benchmark_min_time=0.01 --benchmark_filter='/(1|64)/' 2>&1 | grep -E '^Run/'
echo "== proto wire compatibility"
.venv/bin/python tests/conformance/check_proto_wire_compat.py 2>&1 | grep -v -E 'oneDNN|cpu_feature_guard|rebuild TensorFlow|AVX'
export TF_CPP_MIN_LOG_LEVEL=2
if [ "$BENCH" = 1 ]; then
  echo "== batching benchmark (full; writes loadtest/results/)"
  .venv/bin/python loadtest/batching.py 2>&1 | grep -v -E 'cpu_feature_guard|rebuild TensorFlow|oneDNN'
  echo "== batching benchmark, compute-bound ResNet50 (full; writes loadtest/results/)"
  .venv/bin/python loadtest/batching.py --scenario resnet50 2>&1 \
    | grep -v -E 'cpu_feature_guard|rebuild TensorFlow|oneDNN'
  echo "== scale from zero (full; writes loadtest/results/)"
  .venv/bin/python loadtest/scale_from_zero.py
else
  echo "== batching load test, short form (full: scripts/test.sh --bench)"
  .venv/bin/python loadtest/batching.py --quick --out build/loadtest-smoke 2>&1 \
    | grep -v -E 'cpu_feature_guard|rebuild TensorFlow|oneDNN'
  echo "== scale from zero, short form (full: scripts/test.sh --bench)"
  .venv/bin/python loadtest/scale_from_zero.py --rounds 2 --out build/loadtest-smoke
fi
if [ "$BENCH" = 1 ]; then
  echo "== wire-format benchmark (full; writes loadtest/results/)"
  .venv/bin/python loadtest/wire_formats.py
else
  echo "== wire-format benchmark, short form (full: scripts/test.sh --bench)"
  .venv/bin/python loadtest/wire_formats.py --quick --out build/loadtest-smoke
fi
if [ "$BENCH" = 1 ]; then
  echo "== KServe v2 batching off vs on (full; writes loadtest/results/)"
  .venv/bin/python loadtest/v2_batching.py
  .venv/bin/python loadtest/v2_batching.py --scenario resnet50
else
  echo "== KServe v2 batching off vs on, short form (full: scripts/test.sh --bench)"
  .venv/bin/python loadtest/v2_batching.py --quick --out build/loadtest-smoke
fi
if ! command -v wrk >/dev/null || ! command -v h2load >/dev/null; then
  echo "== REST over h2c vs HTTP/1.1 vs gRPC: skipped (loadtest/setup_tools.sh installs wrk, h2load)"
elif [ "$BENCH" = 1 ]; then
  echo "== REST over h2c vs HTTP/1.1 vs gRPC (full; writes loadtest/results/)"
  .venv/bin/python loadtest/h2c_bench.py --seconds 5 --rounds 3
else
  echo "== REST over h2c vs HTTP/1.1 vs gRPC, short form (full: scripts/test.sh --bench)"
  .venv/bin/python loadtest/h2c_bench.py --seconds 2 --out build/loadtest-smoke
fi
if [ "$BENCH" = 1 ]; then
  echo "== overload: open loop at 2x and 4x capacity, 2,000 idle connections (full; writes loadtest/results/)"
  .venv/bin/python loadtest/overload.py --compare 2>&1 | grep -v -E 'cpu_feature_guard|rebuild TensorFlow|oneDNN|absl::InitializeLog'
  echo "== soak: 10 min of mixed traffic, hot swaps and config reloads (full; writes loadtest/results/)"
  .venv/bin/python loadtest/soak.py 2>&1 | grep -v -E 'cpu_feature_guard|rebuild TensorFlow|oneDNN|absl::InitializeLog'
else
  echo "== overload, short form (full: scripts/test.sh --bench)"
  .venv/bin/python loadtest/overload.py --quick --out build/loadtest-smoke 2>&1 \
    | grep -v -E 'cpu_feature_guard|rebuild TensorFlow|oneDNN|absl::InitializeLog'
  echo "== soak, short form (full: scripts/test.sh --bench)"
  .venv/bin/python loadtest/soak.py --quick --out build/loadtest-smoke 2>&1 \
    | grep -v -E 'cpu_feature_guard|rebuild TensorFlow|oneDNN|absl::InitializeLog'
fi
echo "== cold start, short form (full: loadtest/cold_start.py)"
.venv/bin/python loadtest/cold_start.py --runs 3 --out build/loadtest-smoke
echo "== deployment: manifests against the Kubernetes/Knative schemas; the container image (podman)"
TERN_CONTAINER_FULL=$CONTAINER .venv/bin/python -m pytest tests/deploy -q -p no:cacheprovider \
  2>&1 | grep -v -E 'cpu_feature_guard|rebuild TensorFlow|oneDNN'
echo "== conformance with TensorFlow (model zoo)"
.venv/bin/python -m pytest tests/conformance -q -p no:cacheprovider
echo "== conformance again with ops split over 2 cores and branches side by side"
TERN_CONFORMANCE_SERVER_FLAGS=--tensorflow_intra_op_parallelism=2 \
  .venv/bin/python -m pytest tests/conformance -q -p no:cacheprovider
if [ "$BENCH" = 1 ]; then
  echo "== runtime vs TensorFlow and ONNX Runtime (full; writes loadtest/results/)"
  .venv/bin/python loadtest/runtime_vs_peers.py 2>&1 | grep -v -E 'cpu_feature_guard|rebuild TensorFlow|oneDNN|absl::InitializeLog'
else
  echo "== runtime vs TensorFlow and ONNX Runtime, short form (full: scripts/test.sh --bench)"
  .venv/bin/python loadtest/runtime_vs_peers.py --quick --out build/loadtest-smoke 2>&1 \
    | grep -v -E 'cpu_feature_guard|rebuild TensorFlow|oneDNN|absl::InitializeLog'
fi
echo "== small-M GEMM vs Eigen, short form (full: loadtest/gemm/small_gemm.py)"
.venv/bin/python loadtest/gemm/small_gemm.py --quick --out build/loadtest-smoke | tail -n 8
echo "== integration tests (pytest)"
.venv/bin/python -m pytest tests/integration -q -p no:cacheprovider
