#!/usr/bin/env bash
# Installs everything Tern needs on a fresh Debian bookworm machine: the Debian packages for the
# C++ build and a Python venv (.venv) with pinned tools for tests and model export.
# Idempotent: quick and quiet when everything is already in place.
# Usage: scripts/setup.sh [--cpp-only]   (--cpp-only skips the Python venv)
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_VENV=1
[ "${1:-}" = "--cpp-only" ] && WITH_VENV=0

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache curl
  nghttp2-client  # h2load and nghttp: HTTP/2 clients for the h2c tests and loadtest/h2c_bench.py
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libboost-dev libboost-system-dev nlohmann-json3-dev prometheus-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev libeigen3-dev libopenblas-dev
  libsnappy-dev zlib1g-dev python3-venv prometheus python3-matplotlib openssl
  libsimdjson-dev libre2-dev libjpeg62-turbo-dev libpng-dev
  libgif-dev  # giflib: DecodeGif (src/runtime/kernels/internal/image_decode.h)
  libnghttp2-dev  # HTTP/2 (h2c) for REST beside gRPC on one connection (server/http/http2_session.h)
  libdnnl-dev  # oneDNN: float convolutions (src/runtime/kernels/internal/onednn_conv.h)
  clang-format  # scripts/format.sh; the test command checks the C++ is formatted
  systemd  # systemd-socket-activate and systemd-analyze for the socket activation tests
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The venv: pins live in scripts/requirements.txt. The packages of requirements-tf-nodeps.txt
# (tensorflow-serving-api, tf-keras, keras-hub's tensorflow-text) declare a dependency on the full
# `tensorflow` wheel; we install them without deps next to tensorflow-cpu instead.
VENV=.venv
REQ=scripts/requirements.txt
REQ_NODEPS=scripts/requirements-tf-nodeps.txt
STAMP="$VENV/.tern-requirements"
if [ "$WITH_VENV" = 1 ] && { [ ! -x "$VENV/bin/python" ] || ! cat "$REQ" "$REQ_NODEPS" | cmp -s - "$STAMP"; }; then
  echo "setup: building the Python venv in $VENV (first time takes a few minutes)"
  PY=python3
  [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$REQ"
  "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps -r "$REQ_NODEPS"
  cat "$REQ" "$REQ_NODEPS" >"$STAMP"
fi

# Deployment checks: kubernetes-validate in the venv, and the npm schema packages
# (config/validate) with Debian's node/npm when no node is installed.
DEPLOY_REQ=scripts/requirements-deploy.txt
if [ "$WITH_VENV" = 1 ] && ! cmp -s "$DEPLOY_REQ" "$VENV/.tern-requirements-deploy"; then
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$DEPLOY_REQ"
  cp "$DEPLOY_REQ" "$VENV/.tern-requirements-deploy"
fi
if [ "$WITH_VENV" = 1 ]; then
  if ! command -v npm >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
  fi
  if ! cmp -s config/validate/package-lock.json config/validate/node_modules/.tern-lock; then
    echo "setup: installing the manifest validators (npm ci in config/validate)"
    (cd config/validate && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    cp config/validate/package-lock.json config/validate/node_modules/.tern-lock
  fi
fi

# grpcurl (reflection and health checks in the integration tests), built from the Go module
# proxy into a project-local directory; only for the tests, skipped when Go is not installed.
GRPCURL_VERSION=v1.9.4
if [ "$WITH_VENV" = 1 ] && [ ! -x .tools/bin/grpcurl ] && command -v go >/dev/null 2>&1; then
  echo "setup: building grpcurl $GRPCURL_VERSION into .tools/bin"
  GOBIN="$PWD/.tools/bin" go install "github.com/fullstorydev/grpcurl/cmd/grpcurl@$GRPCURL_VERSION" \
    || echo "setup: grpcurl could not be built; its tests will be skipped" >&2
fi
# Knative's queue-proxy (tests/integration/test_h2c.py runs it in front of Tern, as Knative
# does), built the same way. v0.45.0: the newest release (v0.51.0) needs knative.dev/pkg and
# knative.dev/networking versions the module proxy did not serve (403) when this was written.
QUEUE_PROXY_VERSION=v0.45.0
if [ "$WITH_VENV" = 1 ] && [ ! -x .tools/bin/queue ] && command -v go >/dev/null 2>&1; then
  echo "setup: building Knative's queue-proxy $QUEUE_PROXY_VERSION into .tools/bin/queue"
  GOBIN="$PWD/.tools/bin" go install "knative.dev/serving/cmd/queue@$QUEUE_PROXY_VERSION" \
    || echo "setup: the queue-proxy could not be built; its test will be skipped" >&2
fi
