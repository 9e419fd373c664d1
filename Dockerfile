# syntax=docker/dockerfile:1
# Tern's container image: TensorFlow Serving's contract (MODEL_NAME, MODEL_BASE_PATH, gRPC 8500,
# REST 8501, extra arguments passed to the server), run as a non-root user.
#
#   podman build --format docker -t tern .                       # full build from source
#   podman run --rm -p 8500:8500 -p 8501:8501 -e MODEL_NAME=taxi_fare tern
#   podman run --rm -p 8501:8501 -v /path/to/my_model:/models/my_model -e MODEL_NAME=my_model tern
#
# Targets: `runtime` (default; compiles Tern in the `build` stage) and `prebuilt`, which packs a
# binary already built on a Debian bookworm host (`--build-arg TERN_BINARY=build/tern`); the tests
# use it so that CI does not compile Tern twice. `--format docker` keeps the HEALTHCHECK (the OCI
# image format has no field for it).
ARG BASE_IMAGE=docker.io/library/debian:bookworm-slim

# ---- build: the compiler and -dev packages (the C++ part of scripts/setup.sh's list) ----
FROM ${BASE_IMAGE} AS build
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \
    rm -f /etc/apt/apt.conf.d/docker-clean \
 && apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      build-essential cmake ninja-build pkg-config ccache \
      libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler \
      libboost-dev libboost-system-dev nlohmann-json3-dev prometheus-cpp-dev \
      libeigen3-dev libsnappy-dev zlib1g-dev libsimdjson-dev libre2-dev libdnnl-dev \
      libjpeg62-turbo-dev libpng-dev libgif-dev libnghttp2-dev >/dev/null
WORKDIR /src
COPY CMakeLists.txt ./
COPY proto proto
COPY src src
COPY loadtest/CMakeLists.txt loadtest/metrics_render_bench.cc loadtest/
# ccache survives between image builds in a cache mount; `-v $HOME/.cache/ccache:/host-ccache
# --build-arg CCACHE_DIR=/host-ccache` uses the host's cache instead (hits: the paths are made
# relative, as scripts/build.sh does).
ARG CCACHE_DIR=/ccache
RUN --mount=type=cache,target=/ccache \
    export CCACHE_DIR="${CCACHE_DIR}" CCACHE_BASEDIR=/src CCACHE_NOHASHDIR=1 \
 && cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTERN_BUILD_TESTS=OFF >/dev/null \
 && ninja -C build tern >/dev/null \
 && strip --strip-debug -o /tern build/tern

# ---- runtime-base: bookworm-slim with only the shared libraries Tern links against ----
FROM ${BASE_IMAGE} AS runtime-base
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \
    rm -f /etc/apt/apt.conf.d/docker-clean \
 && apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libgrpc++1.51 libprotobuf32 libprometheus-cpp-core1.0 libsnappy1v5 zlib1g libsimdjson14 \
      libre2-9 libdnnl2 libjpeg62-turbo libpng16-16 libgif7 libnghttp2-14 >/dev/null \
 && useradd --uid 1000 --user-group --home-dir /nonexistent --no-create-home tern
COPY --chmod=0755 docker/entrypoint.sh /usr/local/bin/tern-entrypoint
COPY --chmod=0755 docker/healthcheck.sh /usr/local/bin/tern-healthcheck
# TF Serving's image paths, so manifests and KServe serving runtimes that name them run Tern by
# swapping the image: the server binary and the entrypoint script.
RUN ln -s /usr/local/bin/tern /usr/bin/tensorflow_model_server \
 && ln -s /usr/local/bin/tern-entrypoint /usr/bin/tf_serving_entrypoint.sh
# The demo model: `-e MODEL_NAME=taxi_fare` serves it; mount yours at /models/<name>.
COPY models/taxi_fare /models/taxi_fare
ENV MODEL_NAME=model MODEL_BASE_PATH=/models
EXPOSE 8500 8501
USER 1000:1000
HEALTHCHECK --interval=10s --timeout=2s --start-period=5s --retries=3 CMD ["/usr/local/bin/tern-healthcheck"]
ENTRYPOINT ["/usr/local/bin/tern-entrypoint"]

# ---- prebuilt: a binary built on a bookworm host (the tests' short form) ----
FROM runtime-base AS prebuilt
ARG TERN_BINARY=build/tern-stripped
COPY --chmod=0755 ${TERN_BINARY} /usr/local/bin/tern

# ---- runtime (default): the binary compiled in the build stage ----
FROM runtime-base AS runtime
COPY --from=build --chmod=0755 /tern /usr/local/bin/tern
