#!/bin/sh
# TensorFlow Serving's image contract: serve ${MODEL_BASE_PATH}/${MODEL_NAME} with gRPC on 8500 and
# REST on 8501; arguments given to the container are appended (a later flag overrides an earlier
# one). Under Knative (which sets $PORT and gives the container one port) REST and gRPC share it.
set -e
if [ -n "${PORT:-}" ]; then
  set -- --port="${PORT}" --rest_api_port="${PORT}" "$@"
else
  set -- --port=8500 --rest_api_port=8501 "$@"
fi
exec /usr/local/bin/tern --model_name="${MODEL_NAME}" \
  --model_base_path="${MODEL_BASE_PATH}/${MODEL_NAME}" "$@"
