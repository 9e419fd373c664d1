#!/usr/bin/env bash
# Sets everything up, builds Tern and serves the bundled taxi-fare demo model:
# gRPC on 8500, REST on 8501. Extra arguments are passed to build/tern.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --cpp-only
scripts/build.sh tern  # just the server: tests and tools are built by scripts/test.sh
exec build/tern --model_name=taxi_fare --model_base_path="$PWD/models/taxi_fare" \
  --port=8500 --rest_api_port=8501 "$@"
