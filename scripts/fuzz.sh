#!/usr/bin/env bash
# Fuzzes Tern's parsers of untrusted bytes with libFuzzer under ASan+UBSan (tests/fuzz;
# docs/architecture.md, "Fuzzing"). Installs Debian's clang-14 (libFuzzer is in
# libclang-rt-14-dev) when missing, builds the targets in build-fuzz/ (clang; separate from the gcc
# build/), and runs each for N seconds over a copy of its seed corpus (tests/fuzz/corpus/<target>/
# plus tests/fuzz/regressions/<target>/). Prints per target the executions, exec/s, coverage
# (libFuzzer's cov: edges and ft: features), corpus size and peak RSS. A crash, leak, sanitizer
# report, hang or over-limit allocation is saved in tests/fuzz/regressions/<target>/ (commit it once
# the bug is fixed: ctest replays it from then on) and makes the script fail.
# Usage: scripts/fuzz.sh [--seconds N] [target...]
#   --seconds N  fuzzing time per target (default 10)
#   target       json_predict_fuzz, ... (default: every target but saved_model_fuzz and
#                http2_fuzz, whose fuzz builds compile the whole runtime and server HTTP library
#                with clang; `all` includes them)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=10
TARGETS=()
DEFAULT_TARGETS=(json_predict_fuzz json_examples_fuzz kserve_infer_request_fuzz tensor_proto_fuzz
  parse_example_fuzz tensor_bundle_fuzz model_config_fuzz http_request_fuzz gzip_fuzz
  warmup_records_fuzz image_decode_fuzz)
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_PER_TARGET="$2"; shift ;;
    all) TARGETS+=("${DEFAULT_TARGETS[@]}" saved_model_fuzz http2_fuzz) ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) TARGETS+=("$1") ;;
  esac
  shift
done
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${DEFAULT_TARGETS[@]}")

# libomp-14-dev: clang's OpenMP (omp.h), which the runtime's oneDNN convolutions include.
if ! command -v clang++-14 >/dev/null || ! dpkg-query -W libclang-rt-14-dev libomp-14-dev >/dev/null 2>&1; then
  echo "fuzz: installing clang-14, libFuzzer and OpenMP (clang-14, libclang-rt-14-dev, libomp-14-dev)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq clang-14 libclang-rt-14-dev libomp-14-dev >/dev/null
fi

BUILD_DIR=build-fuzz
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(cd .. && pwd)}"
export CCACHE_NOHASHDIR=1
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  echo "fuzz: configuring $BUILD_DIR (clang-14, -fsanitize=fuzzer,address,undefined)"
  # -O1 with line tables: libFuzzer's usual trade of speed for readable reports.
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
    -DTERN_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" \
    "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" >/dev/null
fi
echo "fuzz: building ${TARGETS[*]} in $BUILD_DIR (the first build takes a while on 2 cores)"
if ! ninja -C "$BUILD_DIR" -j2 "${TARGETS[@]}" >"$BUILD_DIR/last-build.log" 2>&1; then
  tail -n 40 "$BUILD_DIR/last-build.log"
  echo "fuzz: build FAILED (full log: $BUILD_DIR/last-build.log)" >&2
  exit 1
fi

failed=()
summary="target|seconds|executions|exec/s|cov|ft|corpus|peak RSS MB|result"
for target in "${TARGETS[@]}"; do
  work="$BUILD_DIR/fuzz-work/$target"
  regressions="tests/fuzz/regressions/$target"
  rm -rf "$work"
  mkdir -p "$work/corpus" "$regressions"
  cp tests/fuzz/corpus/"$target"/* "$work/corpus/"
  cp "$regressions"/* "$work/corpus/" 2>/dev/null || true
  before=$(ls "$regressions" | wc -l)
  log="$work/fuzz.log"
  echo "== $target: ${SECONDS_PER_TARGET}s (log: $log)"
  set +e
  # Leaks are checked (ASan's LeakSanitizer); 2 GB is the most one input may make the process
  # hold; an input running longer than 10 s counts as a hang.
  "$BUILD_DIR/tests/fuzz/$target" "$work/corpus" -max_total_time="$SECONDS_PER_TARGET" \
    -print_final_stats=1 -rss_limit_mb=2048 -timeout=10 -artifact_prefix="$regressions/" \
    >"$log" 2>&1
  status=$?
  set -e
  stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -n 1; }
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
  after=$(ls "$regressions" | wc -l)
  result=ok
  if [ "$status" -ne 0 ] || [ "$after" -ne "$before" ]; then
    result="CRASH (exit $status; new in $regressions: $((after - before)))"
    failed+=("$target")
    grep -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|SUMMARY' "$log" \
      | head -n 5 || true
  fi
  summary+=$'\n'"$target|$SECONDS_PER_TARGET|$(stat number_of_executed_units)|$(stat average_exec_per_sec)|$cov|$ft|$corp|$(stat peak_rss_mb)|$result"
  # An empty regressions directory is not worth keeping.
  rmdir "$regressions" 2>/dev/null || true
done
echo
column -t -s '|' <<<"$summary"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in ${failed[*]}; reproduce with $BUILD_DIR/tests/fuzz/<target> <file>" >&2
  exit 1
fi
